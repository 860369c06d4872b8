import { isoTime, type Clock, type Timer } from '../clock';
import type { ReportConfig } from '../config/report';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import { latestOccurrence, type Slot } from './schedule';

export type ReportKind = 'daily' | 'weekly';

/** Where each kind's last report is remembered: the scheduled instant it was for. */
export const REPORT_STATE_FILE = 'report.json';
/** How often the schedule is looked at: a report goes out within this of its time. */
export const CHECK_MS = 30_000;
/** A report whose time passed while the daemon was down is still sent within this. */
export const GRACE_MS = 3600_000;
const PERIOD_MS: Record<ReportKind, number> = { daily: 86_400_000, weekly: 7 * 86_400_000 };

interface Persisted {
  v: 1;
  daily?: number;
  weekly?: number;
}

const isPersisted = (v: unknown): v is Persisted =>
  typeof v === 'object' && v !== null && (v as Persisted).v === 1;
const finite = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

export interface ReportSchedulerDeps {
  readonly config: ReportConfig;
  readonly clock: Clock;
  readonly store: StateStore;
  readonly log: Logger;
  /** Builds and sends one report covering `fromMs`..`toMs`; rejects when nobody got it. */
  send(kind: ReportKind, fromMs: number, toMs: number): Promise<void>;
}

/**
 * Sends the daily and weekly reports at their local time in the configured time zone
 * (through the injected Clock), once per occurrence: the occurrence sent is persisted, so
 * a restart never repeats it, and one missed while the daemon was down goes out when it
 * is back within {@link GRACE_MS}. A failed send is tried again at the next check.
 */
export class ReportScheduler {
  private readonly last: Partial<Record<ReportKind, number>> = {};
  private timer: Timer | undefined;
  private busy = false;

  constructor(private readonly deps: ReportSchedulerDeps) {}

  private slots(): [ReportKind, Slot][] {
    const { daily, weekly } = this.deps.config;
    return [
      ...(daily !== undefined ? [['daily', { minute: daily }] as [ReportKind, Slot]] : []),
      ...(weekly !== undefined
        ? [['weekly', { minute: weekly.minute, weekday: weekly.weekday }] as [ReportKind, Slot]]
        : []),
    ];
  }

  start(): void {
    if (this.timer !== undefined || this.slots().length === 0) return;
    const saved = this.deps.store.read(REPORT_STATE_FILE, isPersisted);
    const now = this.deps.clock.now();
    for (const [kind, slot] of this.slots()) {
      // First run: nothing is due until the next occurrence after now.
      this.last[kind] =
        finite(saved?.[kind]) ?? latestOccurrence(now, slot, this.deps.config.timeZone);
    }
    void this.save();
    this.timer = this.deps.clock.setInterval(() => void this.check(), CHECK_MS);
    void this.check();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Sends what is due now; the interval calls it, tests may too. */
  async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const [kind, slot] of this.slots()) await this.maybeSend(kind, slot);
    } finally {
      this.busy = false;
    }
  }

  private async maybeSend(kind: ReportKind, slot: Slot): Promise<void> {
    const now = this.deps.clock.now();
    const at = latestOccurrence(now, slot, this.deps.config.timeZone);
    const last = this.last[kind] ?? Number.NEGATIVE_INFINITY;
    if (at <= last) return;
    if (now - at > GRACE_MS) {
      this.deps.log.info(`${kind} report of ${isoTime(at)} skipped: too late`);
      this.last[kind] = at;
      await this.save();
      return;
    }
    try {
      await this.deps.send(kind, at - PERIOD_MS[kind], now);
      this.last[kind] = at;
      await this.save();
    } catch (err) {
      this.deps.log.warn(`${kind} report not sent; trying again shortly`, { error: err });
    }
  }

  private save(): Promise<void> {
    const doc: Persisted = { v: 1, ...this.last };
    return this.deps.store.write(REPORT_STATE_FILE, doc);
  }
}
