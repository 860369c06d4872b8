import { isoTime, type Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
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
  /** Where `audit.jsonl` lives (in memory when the state dir is not writable). */
  readonly store: StateStore;
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
 * `audit.jsonl` in the state store: one JSON object per line, mode 0600,
 * rotated by size so it can never fill the disk. Appends are serialised, so a
 * rotation never races a write. A failing disk is logged, never thrown: the
 * action being audited has already happened.
 */
export class JsonlAuditLog implements AuditTrail {
  private chain: Promise<void> = Promise.resolve();
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(private readonly options: AuditLogOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
  }

  private static file(generation: number): string {
    return generation === 0 ? AUDIT_FILE : `${AUDIT_FILE}.${generation}`;
  }

  record(entry: AuditEntry): Promise<void> {
    const record: AuditRecord = {
      time: isoTime(this.options.clock.now()),
      userId: entry.userId,
      action: clipField(entry.action),
      ...(entry.target !== undefined && entry.target !== ''
        ? { target: clipField(entry.target) }
        : {}),
      outcome: entry.outcome,
      ...(entry.detail !== undefined ? { detail: clipField(entry.detail) } : {}),
    };
    const line = JSON.stringify(record);
    this.chain = this.chain
      .then(() => this.append(line))
      .catch((err: unknown) =>
        this.options.log.error('cannot write the audit log', { error: err }),
      );
    return this.chain;
  }

  private async append(line: string): Promise<void> {
    const { store } = this.options;
    const size = await store.appendLine(AUDIT_FILE, line);
    if (size >= this.maxBytes) await store.rotate(AUDIT_FILE, this.keep);
  }

  async recent(limit: number): Promise<AuditRecord[]> {
    await this.chain;
    const out: AuditRecord[] = [];
    for (let g = 0; g <= this.keep && out.length < limit; g++) {
      const text = await this.options.store.readText(JsonlAuditLog.file(g));
      if (text === undefined) continue;
      const records = text
        .split('\n')
        .map(parseAuditLine)
        .filter((r): r is AuditRecord => r !== undefined);
      out.unshift(...records.slice(-(limit - out.length)));
    }
    return out;
  }
}
