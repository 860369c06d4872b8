/** Longest maintenance window accepted (a forgotten "on" must still end). */
export const MAX_MAINTENANCE_MS = 7 * 24 * 3600_000;

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3600_000,
  d: 86_400_000,
};

/** "30m", "2h", "1h30m", "90s", "1d" → milliseconds; undefined when malformed, zero or over {@link MAX_MAINTENANCE_MS}. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  // eslint-disable-next-line security/detect-unsafe-regex -- every repetition is bounded ({1,6} digits, {1,4} groups) and the input is trimmed text of a command
  if (t.length > 32 || !/^(\d{1,6}[smhd]){1,4}$/.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d{1,6})([smhd])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return ms > 0 && ms <= MAX_MAINTENANCE_MS ? ms : undefined;
}
