import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
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

const NO_LIMIT = 2 ** 60;

/** The memory limit of this process's cgroup (v2 memory.max or v1 memory.limit_in_bytes), if any. */
export function cgroupMemoryLimit(
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): number | undefined {
  let cgroups = '';
  try {
    cgroups = read('/proc/self/cgroup');
  } catch {
    return undefined;
  }
  let v2: string | undefined;
  let v1: string | undefined;
  // Lines are `id:controllers:path`; v2 has id 0 and no controllers.
  for (const line of cgroups.split('\n')) {
    const [id, controllers = '', ...rest] = line.split(':');
    const path = rest.join(':');
    if (!path.startsWith('/')) continue;
    if (id === '0' && controllers === '') v2 = path;
    else if (controllers.split(',').includes('memory')) v1 = path;
  }
  const candidates = [
    ...(v2 !== undefined
      ? [`/sys/fs/cgroup${v2 === '/' ? '' : v2}/memory.max`, '/sys/fs/cgroup/memory.max']
      : []),
    ...(v1 !== undefined
      ? [
          `/sys/fs/cgroup/memory${v1 === '/' ? '' : v1}/memory.limit_in_bytes`,
          '/sys/fs/cgroup/memory/memory.limit_in_bytes',
        ]
      : []),
  ];
  for (const path of candidates) {
    let text: string;
    try {
      text = read(path).trim();
    } catch {
      continue;
    }
    const n = Number(text);
    return Number.isFinite(n) && n > 0 && n < NO_LIMIT ? n : undefined;
  }
  return undefined;
}

export interface ProcessCheckerOptions {
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
    check() {
      if (histogram === undefined) {
        histogram = monitorEventLoopDelay({ resolution: 20 });
        histogram.enable();
      }
      if (limit === null) limit = cgroupMemoryLimit();
      const mem = process.memoryUsage();
      // Before the histogram has a sample its percentiles are NaN.
      const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
      histogram.reset();
      return Promise.resolve(
        assessProcess(
          {
            rssBytes: mem.rss,
            heapUsedBytes: mem.heapUsed,
            loopDelayP99Ms: p99,
            memoryLimitBytes: limit,
          },
          options.thresholds,
        ),
      );
    },
    close() {
      histogram?.disable();
      histogram = undefined;
    },
  };
}
