/** A local time that repeats: every day, or every week on one weekday (0 = Sunday). */
export interface Slot {
  readonly minute: number;
  readonly weekday?: number;
}

const DAY_MS = 86_400_000;

interface LocalParts {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock date and time of instant `ms` in `timeZone`. */
export function localParts(ms: number, timeZone: string): LocalParts {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: WEEKDAY[p.weekday ?? ''] ?? 0,
  };
}

/** How far `timeZone` is ahead of UTC at instant `ms`, in ms (whole minutes). */
function offsetAt(ms: number, timeZone: string): number {
  const l = localParts(ms, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant a local date and minute of day falls on in `timeZone`. Deterministic for
 * the same local date: a time repeated when clocks go back is its first (earlier) instant,
 * a time skipped when they go forward lands an hour later (as a person would read it).
 */
export function instantOf(
  year: number,
  month: number,
  day: number,
  minuteOfDay: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const before = wall - offsetAt(wall - DAY_MS / 2, timeZone);
  const after = wall - offsetAt(wall + DAY_MS / 2, timeZone);
  const fits = (t: number): boolean => {
    const l = localParts(t, timeZone);
    return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute) === wall;
  };
  const candidates = [before, after].filter(fits).sort((a, b) => a - b);
  return candidates[0] ?? Math.max(before, after);
}

/** The latest occurrence of `slot` at or before `now` in `timeZone`. */
export function latestOccurrence(now: number, slot: Slot, timeZone: string): number {
  const today = localParts(now, timeZone);
  const back = slot.weekday === undefined ? 0 : (today.weekday - slot.weekday + 7) % 7;
  for (let step = back; ; step += slot.weekday === undefined ? 1 : 7) {
    // Date.UTC normalises day 0 / negative days into the previous month.
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day - step));
    const at = instantOf(
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      slot.minute,
      timeZone,
    );
    if (at <= now) return at;
  }
}
