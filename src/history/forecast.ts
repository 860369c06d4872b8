import type { HistoryPoint } from './store';

const DAY_MS = 86_400_000;
/** Fewer points or a shorter span than this is not a trend. */
const MIN_POINTS = 10;
const MIN_SPAN_MS = 3_600_000;
/** Beyond this the answer is "not within a year": a slope that small is noise. */
const MAX_DAYS = 365;

/** Where a filesystem is heading, from a least-squares line through its used bytes. */
export type Forecast =
  | { readonly kind: 'fills'; readonly days: number; readonly bytesPerDay: number }
  | { readonly kind: 'steady'; readonly bytesPerDay: number }
  | { readonly kind: 'full' };

/**
 * Days until `used` reaches `size` at the trend of `points` (used bytes over
 * time), or undefined when there is too little history to tell.
 */
export function forecastFull(
  points: readonly HistoryPoint[],
  sizeBytes: number,
): Forecast | undefined {
  if (points.length < MIN_POINTS || sizeBytes <= 0) return undefined;
  const first = points[0] as HistoryPoint;
  const last = points[points.length - 1] as HistoryPoint;
  if (last.t - first.t < MIN_SPAN_MS) return undefined;
  const slopePerMs = slope(points);
  const bytesPerDay = slopePerMs * DAY_MS;
  if (last.v >= sizeBytes) return { kind: 'full' };
  if (slopePerMs <= 0) return { kind: 'steady', bytesPerDay };
  const days = (sizeBytes - last.v) / bytesPerDay;
  return days > MAX_DAYS ? { kind: 'steady', bytesPerDay } : { kind: 'fills', days, bytesPerDay };
}

/** Least-squares slope of v over t (per ms), centred for numeric stability. */
function slope(points: readonly HistoryPoint[]): number {
  const n = points.length;
  let mt = 0;
  let mv = 0;
  for (const p of points) {
    mt += p.t / n;
    mv += p.v / n;
  }
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
