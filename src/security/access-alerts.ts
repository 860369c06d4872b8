import type { Clock } from '../clock';

/** Budgets for what strangers cause: admin alerts and replies to them. */
export interface StrangerBudgets {
  /** Immediate admin alerts per window; beyond, users are collected into one digest. */
  alertsPerWindow: number;
  windowMs: number;
  /** Ids kept for the digest (the rest are counted). */
  digestIds: number;
  /** Replies to strangers per `replyWindowMs`, for all strangers together; beyond, dropped. */
  repliesPerWindow: number;
  replyWindowMs: number;
}

export const DEFAULT_STRANGER_BUDGETS: StrangerBudgets = {
  alertsPerWindow: 5,
  windowMs: 300_000,
  digestIds: 20,
  repliesPerWindow: 20,
  replyWindowMs: 10_000,
};

/** What the digest says: how many unknown users knocked, and the first ids. */
export interface StrangerDigest {
  readonly users: number;
  readonly ids: readonly number[];
  readonly windowMinutes: number;
}

/**
 * Bounds the admin chat and the send path against a crowd of strangers: a few alerts per
 * window go out at once, the rest become one digest at the end of the window; replies to
 * strangers share one small budget and are dropped past it. State is a few counters and at
 * most `digestIds` ids, so memory stays flat whatever the crowd.
 */
export class StrangerThrottle {
  private windowStart = -Infinity;
  private alerts = 0;
  private readonly pending: number[] = [];
  private pendingUsers = 0;
  private replyTokens: number;
  private replyAt: number;
  private timer: { cancel: () => void } | undefined;

  constructor(
    private readonly deps: { clock: Clock; sendDigest: (d: StrangerDigest) => void },
    private readonly budgets: StrangerBudgets = DEFAULT_STRANGER_BUDGETS,
  ) {
    this.replyTokens = budgets.repliesPerWindow;
    this.replyAt = deps.clock.now();
  }

  /** True when this stranger's alert may go out now; false when it went into the digest. */
  alertNow(userId: number): boolean {
    const now = this.deps.clock.now();
    if (now - this.windowStart >= this.budgets.windowMs) {
      this.windowStart = now;
      this.alerts = 0;
    }
    if (this.alerts < this.budgets.alertsPerWindow) {
      this.alerts++;
      return true;
    }
    if (this.pending.length < this.budgets.digestIds) this.pending.push(userId);
    this.pendingUsers++;
    if (this.timer === undefined) {
      const wait = Math.max(0, this.windowStart + this.budgets.windowMs - now);
      this.timer = this.deps.clock.setTimeout(() => this.flush(), wait);
    }
    return false;
  }

  /** True when a reply to a stranger may be sent now (a global token bucket). */
  replyNow(): boolean {
    const now = this.deps.clock.now();
    const cap = this.budgets.repliesPerWindow;
    this.replyTokens = Math.min(
      cap,
      this.replyTokens + ((now - this.replyAt) * cap) / this.budgets.replyWindowMs,
    );
    this.replyAt = now;
    if (this.replyTokens < 1) return false;
    this.replyTokens -= 1;
    return true;
  }

  /** Sends the digest of what was held back, if anything. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.pendingUsers === 0) return;
    const digest: StrangerDigest = {
      users: this.pendingUsers,
      ids: [...this.pending],
      windowMinutes: Math.round(this.budgets.windowMs / 60_000),
    };
    this.pending.length = 0;
    this.pendingUsers = 0;
    this.deps.sendDigest(digest);
  }
}
