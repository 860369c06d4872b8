import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import { parseSeriesKey } from './series';

/** Where and how to write; from the `influxdb` config section. */
export interface InfluxTarget {
  readonly url: string;
  /** v2: API token. v1: `user:password` for Basic auth, or empty. */
  readonly token: string;
  readonly org: string;
  /** v2: bucket. v1: database, optionally `database/retention-policy`. */
  readonly bucket: string;
  readonly version: 1 | 2;
}

export interface InfluxExporterOptions {
  readonly target: InfluxTarget;
  readonly clock: Clock;
  readonly log: Logger;
  /** Tag added to every point so several bots can share a bucket. */
  readonly hostTag: string;
  /** Oldest lines are dropped beyond this many (bounds memory while InfluxDB is down). */
  readonly maxBacklog?: number;
  readonly batchSize?: number;
  readonly flushEveryMs?: number;
  readonly requestTimeoutMs?: number;
}

const DEFAULT_MAX_BACKLOG = 20_000;
/** 5 000 lines per request was the fastest batching measured against influxd 1.6 (wave2 probe §3). */
const DEFAULT_BATCH = 5_000;
const DEFAULT_FLUSH_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 5_000;
/** Back-off after a failed write doubles up to this (the backlog keeps filling meanwhile). */
const MAX_BACKOFF_MS = 5 * 60_000;

const MEASUREMENTS = {
  host: 'host',
  fs: 'filesystem',
  net: 'network',
  temp: 'temperature',
  ctr: 'container',
};
const SUBJECT_TAG = { host: '', fs: 'mount', net: 'interface', temp: 'sensor', ctr: 'container' };

/** Escapes a tag key or value (line protocol: comma, equals, space; newlines cannot be sent). */
function tag(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[,= \\]/g, (c) => `\\${c}`);
}

/** Line-protocol lines for one sample: one line per measurement and subject, fields grouped. */
export function toLines(
  values: ReadonlyMap<string, number>,
  atMs: number,
  hostTag: string,
): string[] {
  const lines = new Map<string, string[]>();
  for (const [key, value] of values) {
    const parsed = parseSeriesKey(key);
    if (parsed === undefined || !Number.isFinite(value)) continue;
    let head = `tmbot_${MEASUREMENTS[parsed.group]},host=${tag(hostTag)}`;
    if (parsed.subject !== undefined)
      head += `,${SUBJECT_TAG[parsed.group]}=${tag(parsed.subject)}`;
    const fields = lines.get(head) ?? [];
    fields.push(`${tag(parsed.field)}=${value}`);
    lines.set(head, fields);
  }
  return [...lines].map(([head, fields]) => `${head} ${fields.join(',')} ${Math.round(atMs)}`);
}

/** Counters for the health screen and tests. */
export interface InfluxStats {
  readonly backlog: number;
  readonly written: number;
  readonly dropped: number;
  readonly lastError: string | undefined;
}

/**
 * Writes samples to InfluxDB (v2 `/api/v2/write`, or v1 `/write`) in batches
 * off the caller's path: `push` only appends to a bounded backlog; a timer
 * flushes one request at a time with a timeout, backs off after failures and
 * drops the oldest lines when the backlog is full. Never throws to the caller.
 */
export class InfluxExporter {
  private backlog: string[] = [];
  private written = 0;
  private dropped = 0;
  private lastError: string | undefined;
  private timer: Timer | undefined;
  private inFlight: Promise<void> | undefined;
  private backoffMs = 0;
  /** Lines trimmed from the front of the backlog while a request was in flight. */
  private trimmed = 0;
  private retryAt = 0;
  private readonly maxBacklog: number;
  private readonly batchSize: number;

  constructor(private readonly options: InfluxExporterOptions) {
    this.maxBacklog = options.maxBacklog ?? DEFAULT_MAX_BACKLOG;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH;
  }

  start(): void {
    this.timer ??= this.options.clock.setInterval(
      () => void this.flush(),
      this.options.flushEveryMs ?? DEFAULT_FLUSH_MS,
    );
  }

  /** Stops the timer and makes one last bounded attempt to send what is queued. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.inFlight;
    this.retryAt = 0;
    await this.flush();
  }

  push(values: ReadonlyMap<string, number>, atMs: number): void {
    this.backlog.push(...toLines(values, atMs, this.options.hostTag));
    const excess = this.backlog.length - this.maxBacklog;
    if (excess > 0) {
      this.backlog.splice(0, excess);
      this.dropped += excess;
      this.trimmed += excess;
    }
  }

  stats(): InfluxStats {
    return {
      backlog: this.backlog.length,
      written: this.written,
      dropped: this.dropped,
      lastError: this.lastError,
    };
  }

  /** Sends queued lines, one request at a time; resolves when this round is done. */
  flush(): Promise<void> {
    if (this.inFlight !== undefined) return this.inFlight;
    if (this.backlog.length === 0 || this.options.clock.now() < this.retryAt)
      return Promise.resolve();
    this.inFlight = this.sendAll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async sendAll(): Promise<void> {
    while (this.backlog.length > 0) {
      const batch = this.backlog.slice(0, this.batchSize);
      this.trimmed = 0;
      const outcome = await this.send(batch.join('\n'));
      if (outcome === 'retry') {
        this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(1000, this.backoffMs * 2));
        this.retryAt = this.options.clock.now() + this.backoffMs;
        return;
      }
      this.backoffMs = 0;
      // Lines trimmed meanwhile were already counted as dropped.
      this.backlog.splice(0, Math.max(0, batch.length - this.trimmed));
      if (outcome === 'ok') this.written += batch.length;
      else this.dropped += batch.length;
    }
  }

  /** One POST; 'drop' for a rejection retrying cannot fix (bad data, auth, no such bucket). */
  private async send(body: string): Promise<'ok' | 'retry' | 'drop'> {
    const { url, headers } = writeRequest(this.options.target);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      const text = (await res.text()).slice(0, 300);
      if (res.ok) return 'ok';
      this.fail(`InfluxDB answered ${res.status}: ${text.trim()}`);
      return res.status === 429 || res.status >= 500 ? 'retry' : 'drop';
    } catch (err) {
      const cause = (err as { cause?: { code?: unknown } }).cause?.code;
      this.fail(
        `InfluxDB unreachable (${typeof cause === 'string' ? cause : err instanceof Error ? err.name : 'error'})`,
      );
      return 'retry';
    }
  }

  private fail(message: string): void {
    if (message !== this.lastError)
      this.options.log.warn(message, { backlog: this.backlog.length });
    this.lastError = message;
  }
}

/** The write URL and headers for a target; the token goes in a header, never in the URL. */
export function writeRequest(target: InfluxTarget): {
  url: string;
  headers: Record<string, string>;
} {
  const base = target.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (target.version === 2) {
    const q = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: 'ms' });
    if (target.token !== '') headers.Authorization = `Token ${target.token}`;
    return { url: `${base}/api/v2/write?${q.toString()}`, headers };
  }
  const [db = '', rp] = target.bucket.split('/', 2);
  const q = new URLSearchParams({ db, precision: 'ms' });
  if (rp !== undefined && rp !== '') q.set('rp', rp);
  if (target.token !== '')
    headers.Authorization = `Basic ${Buffer.from(target.token).toString('base64')}`;
  return { url: `${base}/write?${q.toString()}`, headers };
}
