import { TmbotError } from '../errors';

/** One sample of the Prometheus text exposition format (timestamps are ignored). */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Bounds on a page of text exposition; exceeding any of them fails the whole page. */
export interface ExpositionLimits {
  /** Bytes of the page. */
  readonly maxBytes: number;
  /** Lines, comments included. */
  readonly maxLines: number;
  /** Labels on one sample. */
  readonly maxLabels: number;
  /** Characters of one line. */
  readonly maxLineLength: number;
}

export const DEFAULT_EXPOSITION_LIMITS: ExpositionLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxLines: 50_000,
  maxLabels: 32,
  maxLineLength: 16_384,
};

/** The page is not valid exposition or breaks a bound; the message names the line, never its content. */
export class ExpositionError extends TmbotError {
  constructor(message: string) {
    super('E_EXPOSITION', message);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(text: string): number | undefined {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
  }
  // eslint-disable-next-line security/detect-unsafe-regex -- anchored, no nested repetition over the same characters; a line is capped at maxLineLength
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads `{a="x",b="y"}` starting at `i` (the brace); returns the labels and the index after `}`. */
function parseLabels(
  line: string,
  start: number,
  maxLabels: number,
): { labels: Record<string, string>; end: number } | undefined {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = start + 1;
  let count = 0;
  for (;;) {
    while (line[i] === ' ') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    let j = i;
    while (j < line.length && /[a-zA-Z0-9_]/.test(line[j] ?? '')) j++;
    const name = line.slice(i, j);
    if (!LABEL_NAME.test(name) || line[j] !== '=' || line[j + 1] !== '"') return undefined;
    i = j + 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) return undefined;
      if (c === '"') break;
      if (c === '\\') {
        const n = line[i + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else return undefined;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    if (++count > maxLabels) return undefined;
    labels[name] = value;
    while (line[i] === ' ') i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') return undefined;
  }
}

function parseLine(line: string, limits: ExpositionLimits): Sample | undefined {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i] ?? '')) i++;
  const name = line.slice(0, i);
  if (!NAME.test(name)) return undefined;
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const parsed = parseLabels(line, i, limits.maxLabels);
    if (parsed === undefined) return undefined;
    labels = parsed.labels;
    i = parsed.end;
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2) return undefined;
  const value = parseValue(rest[0] ?? '');
  if (value === undefined) return undefined;
  if (rest[1] !== undefined && !/^-?\d{1,20}$/.test(rest[1])) return undefined;
  return { name, labels, value };
}

/**
 * Parses a page of the Prometheus text format (version 0.0.4; OpenMetrics' `# EOF` is accepted).
 * Strict: one malformed line fails the page, since a half-read page would show wrong figures.
 * `keep` filters by metric name before labels are stored, which bounds memory to what is used.
 */
export function parseExposition(
  text: string,
  keep: (name: string) => boolean = () => true,
  limits: ExpositionLimits = DEFAULT_EXPOSITION_LIMITS,
): Sample[] {
  if (Buffer.byteLength(text) > limits.maxBytes)
    throw new ExpositionError(`the page is larger than ${limits.maxBytes} bytes`);
  const out: Sample[] = [];
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    if (++lineNo > limits.maxLines)
      throw new ExpositionError(`the page has more than ${limits.maxLines} lines`);
    if (line.length > limits.maxLineLength)
      throw new ExpositionError(`line ${lineNo} is longer than ${limits.maxLineLength} characters`);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const nameEnd = trimmed.search(/[{ \t]/);
    const name = nameEnd === -1 ? trimmed : trimmed.slice(0, nameEnd);
    if (!NAME.test(name)) throw new ExpositionError(`line ${lineNo} is not a metric sample`);
    if (!keep(name)) continue;
    const sample = parseLine(trimmed, limits);
    if (sample === undefined) throw new ExpositionError(`line ${lineNo} is not a metric sample`);
    out.push(sample);
  }
  return out;
}
