import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Timer period of the probe; a stall is what a tick arrives later than this. */
const RESOLUTION_MS = 2;

export interface LoopDelaySummary {
  /** Worst stall: the longest tick minus the timer period, in ms. */
  readonly maxStallMs: number;
  /** 99th percentile tick length minus the timer period, in ms. */
  readonly p99StallMs: number;
  readonly ticks: number;
}

/**
 * Measures how long the event loop was held, with perf_hooks'
 * monitorEventLoopDelay. The histogram is never reset while running: a reset
 * drops the tick in progress, which would hide the very stall being measured.
 */
export class LoopDelayProbe {
  private histogram: IntervalHistogram | undefined;

  start(): void {
    this.histogram ??= monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  summary(): LoopDelaySummary | undefined {
    const h = this.histogram;
    if (h === undefined || h.count === 0) return undefined;
    const stall = (ns: number): number =>
      Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
    return { maxStallMs: stall(h.max), p99StallMs: stall(h.percentile(99)), ticks: h.count };
  }

  stop(): void {
    this.histogram?.disable();
  }
}
