import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { DelayedWrite } from '../state/delayed-write';
import type { StateStore } from '../state/json-store';

/** What a callback token stands for. */
export interface CallbackEntry {
  readonly userId: number;
  readonly action: string;
  readonly args: readonly string[];
  readonly expiresAt: number;
}

export type Resolution =
  | { readonly ok: true; readonly entry: CallbackEntry }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'foreign' };

const FILE = 'callbacks.json';
/** Tokens are 12 base64url chars (72 random bits): unguessable and far below 64 bytes. */
const TOKEN_BYTES = 9;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{12}$/;

interface Persisted {
  v: 1;
  entries: [string, CallbackEntry][];
}

const isPersisted = (v: unknown): v is Persisted =>
  typeof v === 'object' &&
  v !== null &&
  (v as Persisted).v === 1 &&
  Array.isArray((v as Persisted).entries);

/**
 * Maps opaque callback_data tokens to actions server-side, bound to the user the
 * button was sent to. The same (user, action, args) reuses its token, so an
 * unchanged screen renders identical markup. Bounded; oldest entries go first.
 */
export class CallbackStore {
  private readonly byToken = new Map<string, CallbackEntry>();
  private readonly byKey = new Map<string, string>();
  private readonly saving: DelayedWrite;

  constructor(
    private readonly clock: Clock,
    private readonly store: StateStore,
    private readonly options: { ttlMs: number; maxEntries: number; saveDelayMs?: number } = {
      ttlMs: 48 * 3600_000,
      maxEntries: 20_000,
    },
  ) {
    this.saving = new DelayedWrite(clock, options.saveDelayMs ?? 1000, () =>
      this.store.write(FILE, { v: 1, entries: [...this.byToken.entries()] } satisfies Persisted),
    );
  }

  /** Reads the tokens saved by the previous run; call once before use. */
  load(): void {
    const saved = this.store.read(FILE, isPersisted);
    const now = this.clock.now();
    for (const pair of saved?.entries ?? []) {
      // A damaged file must not stop the daemon: anything but a valid [token, entry] pair is skipped.
      if (!Array.isArray(pair)) continue;
      const [token, e] = pair as [unknown, Partial<CallbackEntry> | null | undefined];
      if (
        typeof token === 'string' &&
        TOKEN_SHAPE.test(token) &&
        typeof e?.userId === 'number' &&
        typeof e.action === 'string' &&
        Array.isArray(e.args) &&
        e.args.every((a) => typeof a === 'string') &&
        typeof e.expiresAt === 'number' &&
        e.expiresAt > now
      ) {
        this.put(token, {
          userId: e.userId,
          action: e.action,
          args: e.args,
          expiresAt: e.expiresAt,
        });
      }
    }
  }

  private static key(userId: number, action: string, args: readonly string[]): string {
    return JSON.stringify([userId, action, args]);
  }

  private put(token: string, entry: CallbackEntry): void {
    this.byToken.set(token, entry);
    this.byKey.set(CallbackStore.key(entry.userId, entry.action, entry.args), token);
    while (this.byToken.size > this.options.maxEntries) {
      const oldest = this.byToken.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  private remove(token: string): void {
    const e = this.byToken.get(token);
    if (e === undefined) return;
    this.byToken.delete(token);
    this.byKey.delete(CallbackStore.key(e.userId, e.action, e.args));
  }

  /** A token for this button, valid for the store's TTL. */
  issue(userId: number, action: string, args: readonly string[] = []): string {
    const key = CallbackStore.key(userId, action, args);
    const now = this.clock.now();
    const existing = this.byKey.get(key);
    const entry: CallbackEntry = {
      userId,
      action,
      args: [...args],
      expiresAt: now + this.options.ttlMs,
    };
    if (existing !== undefined && (this.byToken.get(existing)?.expiresAt ?? 0) > now) {
      // Refresh the lifetime and move it to the young end.
      this.byToken.delete(existing);
      this.put(existing, entry);
      this.saving.schedule();
      return existing;
    }
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    this.put(token, entry);
    this.saving.schedule();
    return token;
  }

  /** Looks a pressed token up for `userId`. Anything malformed is simply unknown. */
  resolve(data: unknown, userId: number): Resolution {
    if (typeof data !== 'string' || !TOKEN_SHAPE.test(data))
      return { ok: false, reason: 'unknown' };
    const entry = this.byToken.get(data);
    if (entry === undefined) return { ok: false, reason: 'unknown' };
    if (entry.expiresAt <= this.clock.now()) {
      this.remove(data);
      return { ok: false, reason: 'expired' };
    }
    if (entry.userId !== userId) return { ok: false, reason: 'foreign' };
    return { ok: true, entry };
  }

  get size(): number {
    return this.byToken.size;
  }

  /** Writes pending changes now (shutdown). */
  save(): Promise<void> {
    return this.saving.now();
  }
}
