import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { removeStaleTemps, writeFileAtomic } from './atomic-file';

/** Persistent JSON documents by name. Features receive this port, never the filesystem. */
export interface StateStore {
  /** Whether writes reach disk (false: the directory was unusable and state lives in memory). */
  readonly persistent: boolean;
  readonly dir: string;
  /** The document, if present and accepted by `guard`; a corrupt file is moved aside. */
  read<T>(name: string, guard: (value: unknown) => value is T): T | undefined;
  /** Replaces the document atomically; concurrent writes of one name coalesce to the latest. */
  write(name: string, value: unknown): Promise<void>;
  /** Appends one line to a text file (0600), e.g. the audit log; returns its new size in bytes. */
  appendLine(name: string, line: string): Promise<number>;
  /** The whole text of a file (e.g. one written by appendLine); undefined when there is none. */
  readText(name: string): Promise<string | undefined>;
  /** Shifts `name` to `name.1`, `name.1` to `name.2` …, keeping `keep` old generations. */
  rotate(name: string, keep: number): Promise<void>;
  /** Deletes a file; one that is not there is fine. */
  remove(name: string): Promise<void>;
  /** Waits for every pending write. */
  flush(): Promise<void>;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,100}$/;

interface PendingWrite {
  running: Promise<void>;
  next: unknown;
  hasNext: boolean;
}

/**
 * File-backed store: temp file + fsync + rename, files 0600, directory 0700. `open()` prepares
 * the directory (the constructor does no I/O); a directory that cannot be used keeps state in memory.
 */
export class JsonStateStore implements StateStore {
  private usable: boolean | undefined;
  private readonly memory = new Map<string, unknown>();
  private readonly pending = new Map<string, PendingWrite>();
  /** Documents whose last write failed (full disk…): written again with the next write or flush. */
  private readonly failed = new Map<string, unknown>();
  /** Not writable, but its files can still be read (a read-only mount). */
  private readable = false;
  /** Files whose last write failed: logged once until a write succeeds again. */
  private readonly failing = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  get persistent(): boolean {
    if (this.usable === undefined) throw new Error('JsonStateStore used before open()');
    return this.usable;
  }

  /** Creates the directory (0700) or falls back to memory with one warning; call once before use. */
  async open(): Promise<void> {
    if (this.usable !== undefined) return;
    try {
      await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const st = await fs.promises.stat(this.dir);
      if ((st.mode & 0o077) !== 0) await fs.promises.chmod(this.dir, 0o700);
      await fs.promises.access(this.dir, fs.constants.W_OK);
      const stale = removeStaleTemps(this.dir);
      if (stale > 0)
        this.log.warn(`removed ${stale} temp file(s) an interrupted write left in ${this.dir}`);
      this.usable = true;
    } catch (err) {
      this.usable = false;
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      this.readable = isReadableDir(this.dir);
      this.log.warn(
        this.readable
          ? `state directory ${this.dir} is read-only (${code}): existing state (blocked users, 2FA lockouts ` +
              'and replay guard, webhook bans) is read and enforced, but changes are kept in memory only and ' +
              'lost on restart. Make it writable (a tmpfs in read-only containers).'
          : `state directory ${this.dir} is not usable (${code}); state is kept in memory only and lost on restart. ` +
              'Set TMBOT_STATE_DIR to a writable directory (a tmpfs in read-only containers).',
      );
    }
  }

  private path(name: string): string {
    if (!NAME.test(name)) throw new Error(`invalid state file name: ${name}`);
    return join(this.dir, name);
  }

