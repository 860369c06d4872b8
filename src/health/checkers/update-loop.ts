import type { Clock } from '../../clock';
import type { HealthChecker } from '../types';

/**
 * Where updates come from: the Poller (last successful getUpdates) or the webhook server
 * (last accepted delivery). A real signal, refreshed only when updates really flow.
 */
export interface UpdateLiveness {
  /** When the source last succeeded (ms since the epoch; 0 = not yet). */
  readonly lastSuccessAt: number;
}

export interface UpdateLoopCheckerOptions {
  source: UpdateLiveness;
  clock: Clock;
  intervalMs: number;
  /** Silence longer than this is degraded... */
  degradedAfterMs: number;
  /** ...and longer than this unhealthy. */
  unhealthyAfterMs: number;
  /** What the source does, for the summary ("getUpdates", "webhook delivery"); read at each check. */
  what?: string | (() => string);
}

/**
 * Thresholds for long polling: a live loop answers at least every `timeoutSeconds`, so one
 * missed poll plus a margin is degraded and two missed polls plus a larger margin unhealthy.
 * `scale` shrinks the margins with the other health timings (tests).
 */
export function pollingThresholds(
  timeoutSeconds: number,
  scale = 1,
): { degradedAfterMs: number; unhealthyAfterMs: number } {
  const poll = timeoutSeconds * 1000;
  return {
    degradedAfterMs: Math.round(poll + 15_000 * scale),
    unhealthyAfterMs: Math.round(2 * poll + 45_000 * scale),
  };
}

/** How long the update loop has gone without a successful round; counted from the first check at first. */
export function updateLoopChecker(options: UpdateLoopCheckerOptions): HealthChecker {
  const { source, clock } = options;
  // Before the first success, silence counts from the first check (when monitoring started).
  let startedAt: number | undefined;
  return {
    name: 'updates',
    label: 'Update loop',
    intervalMs: options.intervalMs,
    check() {
      const now = clock.now();
      startedAt ??= now;
      const what =
        typeof options.what === 'function' ? options.what() : (options.what ?? 'getUpdates');
      const last = source.lastSuccessAt;
      const silentMs = Math.max(0, now - (last > 0 ? last : startedAt));
      const ago = `${Math.round(silentMs / 1000)} s`;
      if (silentMs > options.unhealthyAfterMs) {
        const since = last > 0 ? `for ${ago}` : `since start-up ${ago} ago`;
        return Promise.resolve({ level: 'unhealthy', summary: `no successful ${what} ${since}` });
      }
      if (silentMs > options.degradedAfterMs) {
        return Promise.resolve({
          level: 'degraded',
          summary: `last successful ${what} ${ago} ago`,
        });
      }
      return Promise.resolve({
        level: 'healthy',
        summary: last > 0 ? `last successful ${what} ${ago} ago` : `waiting for the first ${what}`,
      });
    },
  };
}
