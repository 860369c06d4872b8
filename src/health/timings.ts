/** How often each health check runs and how old a result may get (docs/health.md). */
export interface HealthTimings {
  /** Heartbeat file rewrite period. */
  readonly heartbeatMs: number;
  /** A heartbeat older than this makes `--health-check` fail (written into the file). */
  readonly staleAfterMs: number;
  readonly telegramMs: number;
  readonly updatesMs: number;
  readonly stateDirMs: number;
  readonly hostMs: number;
  readonly processMs: number;
  readonly dockerMs: number;
  /** Bound on one check. */
  readonly checkTimeoutMs: number;
  /** Refresh re-runs checks older than this... */
  readonly refreshMaxAgeMs: number;
  /** ...and waits this long for them before showing what it has. */
  readonly refreshWaitMs: number;
  /** Multiplier applied to the margins of time-based thresholds (update-loop silence). */
  readonly scale: number;
}

/** Scale below which timers would spin; 0.01 turns 15 s into 150 ms. */
export const MIN_TIME_SCALE = 0.01;

/**
 * The production timings, every one multiplied by `scale` (TMBOT_HEALTH_TIME_SCALE; 1 in
 * production, smaller in tests so a dead update loop shows in seconds).
 */
export function healthTimings(scale = 1): HealthTimings {
  const s = Number.isFinite(scale) ? Math.min(1, Math.max(MIN_TIME_SCALE, scale)) : 1;
  const t = (ms: number): number => Math.max(10, Math.round(ms * s));
  return {
    heartbeatMs: t(15_000),
    staleAfterMs: t(60_000),
    telegramMs: t(60_000),
    updatesMs: t(15_000),
    stateDirMs: t(60_000),
    hostMs: t(30_000),
    processMs: t(15_000),
    dockerMs: t(30_000),
    checkTimeoutMs: t(10_000),
    refreshMaxAgeMs: t(10_000),
    refreshWaitMs: t(3_000),
    scale: s,
  };
}
