/** One resolution level of the history store: rows `stepS` apart, kept `retainS`. */
export interface Tier {
  /** Table name; fixed, never from input. */
  readonly table: 't0' | 't1' | 't2';
  /** Seconds between rows (t0: the collection interval). */
  readonly stepS: number;
  /** Seconds a row is kept. */
  readonly retainS: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Minute roll-up: a 24 h chart from it has 1 440 points (see docs/history.md for the sizing). */
export const MINUTE_STEP_S = 60;
/** Quarter-hour roll-up: a 30 d chart from it has 2 880 points. */
export const QUARTER_STEP_S = 900;

/**
 * The three tiers. Raw samples for 2 h (the 1 h chart plus slack), minute
 * roll-ups for 26 h (the 6 h and 24 h charts), quarter-hour roll-ups for 31 days
 * (the 7 d and 30 d charts). With 225 series this is ~1.2 M rows, ~35 MiB.
 */
export function tiersFor(intervalS: number): readonly [Tier, Tier, Tier] {
  return [
    { table: 't0', stepS: intervalS, retainS: 2 * HOUR },
    { table: 't1', stepS: MINUTE_STEP_S, retainS: 26 * HOUR },
    { table: 't2', stepS: QUARTER_STEP_S, retainS: 31 * DAY },
  ];
}

/** Chart periods offered by the period picker. */
export const PERIODS = ['1h', '6h', '24h', '7d', '30d'] as const;
export type Period = (typeof PERIODS)[number];

const PERIOD_SECONDS: Readonly<Record<Period, number>> = {
  '1h': HOUR,
  '6h': 6 * HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
};

export function periodSeconds(period: Period): number {
  return PERIOD_SECONDS[period];
}

/** A period name from untrusted input (a button), or undefined. */
export function parsePeriod(value: string): Period | undefined {
  return (PERIODS as readonly string[]).includes(value) ? (value as Period) : undefined;
}

/** The finest tier whose retention still covers `spanS` back from now. */
export function tierIndexFor(tiers: readonly Tier[], spanS: number): number {
  const index = tiers.findIndex((t) => t.retainS >= spanS);
  return index === -1 ? tiers.length - 1 : index;
}
