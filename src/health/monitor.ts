import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import {
  DEFAULT_CHECK_TIMEOUT_MS,
  HEALTH_LEVELS,
  overallLevel,
  type CheckOutcome,
  type ComponentStatus,
  type HealthChecker,
  type HealthLevel,
  type HealthRegistry,
  type HealthSnapshot,
} from './types';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_SUMMARY = 300;
/** Bounds on the scheduler's sleep: wake often enough to notice new checkers, never spin. */
const MIN_TICK_MS = 20;
const MAX_TICK_MS = 5_000;

interface Entry {
  readonly checker: HealthChecker;
  status: ComponentStatus;
  dueAt: number;
  running: Promise<void> | undefined;
}

export interface HealthMonitorDeps {
  clock: Clock;
  log: Logger;
}

/**
 * Runs every registered checker on its own interval, keeps the latest result of each and
 * derives the overall level (the worst component, pyTMBot's 70 % rule applied) with reasons. Checks never throw out of
 * here: a failure or a timeout is a result. Level changes are logged once.
 */
export class HealthMonitor implements HealthRegistry {
  private readonly entries = new Map<string, Entry>();
  private timer: Timer | undefined;
  private running = false;
  private lastOverall: HealthLevel | undefined;
  private firstRound: Promise<void> | undefined;

  constructor(private readonly deps: HealthMonitorDeps) {}

  register(checker: HealthChecker): void {
    if (!NAME.test(checker.name)) throw new Error(`invalid health checker name: ${checker.name}`);
    if (this.entries.has(checker.name))
      throw new Error(`health checker ${checker.name} is registered twice`);
    if (!(checker.intervalMs > 0))
      throw new Error(`health checker ${checker.name} needs a positive interval`);
    this.entries.set(checker.name, {
      checker,
      status: {
        name: checker.name,
        label: checker.label,
        level: 'healthy',
        summary: 'not checked yet',
        latencyMs: undefined,
        checkedAt: 0,
      },
      dueAt: 0,
      running: undefined,
    });
    if (this.running) this.schedule(0);
  }

  /** Names of the registered checkers, in registration order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** Runs every checker whose interval has run out (and is not already running). */
  async runDue(): Promise<void> {
    const now = this.deps.clock.now();
    const due = [...this.entries.values()].filter((e) => e.dueAt <= now && e.running === undefined);
    await Promise.all(due.map((e) => this.run(e)));
  }

  /**
   * Re-runs the checks whose result is older than `maxAgeMs`, waiting at most `waitMs` for
   * them, and returns the snapshot as it is then (slow checks land in a later snapshot).
   */
  async refresh(maxAgeMs: number, waitMs: number): Promise<HealthSnapshot> {
    const now = this.deps.clock.now();
    const work = [...this.entries.values()]
      .filter((e) => e.running !== undefined || now - e.status.checkedAt >= maxAgeMs)
      .map((e) => e.running ?? this.run(e));
    if (work.length > 0) {
      let timer: Timer | undefined;
      await Promise.race([
        Promise.all(work),
        new Promise<void>((resolve) => {
          timer = this.deps.clock.setTimeout(resolve, waitMs);
        }),
      ]);
      timer?.cancel();
    }
    return this.snapshot();
  }

  snapshot(): HealthSnapshot {
    const components = [...this.entries.values()].map((e) => e.status);
    const checked = components.filter((c) => c.checkedAt > 0);
    const rank = (l: HealthLevel): number => HEALTH_LEVELS.indexOf(l);
    const reasons = checked
      .filter((c) => c.level !== 'healthy')
      .sort((a, b) => rank(b.level) - rank(a.level))
      .map((c) => `${c.label}: ${c.summary}`);
    return {
      overall: overallLevel(checked.map((c) => c.level)),
      reasons,
      components,
      checkedAt: checked.reduce((max, c) => Math.max(max, c.checkedAt), 0),
    };
  }

  /** Starts checking in the background; the first round starts at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.firstRound = this.runDue();
    void this.firstRound.then(() => this.schedule(this.nextDelay()));
  }

  /** Settles once every checker registered before start() has a first result. */
  async ready(): Promise<void> {
    await this.firstRound;
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    for (const e of this.entries.values()) e.checker.close?.();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer?.cancel();
    // Clock timers never keep the process alive, so health checks alone do not either.
    this.timer = this.deps.clock.setTimeout(() => {
      void this.runDue().then(() => this.schedule(this.nextDelay()));
    }, delayMs);
  }

  private nextDelay(): number {
    const now = this.deps.clock.now();
    let next = Infinity;
    for (const e of this.entries.values())
      if (e.running === undefined) next = Math.min(next, e.dueAt - now);
    return Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, next));
  }

  private run(entry: Entry): Promise<void> {
    const { checker } = entry;
    const timeoutMs = checker.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const abort = new AbortController();
    let timer: Timer | undefined;
    const timedOut = new Promise<CheckOutcome>((resolve) => {
      timer = this.deps.clock.setTimeout(() => {
        abort.abort();
        resolve({ level: 'unhealthy', summary: `no answer within ${formatSeconds(timeoutMs)}` });
      }, timeoutMs);
    });
    const outcome = Promise.race([checker.check(abort.signal), timedOut]).catch(
      (err: unknown): CheckOutcome => {
        // The error's own text may carry internals; people see a fixed line, the log has the details.
        this.deps.log.warn(`health check ${checker.name} failed`, { error: err });
        return { level: 'unhealthy', summary: 'the check itself failed (details in the log)' };
      },
    );
    entry.running = outcome.then((o) => {
      timer?.cancel();
      const at = this.deps.clock.now();
      entry.status = {
        name: checker.name,
        label: checker.label,
        level: o.level,
        summary:
          o.summary.length > MAX_SUMMARY ? `${o.summary.slice(0, MAX_SUMMARY - 1)}…` : o.summary,
        latencyMs: o.latencyMs,
        checkedAt: at,
      };
      entry.dueAt = at + checker.intervalMs;
      entry.running = undefined;
      this.noteOverall();
    });
    return entry.running;
  }

  private noteOverall(): void {
    const snap = this.snapshot();
    if (snap.overall === this.lastOverall) return;
    const first = this.lastOverall === undefined;
    this.lastOverall = snap.overall;
    if (first && snap.overall === 'healthy') return;
    const detail = snap.reasons.length > 0 ? `: ${snap.reasons.join('; ')}` : '';
    const line = `health is now ${snap.overall}${detail}`;
    if (snap.overall === 'healthy') this.deps.log.info(line);
    else this.deps.log.warn(line);
  }
}

/** "500 ms", "10 s". */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}
