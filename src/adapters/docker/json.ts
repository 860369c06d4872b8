/**
 * Defensive readers for engine JSON: a remote engine is not trusted to send the
 * documented shape, so every field is checked and defaults to empty.
 */
export const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const bool = (v: unknown): boolean => v === true;
export const strList = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string' && v !== ''
      ? [v]
      : [];
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);

/** RFC 3339 time → ms since the epoch; undefined for Docker's zero time "0001-01-01T00:00:00Z". */
export function time(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.startsWith('0001-')) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}
