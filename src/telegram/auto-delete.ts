import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';

interface Pending {
  chatId: number;
  messageId: number;
  at: number;
}

interface Persisted {
  v: 1;
  pending: Pending[];
}

const FILE = 'auto-delete.json';
/** Enough for every privacy-sensitive message a busy admin team produces; oldest go first. */
const MAX_PENDING = 10_000;

const isPersisted = (v: unknown): v is Persisted =>
  typeof v === 'object' &&
  v !== null &&
  (v as Persisted).v === 1 &&
  Array.isArray((v as Persisted).pending);

const isPending = (p: unknown): p is Pending =>
  typeof p === 'object' &&
  p !== null &&
  Number.isSafeInteger((p as Pending).chatId) &&
  Number.isSafeInteger((p as Pending).messageId) &&
  Number.isFinite((p as Pending).at);

/**
 * Deletes messages after a delay (ID cards, QR codes, log files). The schedule is
 * persisted, so a restart still deletes what was promised; overdue ones go at start.
 */
export class AutoDeleteScheduler {
  private pending: Pending[] = [];
  private timer: Timer | undefined;
  private running = false;
  /** Whether the saved schedule has been read: until then a write would overwrite it. */
  private loaded = false;

  constructor(
    private readonly deleteMessage: (chatId: number, messageId: number) => Promise<boolean>,
    private readonly clock: Clock,
    private readonly store: StateStore,
    private readonly log: Logger,
  ) {}

  /** Picks up the schedule saved by the previous run (overdue ones go at start); idempotent. */
  load(): void {
    if (this.loaded) return;
    const saved = (this.store.read(FILE, isPersisted)?.pending ?? []).filter(isPending);
    const early = this.pending.length;
    this.pending = [...saved, ...this.pending].sort((a, b) => a.at - b.at);
    this.loaded = true;
    if (early > 0) void this.persist();
  }

  /** Loads (if not yet) and arms the timer. */
  start(): void {
    this.load();
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Promises to delete a message `delayMs` from now. */
  schedule(chatId: number, messageId: number, delayMs: number): void {
    this.pending.push({ chatId, messageId, at: this.clock.now() + delayMs });
    this.pending.sort((a, b) => a.at - b.at);
    if (this.pending.length > MAX_PENDING)
      this.pending.splice(0, this.pending.length - MAX_PENDING);
    void this.persist();
    this.arm();
  }

  get size(): number {
    return this.pending.length;
  }

  private persist(): Promise<void> {
    if (!this.loaded) return Promise.resolve();
    return this.store.write(FILE, { v: 1, pending: this.pending } satisfies Persisted);
  }

  private arm(): void {
    if (!this.running) return;
    this.timer?.cancel();
    this.timer = undefined;
    const next = this.pending[0];
    if (next === undefined) return;
    const delay = Math.max(0, Math.min(next.at - this.clock.now(), 2 ** 31 - 1));
    this.timer = this.clock.setTimeout(() => void this.runDue(), delay);
  }

  private async runDue(): Promise<void> {
    this.timer = undefined;
    const now = this.clock.now();
    const due = this.pending.filter((p) => p.at <= now);
    this.pending = this.pending.filter((p) => p.at > now);
    for (const p of due) {
      try {
        await this.deleteMessage(p.chatId, p.messageId);
      } catch (err) {
        this.log.warn('auto-delete failed', {
          chatId: p.chatId,
          messageId: p.messageId,
          error: err,
        });
      }
    }
    if (due.length > 0) await this.persist();
    this.arm();
  }
}
