/**
 * Request plumbing of the embedded Bot API server: typed reads of call parameters (query string,
 * JSON, urlencoded or multipart, as telegraf sends them) with Telegram's error texts.
 */
import type http from 'node:http';
import type { Clock } from '../../clock';
import { ApiError } from './errors';
import type { Params, RawUpdate, UploadedFile } from './types';

/** Largest request body accepted (Telegram takes 50 MB uploads). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Seconds since the epoch, as Telegram dates messages. */
export const nowSec = (clock: Clock): number => Math.floor(clock.now() / 1000);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isUpload(v: unknown): v is UploadedFile {
  return isRecord(v) && v['kind'] === 'upload' && Buffer.isBuffer(v['data']);
}

export function optStr(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ApiError(400, `Bad Request: field "${key}" must be of type String`);
}

export function optNum(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n))
    throw new ApiError(400, `Bad Request: field "${key}" must be a valid Number`);
  return Math.trunc(n);
}

export function optBool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function optJson(p: Params, key: string): unknown {
  const v = p[key];
  if (typeof v !== 'string') return v ?? undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new ApiError(400, `Bad Request: can't parse ${key} JSON object`);
  }
}

export function updateType(u: RawUpdate): string {
  return Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';
}

export function isLoopbackHost(hostname: string): boolean {
  return (
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || hostname === '[::1]' || hostname === '::1'
  );
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () =>
      tooBig
        ? reject(new ApiError(413, 'Request Entity Too Large'))
        : resolve(Buffer.concat(chunks)),
    );
    req.on('error', () => reject(new ApiError(400, 'Bad Request: request aborted')));
  });
}

export async function parseParams(
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
): Promise<Params> {
  const params: Params = Object.create(null) as Params;
  for (const [k, v] of url.searchParams) params[k] = v;
  if (body.length === 0) return params;
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new ApiError(400, "Bad Request: can't parse JSON request body");
    }
    if (!isRecord(parsed)) throw new ApiError(400, "Bad Request: can't parse JSON request body");
    for (const [k, v] of Object.entries(parsed)) params[k] = v;
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  } else if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(body), {
        headers: { 'content-type': type === '' ? '' : String(req.headers['content-type']) },
      }).formData();
    } catch {
      throw new ApiError(400, "Bad Request: can't parse multipart/form-data request body");
    }
    for (const [k, v] of form.entries()) {
      params[k] =
        typeof v === 'string'
          ? v
          : ({
              kind: 'upload',
              filename: v.name,
              data: Buffer.from(await v.arrayBuffer()),
            } satisfies UploadedFile);
    }
  }
  return params;
}

/** Writes a JSON answer unless the response is already finished. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status >= 100 && status <= 599 ? status : 500, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** Writes a Bot API error answer: HTTP status = error_code. */
export function sendError(res: http.ServerResponse, err: ApiError): void {
  sendJson(res, err.error_code, {
    ok: false,
    error_code: err.error_code,
    description: err.description,
    ...(err.parameters ? { parameters: err.parameters } : {}),
  });
}
