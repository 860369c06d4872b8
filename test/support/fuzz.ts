/**
 * Shared settings and hostile-input arbitraries for the property suites in test/unit/fuzz.
 *
 * CI runs every property a fixed number of times with a fixed seed, so a run is repeatable.
 * Locally: `TMBOT_FUZZ_RUNS=20000 npx jest test/unit/fuzz` runs each property 20 000 times with a
 * random seed (fast-check prints it); `TMBOT_FUZZ_SEED=<seed>` replays one. A failure message
 * carries the seed, the shrink path and the smallest counterexample found.
 */
import fc from 'fast-check';

/** The seed CI uses; any fixed value keeps runs repeatable. */
export const CI_SEED = 0x7b07;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${raw}`);
  return n;
}

/**
 * fast-check parameters for one property (the test's own jest timeout bounds sync hangs). `ciRuns` is what CI runs; TMBOT_FUZZ_RUNS overrides it
 * (and then the seed is random unless TMBOT_FUZZ_SEED is set too).
 */
export function fuzzParams<T>(ciRuns: number): fc.Parameters<T> {
  const runs = envInt('TMBOT_FUZZ_RUNS');
  const seed = envInt('TMBOT_FUZZ_SEED') ?? (runs === undefined ? CI_SEED : undefined);
  return {
    numRuns: runs ?? ciRuns,
    ...(seed !== undefined ? { seed } : {}),
    reporter: reportShort,
    // An async case that hangs fails with its input instead of stalling the suite.
    timeout: 10_000,
  };
}

/** Long strings cut for the failure report; a 100 000-char case stays readable. */
function preview(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length <= 200
      ? value
      : `${value.slice(0, 100)}…[${value.length} UTF-16 units]…${value.slice(-20)}`;
  }
  if (typeof value === 'function')
    return `[function ${String(value).replace(/\s+/g, ' ').slice(0, 80)}]`;
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => preview(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = preview(v, depth + 1);
  return out;
}

/** fast-check's report (seed, shrink path, smallest counterexample) with long strings shortened. */
function reportShort<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const lines = [
    `Property failed after ${details.numRuns} tests`,
    `{ seed: ${details.seed}, path: "${details.counterexamplePath ?? ''}", endOnFailure: true }`,
    `Counterexample: ${fc.stringify(preview(details.counterexample))}`,
    `Shrunk ${details.numShrinks} time(s)`,
    `Replay: TMBOT_FUZZ_SEED=${details.seed} (with the path above as fast-check's "path" to skip straight to it)`,
  ];
  throw new Error(lines.join('\n'), { cause: details.errorInstance });
}

/**
 * Characters and fragments that break naive renderers: HTML/Markdown markup, entities,
 * bidi controls, zero-width and combining marks, emoji sequences, lone surrogates, controls.
 */
export const NASTY_FRAGMENTS: readonly string[] = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '&amp;',
  '&lt;',
  '&#60;',
  '&#x3c;',
  '<b>',
  '</b>',
  '<i>',
  '</code>',
  '<pre>',
  '<a href="tg://user?id=1">',
  '</a>',
  '<script>',
  '<tg-spoiler>',
  '<blockquote expandable>',
  '<br/>',
  '*',
  '_',
  '`',
  '```',
  '[',
  ']',
  '(',
  ')',
  '~',
  '|',
  '\\',
  '/',
  '@',
  '#',
  '%s',
  '${x}',
  '{{x}}',
  '\u202E',
  '\u202D',
  '\u200F',
  '\u200E',
  '\u2066',
  '\u2069',
  '\u061C',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\u0301',
  '\u0336',
  'e\u0301',
  '\u00A0',
  '\u3000',
  '\u2028',
  '\u2029',
  '\u0085',
  '🚀',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇺🇦',
  '👍🏽',
  '𝕏',
  '😀',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uDC00\uD800',
  '\0',
  '\x01',
  '\x1B[31m',
  '\x7F',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  'שלום',
  'مرحبا',
  'Ωμέγα',
  'Ж',
  '日本語',
  'ﷺ',
  '𒐫',
  '/start',
  '/getmyid',
  '/start@tmbot_test_bot',
  '123456',
  '🚀 Server',
  '⬅️ Back to main menu',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  'toString',
];

const fragment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_FRAGMENTS), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }), weight: 1 },
  // Any UTF-16 code unit, surrogate halves included.
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), weight: 1 },
);

/** A short hostile string (0–40 fragments). */
export const hostileString: fc.Arbitrary<string> = fc
  .array(fragment, { maxLength: 40 })
  .map((parts) => parts.join(''));

/** Text that is short in code points but long in UTF-16 units (Telegram's measure): emoji runs. */
export const wideString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('😀', '𝕏', '👨‍👩‍👧‍👦', '🇺🇦'), fc.integer({ min: 20, max: 400 }))
  .map(([c, n]) => c.repeat(n));

/**
 * A hostile string that is sometimes huge: a hostile seed repeated to 4 000–100 000 UTF-16
 * units and cut at an arbitrary unit (which may split a surrogate pair).
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString, weight: 8 },
  { arbitrary: wideString, weight: 2 },
  {
    arbitrary: fc
      .tuple(
        hostileString.filter((s) => s.length > 0),
        fc.constantFrom(1025, 4097, 4200, 10_000, 100_000),
      )
      .map(([seed, n]) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n)),
    weight: 1,
  },
);

/** Integers where ids live: small, Telegram-shaped, negative (groups), unsafe and odd numbers. */
export const hostileId: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.integer({ min: 1, max: 2 ** 40 }),
  fc.integer({ min: -(2 ** 52), max: -1 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53 + 2, -1001234567890),
  fc.double(),
);
