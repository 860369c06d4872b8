/** Longest log pattern accepted in config. */
export const MAX_LOG_PATTERN = 300;
/** Flags a log pattern may use: `i` (ignore case), `s` (dot matches newline), `u` (Unicode). */
const FLAGS = /^[isu]*$/;

/** Compiles a log pattern from config after the safety checks; throws with what is wrong. */
export function compileLogPattern(source: string, flags: string): RegExp {
  if (source.length === 0) throw new Error('an empty pattern matches every line; remove it');
  if (source.length > MAX_LOG_PATTERN)
    throw new Error(`a pattern may be at most ${MAX_LOG_PATTERN} characters`);
  if (!FLAGS.test(flags) || new Set(flags).size !== flags.length)
    throw new Error(`flags '${flags.slice(0, 10)}' are not allowed (use any of i, s, u once)`);
  let re: RegExp;
  try {
    // eslint-disable-next-line security/detect-non-literal-regexp -- an admin's pattern, checked below and matched off the event loop with a time bound
    re = new RegExp(source, flags);
  } catch (err) {
    throw new Error(`not a valid regular expression (${(err as Error).message})`, { cause: err });
  }
  const unsafe = unsafeConstruct(source);
  if (unsafe !== undefined) throw new Error(unsafe);
  return re;
}

interface Group {
  /** An unbounded quantifier (`*`, `+`, `{n,}`) or a large repeat sits somewhere inside. */
  repeats: boolean;
}

/** What a quantifier at `i` allows: its end index and whether it repeats more than once. */
function quantifier(src: string, i: number): { end: number; many: boolean } | undefined {
  const c = src[i];
  if (c === '*' || c === '+') return { end: i + 1, many: true };
  if (c === '?') return { end: i + 1, many: false };
  if (c !== '{') return undefined;
  // eslint-disable-next-line security/detect-unsafe-regex -- anchored, no nested repetition, on at most 24 characters
  const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
  if (m === null) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  return { end: i + m[0].length, many: max > 1 };
}

/**
 * Finds the constructs that make a backtracking engine take exponential time or that
 * it cannot bound: back-references, look-around, and a repeated group that itself
 * holds a repeat (`(a+)+`, `(\w*){2,}`). Patterns that slip past this (overlapping
 * alternatives under a repeat) are still cut off by the matcher's time bound.
 */
export function unsafeConstruct(src: string): string | undefined {
  const stack: Group[] = [{ repeats: false }];
  let last: { kind: 'atom' } | { kind: 'group'; group: Group } | undefined;
  for (let i = 0; i < src.length;) {
    const c = src[i];
    const top = stack[stack.length - 1] ?? { repeats: false };
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && src[i + 2] === '<'))
        return 'back-references are not allowed in log patterns (they cannot be matched in linear time)';
      last = { kind: 'atom' };
      i += 2;
      continue;
    }
    if (c === '[') {
      i = classEnd(src, i);
      last = { kind: 'atom' };
      continue;
    }
    if (c === '(') {
      if (/^\(\?<?[=!]/.test(src.slice(i, i + 4)))
        return 'look-ahead and look-behind assertions are not allowed in log patterns';
      stack.push({ repeats: false });
      last = undefined;
      i = src.startsWith('(?<', i)
        ? src.indexOf('>', i) + 1
        : src.startsWith('(?:', i)
          ? i + 3
          : i + 1;
      continue;
    }
    if (c === ')') {
      const group = stack.pop() ?? { repeats: false };
      const parent = stack[stack.length - 1];
      if (parent !== undefined && group.repeats) parent.repeats = true;
      last = { kind: 'group', group };
      i += 1;
      continue;
    }
    const q = quantifier(src, i);
    if (q !== undefined && last !== undefined) {
      if (q.many && last.kind === 'group' && last.group.repeats)
        return 'a repeated group holds a repeat itself (like (a+)+): it can take exponential time on a crafted line; rewrite it without nesting';
      if (q.many) top.repeats = true;
      // A lazy or possessive marker after the quantifier is part of it.
      i = src[q.end] === '?' ? q.end + 1 : q.end;
      last = undefined;
      continue;
    }
    last = { kind: 'atom' };
    i += 1;
  }
  return undefined;
}

/** The index after a character class that starts at `i` (escapes inside are skipped). */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++;
  while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}
