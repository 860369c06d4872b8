import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { AuditEntry, AuditLog, AuditOutcome } from './second-factor';

/** One line of the audit log as written: the entry plus its time (ISO 8601, UTC). */
export interface AuditRecord extends AuditEntry {
  readonly time: string;
}

/** The audit log as /audit reads it. */
export interface AuditTrail extends AuditLog {
  /** The newest `limit` records, oldest first. */
  recent(limit: number): Promise<AuditRecord[]>;
}

export interface AuditLogOptions {
  /** The state directory; undefined keeps records in memory (state dir not writable). */
  readonly dir: string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  /** Size at which `audit.jsonl` is rotated to `audit.jsonl.1`. */
  readonly maxBytes?: number;
  /** Rotated files kept (`.1` … `.N`); older ones are deleted. */
  readonly keep?: number;
}

export const AUDIT_FILE = 'audit.jsonl';
const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_KEEP = 3;
/** Fields are clipped so a hostile container name cannot bloat the log. */
const MAX_FIELD = 200;
const MEMORY_RECORDS = 500;
const OUTCOMES: readonly AuditOutcome[] = ['ok', 'failed', 'denied', 'prompted', 'blocked'];

const clipField = (s: string): string =>
  s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD - 1)}…` : s;

/** Parses one line back into a record; undefined for anything malformed. */
export function parseAuditLine(line: string): AuditRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (
    typeof r.time !== 'string' ||
    !Number.isSafeInteger(r.userId) ||
    typeof r.action !== 'string' ||
    !OUTCOMES.includes(r.outcome as AuditOutcome) ||
    (r.target !== undefined && typeof r.target !== 'string') ||
    (r.detail !== undefined && typeof r.detail !== 'string')
  ) {
    return undefined;
  }
  return {
    time: r.time,
    userId: r.userId as number,
    action: r.action,
    outcome: r.outcome as AuditOutcome,
    ...(typeof r.target === 'string' ? { target: r.target } : {}),
    ...(typeof r.detail === 'string' ? { detail: r.detail } : {}),
  };
}

/**
 * `audit.jsonl` in the state directory: one JSON object per line, mode 0600,
 * rotated by size so it can never fill the disk. Appends are serialised, so a
 * rotation never races a write. A failing disk is logged, never thrown: the
 * action being audited has already happened.
 */
export class JsonlAuditLog implements AuditTrail {
  private chain: Promise<void> = Promise.resolve();
  private readonly memory: AuditRecord[] = [];
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(private readonly options: AuditLogOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
  }

  private file(generation = 0): string {
    const dir = this.options.dir ?? '';
    return join(dir, generation === 0 ? AUDIT_FILE : `${AUDIT_FILE}.${generation}`);
  }

  record(entry: AuditEntry): Promise<void> {
    const record: AuditRecord = {
      time: new Date(this.options.clock.now()).toISOString(),
      userId: entry.userId,
      action: clipField(entry.action),
      ...(entry.target !== undefined && entry.target !== ''
        ? { target: clipField(entry.target) }
        : {}),
      outcome: entry.outcome,
      ...(entry.detail !== undefined ? { detail: clipField(entry.detail) } : {}),
    };
    if (this.options.dir === undefined) {
      this.memory.push(record);
      if (this.memory.length > MEMORY_RECORDS)
        this.memory.splice(0, this.memory.length - MEMORY_RECORDS);
      return Promise.resolve();
    }
    const line = `${JSON.stringify(record)}\n`;
    this.chain = this.chain
      .then(() => this.append(line))
      .catch((err: unknown) =>
        this.options.log.error('cannot write the audit log', { error: err }),
      );
    return this.chain;
  }

  private async append(line: string): Promise<void> {
    const file = this.file();
    const handle = await fs.promises.open(file, 'a', 0o600);
    try {
      const st = await handle.stat();
      // A file created by hand or by an older tool with looser bits is tightened.
      if ((st.mode & 0o077) !== 0) await handle.chmod(0o600);
      await handle.appendFile(line, 'utf8');
      if (st.size + Buffer.byteLength(line) < this.maxBytes) return;
    } finally {
      await handle.close();
    }
    await this.rotate();
  }

  private async rotate(): Promise<void> {
    for (let g = this.keep; g >= 1; g--) {
      const from = this.file(g - 1);
      const to = this.file(g);
      try {
        await fs.promises.rename(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  async recent(limit: number): Promise<AuditRecord[]> {
    if (this.options.dir === undefined) return this.memory.slice(-limit);
    await this.chain;
    const out: AuditRecord[] = [];
    for (let g = 0; g <= this.keep && out.length < limit; g++) {
      let text: string;
      try {
        text = await fs.promises.readFile(this.file(g), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const records = text
        .split('\n')
        .map(parseAuditLine)
        .filter((r): r is AuditRecord => r !== undefined);
      out.unshift(...records.slice(-(limit - out.length)));
    }
    return out;
  }
}
