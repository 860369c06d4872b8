import * as fs from 'node:fs';
import { join } from 'node:path';

/** Sizes from statfs(2), in bytes. */
export interface StatFs {
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly freeBytes: number;
}

/**
 * Every path is a /proc or /sys location built from constants and
 * kernel-listed names, under a fixed root.
 *
 * Reads the kernel's files under a root ('/' on the host; a fixture tree in
 * tests). Small /proc files are read synchronously on purpose: a sync read
 * takes 10–40 µs, the async one 15–60 times longer through the thread pool
 * (docs/performance.md). Reads that can be slow (hwmon drivers, big socket
 * tables, statfs on a network mount) use the async variants.
 */
export class HostFs {
  constructor(readonly root = '/') {}

  path(rel: string): string {
    return join(this.root, rel);
  }

  readSync(rel: string): string {
    return fs.readFileSync(this.path(rel), 'utf8');
  }

  tryReadSync(rel: string): string | undefined {
    try {
      return fs.readFileSync(this.path(rel), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Reads at most `bytes` from the start of a file (for files the kernel makes long). */
  readHeadSync(rel: string, bytes: number): string | undefined {
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.path(rel), 'r');
      const buf = Buffer.alloc(bytes);
      const n = fs.readSync(fd, buf, 0, bytes, 0);
      return buf.subarray(0, n).toString('utf8');
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  async read(rel: string): Promise<string> {
    return fs.promises.readFile(this.path(rel), 'utf8');
  }

  async tryRead(rel: string): Promise<string | undefined> {
    return fs.promises.readFile(this.path(rel), 'utf8').catch(() => undefined);
  }

  /**
   * Streams a file in whole-line pieces of about `chunkBytes`, so a huge
   * kernel table (80,000 sockets are 12 MB of /proc/net/tcp) is parsed a
   * piece per turn of the event loop instead of in one long block.
   * Resolves false when the file cannot be read.
   */
  streamLines(
    rel: string,
    onLines: (text: string) => void,
    chunkBytes = 64 * 1024,
  ): Promise<boolean> {
    return new Promise((resolve) => {
      const stream = fs.createReadStream(this.path(rel), {
        encoding: 'latin1',
        highWaterMark: chunkBytes,
      });
      let rest = '';
      stream.on('data', (chunk: string | Buffer) => {
        const text = rest + chunk.toString();
        const cut = text.lastIndexOf('\n');
        rest = text.slice(cut + 1);
        if (cut >= 0) onLines(text.slice(0, cut));
      });
      stream.on('end', () => {
        if (rest !== '') onLines(rest);
        resolve(true);
      });
      stream.on('error', () => resolve(false));
    });
  }

  /** Directory entries, or [] when the directory is missing or unreadable. */
  list(rel: string): string[] {
    try {
      return fs.readdirSync(this.path(rel));
    } catch {
      return [];
    }
  }

  async listAsync(rel: string): Promise<string[]> {
    return fs.promises.readdir(this.path(rel)).catch(() => []);
  }

  exists(rel: string): boolean {
    return fs.existsSync(this.path(rel));
  }

  readLink(rel: string): string | undefined {
    try {
      return fs.readlinkSync(this.path(rel));
    } catch {
      return undefined;
    }
  }

  /** statfs(2) of a mount point, like `df`: used = blocks − bfree, free = bavail. */
  async statfs(mountPoint: string): Promise<StatFs> {
    const s = await fs.promises.statfs(this.path(mountPoint));
    return {
      sizeBytes: s.blocks * s.bsize,
      usedBytes: (s.blocks - s.bfree) * s.bsize,
      freeBytes: s.bavail * s.bsize,
    };
  }
}
