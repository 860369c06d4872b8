import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock, Timer } from '../../clock';

/** Timer period of the probe; a stall is what a tick arrives later than this. */
const RESOLUTION_MS = 2;

export interface LoopDelaySummary {
  /** Worst stall: the longest tick minus the timer period, in ms (wall clock). */
  readonly maxStallMs: number;
  /** 99th percentile tick length minus the timer period, in ms. */
  readonly p99StallMs: number;
  /**
   * Most main-thread CPU time spent between two ticks, in ms: the longest
   * stretch this process itself kept the loop busy. Unlike the wall-clock
   * figure it does not grow when a shared machine preempts the process.
   * Undefined where the runtime has no process.threadCpuUsage().
   */
  readonly maxBusyMs: number | undefined;
  readonly ticks: number;
}

/**
 * Measures how long the event loop was held: perf_hooks' monitorEventLoopDelay
 * for the wall clock, plus the main thread's CPU time between ticks. The
 * histogram is never reset while running: a reset drops the tick in progress,
 * which would hide the very stall being measured.
 */
export class LoopDelayProbe {
  private histogram: IntervalHistogram | undefined;
  private timer: Timer | undefined;
  private maxBusyMicros: number | undefined;

  constructor(private readonly clock: Clock) {}

  start(): void {
    this.histogram ??= monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    // threadCpuUsage arrived in Node 23.9; on older runtimes only the wall clock is measured.
    if (this.timer !== undefined || typeof process.threadCpuUsage !== 'function') return;
    let last = process.threadCpuUsage();
    this.maxBusyMicros = 0;
    this.timer = this.clock.setInterval(() => {
      const now = process.threadCpuUsage();
      const busy = now.user - last.user + (now.system - last.system);
      this.maxBusyMicros = Math.max(this.maxBusyMicros ?? 0, busy);
      last = now;
    }, RESOLUTION_MS);
  }

  summary(): LoopDelaySummary | undefined {
    const h = this.histogram;
    if (h === undefined || h.count === 0) return undefined;
    const stall = (ns: number): number =>
      Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
    return {
      maxStallMs: stall(h.max),
      p99StallMs: stall(h.percentile(99)),
      maxBusyMs:
        this.maxBusyMicros === undefined ? undefined : Math.round(this.maxBusyMicros / 100) / 10,
      ticks: h.count,
    };
  }

  stop(): void {
    this.histogram?.disable();
    this.timer?.cancel();
    this.timer = undefined;
  }
}
