import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { SystemPort } from '../../adapters/system/system-port';
import type { CheckOutcome, HealthChecker } from '../types';

/** What the check reads about this process. */
export interface ProcessReading {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** 99th percentile of the event-loop delay since the previous reading (ms). */
  readonly loopDelayP99Ms: number;
  /** The cgroup memory limit, when there is one. */
  readonly memoryLimitBytes: number | undefined;
}

export interface ProcessThresholds {
  /** Event-loop delay p99 at or above this is degraded / unhealthy (ms). */
  readonly loopDegradedMs: number;
  readonly loopUnhealthyMs: number;
  /** RSS as a share of the memory limit at or above this is degraded / unhealthy (%). */
  readonly limitDegradedPercent: number;
  readonly limitUnhealthyPercent: number;
  /** With no limit, RSS at or above this is degraded (a leak; tmbot needs well under 200 MB). */
  readonly rssDegradedBytes: number;
}

export const DEFAULT_PROCESS_THRESHOLDS: ProcessThresholds = {
  loopDegradedMs: 200,
  loopUnhealthyMs: 2000,
  limitDegradedPercent: 80,
  limitUnhealthyPercent: 95,
  rssDegradedBytes: 1024 * 1024 * 1024,
};

const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Judges one reading; pure. */
export function assessProcess(
  r: ProcessReading,
  t: ProcessThresholds = DEFAULT_PROCESS_THRESHOLDS,
): CheckOutcome {
  const mem =
    r.memoryLimitBytes !== undefined
      ? `RSS ${mb(r.rssBytes)} of ${mb(r.memoryLimitBytes)} limit`
      : `RSS ${mb(r.rssBytes)}`;
  const summary = `${mem}, heap ${mb(r.heapUsedBytes)}, event-loop delay p99 ${Math.round(r.loopDelayP99Ms)} ms`;
  const share =
    r.memoryLimitBytes !== undefined ? (r.rssBytes / r.memoryLimitBytes) * 100 : undefined;
  if (
    r.loopDelayP99Ms >= t.loopUnhealthyMs ||
    (share !== undefined && share >= t.limitUnhealthyPercent)
  ) {
    return { level: 'unhealthy', summary };
  }
  if (
    r.loopDelayP99Ms >= t.loopDegradedMs ||
    (share !== undefined ? share >= t.limitDegradedPercent : r.rssBytes >= t.rssDegradedBytes)
  ) {
    return { level: 'degraded', summary };
  }
  return { level: 'healthy', summary };
}

export interface ProcessCheckerOptions {
  /** Reads this process's resident memory and its cgroup memory limit. */
  system: Pick<SystemPort, 'processMemoryLimit' | 'processRss'>;
  intervalMs: number;
  thresholds?: ProcessThresholds;
}

/** This bot's own process: RSS against its memory limit, and event-loop delay (perf_hooks). */
export function processChecker(options: ProcessCheckerOptions): HealthChecker {
  let histogram: IntervalHistogram | undefined;
  // The limit is fixed for the life of the process; read it once.
  let limit: number | undefined | null = null;
  return {
    name: 'process',
    label: 'Bot process',
    intervalMs: options.intervalMs,
    async check() {
      if (histogram === undefined) {
        histogram = monitorEventLoopDelay({ resolution: 20 });
        histogram.enable();
      }
      if (limit === null) limit = await options.system.processMemoryLimit();
      const rssBytes = await options.system.processRss();
      // Before the histogram has a sample its percentiles are NaN.
      const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
      histogram.reset();
      return assessProcess(
        {
          rssBytes,
          heapUsedBytes: getHeapStatistics().used_heap_size,
          loopDelayP99Ms: p99,
          memoryLimitBytes: limit,
        },
        options.thresholds,
      );
    },
    close() {
      histogram?.disable();
      histogram = undefined;
    },
  };
}
