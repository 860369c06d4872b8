/** Health levels, best first. A component is "operational" at degraded or better. */
export type HealthLevel = 'healthy' | 'degraded' | 'unhealthy' | 'critical';

export const HEALTH_LEVELS: readonly HealthLevel[] = [
  'healthy',
  'degraded',
  'unhealthy',
  'critical',
];

export function isHealthLevel(value: unknown): value is HealthLevel {
  return typeof value === 'string' && (HEALTH_LEVELS as readonly string[]).includes(value);
}

/** The worse of the levels given; healthy when there are none. */
export function worst(levels: Iterable<HealthLevel>): HealthLevel {
  let rank = 0;
  for (const l of levels) rank = Math.max(rank, HEALTH_LEVELS.indexOf(l));
  return HEALTH_LEVELS[rank] ?? 'critical';
}

/** Share of operational components (degraded or better) that softens an unhealthy overall (pyTMBot's rule). */
export const OPERATIONAL_SHARE = 0.7;

/**
 * The overall level as pyTMBot derived it: the worst component, except that an unhealthy
 * worst becomes degraded while at least {@link OPERATIONAL_SHARE} of the components are
 * degraded or better. Critical is never softened.
 */
export function overallLevel(levels: readonly HealthLevel[]): HealthLevel {
  const lowest = worst(levels);
  if (lowest !== 'unhealthy') return lowest;
  const operational = levels.filter((l) => l === 'healthy' || l === 'degraded').length;
  return operational >= OPERATIONAL_SHARE * levels.length ? 'degraded' : lowest;
}

/** What one check found. */
export interface CheckOutcome {
  readonly level: HealthLevel;
  /** One line for people ("getMe answered in 120 ms"). Shown in chat and the heartbeat: never secrets. */
  readonly summary: string;
  /** How long the checked thing took to answer, when the checker measures it itself. */
  readonly latencyMs?: number;
}

/**
 * One component's check, run by the monitor on its own interval. Features add their own
 * through {@link HealthRegistry}. A check that throws or outlives `timeoutMs` counts as unhealthy.
 */
export interface HealthChecker {
  /** Stable id, `[a-z0-9][a-z0-9._-]*` (e.g. `telegram`, `docker.local`). */
  readonly name: string;
  /** Shown to people ("Telegram API"). */
  readonly label: string;
  readonly intervalMs: number;
  /** Bound on one check (default {@link DEFAULT_CHECK_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** `signal` aborts when the check has run out of time. */
  check(signal: AbortSignal): Promise<CheckOutcome>;
  /** Releases what the checker holds (histograms, timers) when the monitor stops. */
  close?(): void;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/** Where other features plug their checkers in. */
export interface HealthRegistry {
  /** Adds a checker; a duplicate name throws. */
  register(checker: HealthChecker): void;
}

/** The latest result of one component; `checkedAt` 0 means not checked yet. */
export interface ComponentStatus {
  readonly name: string;
  readonly label: string;
  readonly level: HealthLevel;
  readonly summary: string;
  /** Round-trip time of what the checker measured (getMe, Docker ping); undefined for local checks. */
  readonly latencyMs: number | undefined;
  readonly checkedAt: number;
}

/** Every component's latest result and the overall level ({@link overallLevel}), with reasons. */
export interface HealthSnapshot {
  readonly overall: HealthLevel;
  /** `Label: summary` of every component worse than healthy, worst first. */
  readonly reasons: readonly string[];
  readonly components: readonly ComponentStatus[];
  /** When the newest result came in (0: nothing checked yet). */
  readonly checkedAt: number;
}
