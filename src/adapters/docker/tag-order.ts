import { newerTagsInMajor } from './image-ref';

/** A date-stamped tag: `YYYY[-_.]MM[-_.]DD` with an optional `hhmmss` (pyTMBot's DATE class). */
interface DateTag {
  /** The separator between the parts ('' for "20240105"); tags only compare with the same shape. */
  readonly shape: string;
  /** YYYYMMDD[hhmmss] as a number. */
  readonly value: number;
}

// eslint-disable-next-line security/detect-unsafe-regex -- fixed-width digit groups, anchored
const DATE = /^(\d{4})([-_.]?)(\d{2})\2(\d{2})(?:[-_.T]?(\d{6}))?$/;

function dateTag(tag: string): DateTag | undefined {
  const m = DATE.exec(tag);
  if (m === null) return undefined;
  const [, year = '', sep = '', month = '', day = '', time] = m;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (y < 1990 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  if (time !== undefined && (Number(time.slice(0, 2)) > 23 || Number(time.slice(2, 4)) > 59))
    return undefined;
  return {
    shape: `${sep}${time === undefined ? '' : 'T'}`,
    value: Number(`${year}${month}${day}${time ?? ''}`),
  };
}

/** Git-SHA-looking tags (pyTMBot's SHA class) have no order. */
const SHA = /^[0-9a-f]{7,64}$/;
/** A custom tag with a numeric suffix: "build-12", "r5", "nightly-20240105". */
const NUMBERED = /^(.*\D)(\d{1,15})$/;

/**
 * Tags that count as newer than `current`, newest first (at most `max`):
 * - versions (1.2.3, v1.2): newer in the same major and precision ({@link newerTagsInMajor});
 * - dates (2024.01.05, 2024-01-05, 20240105, 20240105-143000): later dates of the same shape;
 * - custom tags with a numeric suffix ("build-12"): the same prefix with a larger number.
 * Anything else (latest, stable, a git SHA) has no "newer": only its digest is compared.
 */
export function newerTags(current: string, tags: readonly string[], max = 5): string[] {
  const date = dateTag(current);
  if (date !== undefined) {
    return pickNewer(tags, max, (tag) => {
      const d = dateTag(tag);
      return d !== undefined && d.shape === date.shape && d.value > date.value
        ? d.value
        : undefined;
    });
  }
  const versions = newerTagsInMajor(current, tags, max);
  if (versions.length > 0 || /^v?\d/.test(current)) return versions;
  const numbered = NUMBERED.exec(current);
  if (numbered === null || SHA.test(current)) return [];
  const [, prefix = '', digits = ''] = numbered;
  const base = Number(digits);
  return pickNewer(tags, max, (tag) => {
    if (!tag.startsWith(prefix)) return undefined;
    const rest = tag.slice(prefix.length);
    if (!/^\d{1,15}$/.test(rest)) return undefined;
    const n = Number(rest);
    return n > base ? n : undefined;
  });
}

function pickNewer(
  tags: readonly string[],
  max: number,
  rank: (tag: string) => number | undefined,
): string[] {
  const found: { tag: string; rank: number }[] = [];
  for (const tag of tags) {
    const r = rank(tag);
    if (r !== undefined) found.push({ tag, rank: r });
  }
  return found
    .sort((a, b) => b.rank - a.rank || (a.tag < b.tag ? -1 : 1))
    .slice(0, max)
    .map((f) => f.tag);
}