  read<T>(name: string, guard: (value: unknown) => value is T): T | undefined {
    const file = this.path(name);
    if (!this.persistent) {
      const v = this.memory.get(name);
      if (guard(v)) return v;
      if (!this.readable || this.memory.has(name)) return undefined;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn(`cannot read state file ${file}`, { error: err });
      }
      return undefined;
    }
    try {
      const value: unknown = JSON.parse(text);
      if (guard(value)) return value;
    } catch {
      // fall through to quarantine
    }
    const aside = `${file}.corrupt-${this.clock.now()}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      // If even the rename fails the next write replaces the file anyway.
    }
    this.log.warn(
      `state file ${file} was unreadable and has been moved to ${aside}; starting fresh`,
    );
    return undefined;
  }

  write(name: string, value: unknown): Promise<void> {
    const file = this.path(name);
    if (!this.persistent) {
      this.memory.set(name, value);
      return Promise.resolve();
    }
    this.failed.delete(name);
    this.retryFailed();
    const existing = this.pending.get(name);
    if (existing !== undefined) {
      existing.next = value;
      existing.hasNext = true;
      return existing.running;
    }
    const entry: PendingWrite = { running: Promise.resolve(), next: undefined, hasNext: false };
    entry.running = (async () => {
      let current: unknown = value;
      for (;;) {
        await this.writeAtomic(file, JSON.stringify(current));
        if (!entry.hasNext) break;
        current = entry.next;
        entry.hasNext = false;
      }
      this.pending.delete(name);
      if (this.failing.delete(name)) this.log.info(`state file ${file} is written again`);
    })().catch((err: unknown) => {
      this.pending.delete(name);
      // Kept, so the next write or flush tries again (a full disk may have room by then).
      this.failed.set(name, entry.hasNext ? entry.next : value);
      if (this.failing.has(name)) return;
      this.failing.add(name);
      this.log.warn(`cannot write state file ${file}; will retry`, { error: err });
    });
    this.pending.set(name, entry);
    return entry.running;
  }

  private async writeAtomic(file: string, text: string): Promise<void> {
    await writeFileAtomic(file, text);
  }

  /** Writes the documents whose last write failed, once each (no loop on a disk that stays full). */
  private retryFailed(): void {
    const again = [...this.failed];
    this.failed.clear();
    for (const [name, value] of again) if (!this.pending.has(name)) void this.write(name, value);
  }

  async appendLine(name: string, line: string): Promise<number> {
    const file = this.path(name);
    if (!this.persistent) {
      const prev = this.memory.get(name);
      const text = `${typeof prev === 'string' ? prev : ''}${line}\n`;
      this.memory.set(name, text);
      return Buffer.byteLength(text);
    }
    const handle = await fs.promises.open(file, 'a', 0o600);
    try {
      // A file created by hand or by an older tool with looser bits is tightened.
      if (((await handle.stat()).mode & 0o077) !== 0) await handle.chmod(0o600);
      await handle.appendFile(`${line}\n`, 'utf8');
      return (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  }

  async readText(name: string): Promise<string | undefined> {
    const file = this.path(name);
    if (!this.persistent) {
      const v = this.memory.get(name);
      return typeof v === 'string' ? v : undefined;
    }
    try {
      return await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async rotate(name: string, keep: number): Promise<void> {
    const generation = (g: number): string => (g === 0 ? name : `${name}.${g}`);
    for (let g = keep; g >= 1; g--) {
      const from = this.path(generation(g - 1));
      const to = this.path(generation(g));
      if (!this.persistent) {
        // Like rename(2): a missing source leaves the target as it was.
        const v = this.memory.get(generation(g - 1));
        if (v === undefined) continue;
        this.memory.delete(generation(g - 1));
        this.memory.set(generation(g), v);
        continue;
      }
      try {
        await fs.promises.rename(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  async remove(name: string): Promise<void> {
    const file = this.path(name);
    if (!this.persistent) {
      this.memory.delete(name);
      return;
    }
    await fs.promises.rm(file, { force: true });
  }

  async flush(): Promise<void> {
    this.retryFailed();
    while (this.pending.size > 0) {
      await Promise.all([...this.pending.values()].map((p) => p.running));
    }
  }
}

function isReadableDir(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
