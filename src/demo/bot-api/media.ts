/**
 * Files of the embedded Bot API server: uploads stored under file_id, photo sizes read from image
 * headers, documents with their MIME type, and the bytes served back through getFile.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Document, File as TgFile, PhotoSize } from '@telegraf/types';
import { ApiError, TG_ERRORS } from './errors';
import { isUpload, optStr } from './params';
import type { Params, StoredFile, StoredMessage } from './types';

/** MIME types by file extension, as Telegram guesses them for documents. */
const MIME_BY_EXT: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  log: 'text/plain',
  json: 'application/json',
  yaml: 'application/x-yaml',
  yml: 'application/x-yaml',
  csv: 'text/csv',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
};

/** The MIME type Telegram gives a document of this name. */
export function mimeFor(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}

/** Width/height from PNG, GIF, WEBP or JPEG headers; undefined when it is no image Telegram takes. */
function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8')
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (
    b.length >= 12 &&
    b.toString('latin1', 0, 4) === 'RIFF' &&
    b.toString('latin1', 8, 12) === 'WEBP'
  )
    return { width: 0, height: 0 };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length && b[i] === 0xff) {
      const marker = b[i + 1] ?? 0;
      const len = b.readUInt16BE(i + 2);
      if (
        marker >= 0xc0 &&
        marker <= 0xcf &&
        marker !== 0xc4 &&
        marker !== 0xc8 &&
        marker !== 0xcc
      ) {
        return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      }
      i += 2 + len;
    }
    return { width: 0, height: 0 };
  }
  return undefined;
}

/** Uploaded bytes by file_id and by download path. */
export class FileStore {
  private files = new Map<string, StoredFile>();
  private byPath = new Map<string, StoredFile>();

  /** The file at a `/file/bot<token>/<path>` download path. */
  atPath(path: string): StoredFile | undefined {
    return this.byPath.get(path);
  }

  /** The file under a file_id. */
  byId(fileId: string): StoredFile | undefined {
    return this.files.get(fileId);
  }

  /** Forgets every file. */
  clear(): void {
    this.files = new Map();
    this.byPath = new Map();
  }

  /** Stores bytes under a new file_id (unique id from the content). */
  store(data: Buffer, dir: string, name: string): StoredFile {
    const n = this.files.size + 1;
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.')) : '';
    const f: StoredFile = {
      file_id: `BQAC${randomBytes(12).toString('hex')}`,
      file_unique_id: `AgAD${createHash('sha256').update(data).digest('hex').slice(0, 12)}`,
      file_path: `${dir}/file_${n}${ext}`,
      data,
    };
    this.files.set(f.file_id, f);
    this.byPath.set(f.file_path, f);
    return f;
  }

  /** A document as a message carries it. */
  document(file: StoredFile, name: string, mimeType?: string): Document {
    return {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_name: name,
      mime_type: mimeType ?? mimeFor(name),
      file_size: file.data.length,
    };
  }

  /** Resolves an upload, an existing file_id or a URL to stored bytes (URLs are not fetched). */
  resolve(
    value: unknown,
    uploads: Params,
    kind: 'photo' | 'document',
  ): { file: StoredFile; name: string } {
    let v = value;
    if (typeof v === 'string' && v.startsWith('attach://'))
      v = uploads[v.slice('attach://'.length)];
    if (isUpload(v)) {
      if (v.data.length === 0) throw new ApiError(400, TG_ERRORS.fileEmpty);
      return {
        file: this.store(v.data, kind === 'photo' ? 'photos' : 'documents', v.filename),
        name: v.filename,
      };
    }
    if (typeof v === 'string' && v !== '') {
      const known = this.files.get(v);
      if (known) return { file: known, name: known.file_path.split('/').pop() ?? 'file' };
      if (/^https?:\/\//.test(v)) {
        const name = new URL(v).pathname.split('/').pop() || 'file';
        return {
          file: this.store(Buffer.alloc(0), kind === 'photo' ? 'photos' : 'documents', name),
          name,
        };
      }
    }
    throw new ApiError(400, TG_ERRORS.wrongFile);
  }

  /** The photo sizes (with a 90 px thumbnail) or the document of a sent file. */
  mediaFields(file: StoredFile, name: string, kind: 'photo' | 'document'): Partial<StoredMessage> {
    if (kind === 'document') return { document: this.document(file, name) };
    const size = file.data.length === 0 ? { width: 0, height: 0 } : imageSize(file.data);
    if (!size) throw new ApiError(400, TG_ERRORS.imageFailed);
    const full: PhotoSize = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: size.width,
      height: size.height,
      file_size: file.data.length,
    };
    const longest = Math.max(size.width, size.height);
    if (longest <= 90) return { photo: [full] };
    const scale = 90 / longest;
    const thumb: PhotoSize = {
      ...full,
      file_unique_id: `${file.file_unique_id}t`,
      width: Math.round(size.width * scale),
      height: Math.round(size.height * scale),
    };
    return { photo: [thumb, full] };
  }

  /** getFile: the file path to download a file_id from. */
  getFile(p: Params): TgFile {
    const f = this.files.get(optStr(p, 'file_id') ?? '');
    if (!f) throw new ApiError(400, TG_ERRORS.invalidFileId);
    return {
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      file_size: f.data.length,
      file_path: f.file_path,
    };
  }
}
