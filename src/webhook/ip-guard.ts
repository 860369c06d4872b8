import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';

/** Limits per client key (an IPv4 address or an IPv6 /64; see `limiterKey`). */
export interface IpGuardOptions {
  /** Requests per window that reach the path check (a token bucket: this burst, refilled over the window). */
  limit: number;
  /** Requests per window to unknown paths, counted on top of `limit`. */
  unknownPathLimit: number;
  windowMs: number;
  /** Rejected requests within `banWindowMs` that get the key banned. */
  banThreshold: number;
  banWindowMs: number;
  banMs: number;
  /** Keys tracked at most; the least recently seen is forgotten first, so a flood of addresses cannot grow memory. */
  maxTracked: number;
  /** Bans kept at most; the oldest goes first. */
  maxBans: number;
}

export const DEFAULT_IP_GUARD: IpGuardOptions = {
  limit: 10,
  unknownPathLimit: 5,
  windowMs: 10_000,
  banThreshold: 50,
  banWindowMs: 600_000,
  banMs: 3_600_000,
  maxTracked: 4096,
  maxBans: 10_000,
};

interface Bucket {
  tokens: number;
  at: number;
}

interface Entry {
  main: Bucket;
  unknown: Bucket;
  strikes: number;
  strikesSince: number;
}

interface BanFile {
  version: 1;
  /** [key, banned-until ms] */
  bans: [string, number][];
}

const STATE_FILE = 'webhook-bans.json';
const KEY_SHAPE = /^[0-9a-f.:/]{2,64}$/;

function isBanFile(value: unknown): value is BanFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<BanFile>;
  return (
    v.version === 1 &&
    Array.isArray(v.bans) &&
    v.bans.every(
      (b) =>
        Array.isArray(b) &&
        b.length === 2 &&
        typeof b[0] === 'string' &&
        KEY_SHAPE.test(b[0]) &&
        typeof b[1] === 'number' &&
        Number.isFinite(b[1]),
    )
  );
}

/**
 * Per-client rate limits, strikes and bans for the webhook server. Every rejected
 * request is a strike; `banThreshold` strikes inside `banWindowMs` ban the key for
 * `banMs`. Bans are saved through the state store and survive restarts.
 */
export class IpGuard {
  private readonly entries = new Map<string, Entry>();
  private readonly bans = new Map<string, number>();

  constructor(
    private readonly options: IpGuardOptions,
    private readonly deps: { clock: Clock; store: StateStore; log: Logger },
  ) {
    const saved = deps.store.read(STATE_FILE, isBanFile);
    const now = deps.clock.now();
    for (const [key, until] of saved?.bans ?? []) {
      if (until > now) this.bans.set(key, until);
    }
    if (this.bans.size > 0)
      deps.log.info(`${this.bans.size} webhook ban(s) restored from the state dir`);
  }

  /** Keys currently tracked (bounded by `maxTracked`). */
  get tracked(): number {
    return this.entries.size;
  }

  /** Bans currently held, expired ones included until they are next looked at. */
  get banCount(): number {
    return this.bans.size;
  }

  /** Whether `key` is banned now; forgets an expired ban. */
  isBanned(key: string): boolean {
    const until = this.bans.get(key);
    if (until === undefined) return false;
    if (until > this.deps.clock.now()) return true;
    this.bans.delete(key);
    return false;
  }

  /** Takes one request from the key's budget: `main` for every request, `unknown` for unknown paths. */
  take(key: string, budget: 'main' | 'unknown'): boolean {
    const now = this.deps.clock.now();
    const entry = this.entry(key, now);
    const bucket = budget === 'main' ? entry.main : entry.unknown;
    const capacity = budget === 'main' ? this.options.limit : this.options.unknownPathLimit;
    const refilled = bucket.tokens + ((now - bucket.at) * capacity) / this.options.windowMs;
    bucket.tokens = Math.min(capacity, Math.max(0, refilled));
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Records a rejected request; true when this strike banned the key. */
  strike(key: string): boolean {
    const now = this.deps.clock.now();
    const entry = this.entry(key, now);
    if (now - entry.strikesSince >= this.options.banWindowMs) {
      entry.strikes = 0;
      entry.strikesSince = now;
    }
    entry.strikes++;
    if (entry.strikes < this.options.banThreshold) return false;
    this.entries.delete(key);
    this.bans.delete(key);
    this.bans.set(key, now + this.options.banMs);
    while (this.bans.size > this.options.maxBans) {
      const oldest = this.bans.keys().next().value;
      if (oldest === undefined) break;
      this.bans.delete(oldest);
    }
    void this.save();
    return true;
  }

  /** Writes the live bans to the state dir. */
  save(): Promise<void> {
    const now = this.deps.clock.now();
    const bans = [...this.bans].filter(([, until]) => until > now);
    const doc: BanFile = { version: 1, bans };
    return this.deps.store.write(STATE_FILE, doc);
  }

  private entry(key: string, now: number): Entry {
    let entry = this.entries.get(key);
    if (entry !== undefined) {
      // Re-insert so the map's order is least recently seen first.
      this.entries.delete(key);
    } else {
      entry = {
        main: { tokens: this.options.limit, at: now },
        unknown: { tokens: this.options.unknownPathLimit, at: now },
        strikes: 0,
        strikesSince: now,
      };
      if (this.entries.size >= this.options.maxTracked) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    this.entries.set(key, entry);
    return entry;
  }
}
