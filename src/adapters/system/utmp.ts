import { open } from 'node:fs/promises';
import type { LoggedInUser } from './system-port';

/**
 * glibc's `struct utmp` on Linux, the same on 64- and 32-bit little-endian hosts (x86-64,
 * arm64, armhf): 384 bytes a record, times as 32-bit seconds and microseconds.
 */
const RECORD = 384;
const FIELD = {
  type: 0,
  line: { at: 8, size: 32 },
  user: { at: 44, size: 32 },
  host: { at: 76, size: 256 },
  seconds: 340,
  micros: 344,
} as const;
/** `ut_type` of a login session (the others are boot, run level, dead processes…). */
const USER_PROCESS = 7;
/** One record per terminal: 1 MiB is ~2 700 sessions, far beyond any real utmp. */
export const UTMP_MAX_BYTES = 1 << 20;

/** A NUL-padded field; a field that fills its bytes has no NUL. */
function field(buf: Buffer, at: number, size: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('utf8', at, end === -1 || end > at + size ? at + size : end);
}

/** The login sessions in a utmp image; other records and a torn last record are skipped. */
export function parseUtmp(buf: Buffer): LoggedInUser[] {
  const users: LoggedInUser[] = [];
  for (let at = 0; at + RECORD <= buf.length; at += RECORD) {
    if (buf.readInt16LE(at + FIELD.type) !== USER_PROCESS) continue;
    const name = field(buf, at + FIELD.user.at, FIELD.user.size);
    if (name === '') continue;
    const seconds = buf.readInt32LE(at + FIELD.seconds);
    const micros = buf.readInt32LE(at + FIELD.micros);
    users.push({
      name,
      tty: field(buf, at + FIELD.line.at, FIELD.line.size),
      host: field(buf, at + FIELD.host.at, FIELD.host.size),
      since: seconds > 0 ? seconds * 1000 + Math.floor(Math.max(0, micros) / 1000) : undefined,
    });
  }
  return users;
}

/**
 * Who is logged in, read from utmp as `who` reads it (no child process, no library); nobody
 * when the file does not exist (a container without the host's utmp mounted). At most
 * {@link UTMP_MAX_BYTES} are read.
 */
export async function readUtmp(path: string): Promise<LoggedInUser[]> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    // Sized by the file (a few records), not by the cap: the screen asks every 10 s at most.
    const buf = Buffer.alloc(Math.min((await file.stat()).size, UTMP_MAX_BYTES));
    let length = 0;
    while (length < buf.length) {
      const { bytesRead } = await file.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return parseUtmp(buf.subarray(0, length));
  } finally {
    await file.close();
  }
}
