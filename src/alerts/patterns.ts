/** Longest pattern accepted in config. */
const MAX_PATTERN = 200;
/** Container names are at most this long; longer input is never matched (bounds regex time). */
const MAX_NAME = 255;

/** A container-name pattern from config: a glob (`web-*`, `db?`) or a regular expression in slashes (`/^ci-\d+$/`). */
export interface NamePattern {
  readonly source: string;
  test(name: string): boolean;
}

/** Compiles a pattern; throws with a message saying what is wrong (reported with its config path). */
export function compileNamePattern(source: string): NamePattern {
  if (source.length === 0) throw new Error('an empty pattern matches nothing; remove it');
  if (source.length > MAX_PATTERN)
    throw new Error(`a pattern may be at most ${MAX_PATTERN} characters`);
  let re: RegExp;
  if (source.length >= 2 && source.startsWith('/') && source.endsWith('/')) {
    try {
      // eslint-disable-next-line security/detect-non-literal-regexp -- an admin's pattern from config, applied to names of at most MAX_NAME chars
      re = new RegExp(source.slice(1, -1));
    } catch (err) {
      throw new Error(`not a valid regular expression (${(err as Error).message})`, { cause: err });
    }
  } else {
    if (/[[\]{}]/.test(source))
      throw new Error('not a valid glob: only * and ? are special (write a /regex/ for more)');
    const body = source
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    // eslint-disable-next-line security/detect-non-literal-regexp -- built from an escaped glob
    re = new RegExp(`^${body}$`);
  }
  return { source, test: (name) => name.length <= MAX_NAME && re.test(name) };
}

/** Whether a container is watched: not labelled `tmbot.alerts=false`, matching `include` (if any) and no `exclude`. */
export function isWatched(
  name: string,
  labels: Readonly<Record<string, string>>,
  include: readonly NamePattern[],
  exclude: readonly NamePattern[],
): boolean {
  if ((labels['tmbot.alerts'] ?? '').trim().toLowerCase() === 'false') return false;
  if (include.length > 0 && !include.some((p) => p.test(name))) return false;
  return !exclude.some((p) => p.test(name));
}
