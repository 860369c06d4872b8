import type { ConfigIssue } from '../errors';
import type { SchemaNode } from './schema';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Bends a pyTMBot document into the schema's canonical shape, guided by the schema:
 * lists become their first item where a scalar is expected (with a warning when
 * there are several, as pyTMBot reads `[0]`), quoted numbers and booleans become
 * numbers and booleans, single values become lists where a list is expected,
 * `null` means "not set". Unknown keys are dropped
 * and reported as warnings with a did-you-mean suggestion.
 */
export function normalise(
  value: unknown,
  schema: SchemaNode,
  path: string,
  warnings: ConfigIssue[],
): unknown {
  if (value === null) return undefined;
  const scalar =
    schema.type === 'string' ||
    schema.type === 'integer' ||
    schema.type === 'number' ||
    schema.type === 'boolean';
  if (scalar && Array.isArray(value)) {
    if (value.length === 0) return undefined;
    if (value.length > 1)
      warnings.push({
        path,
        message: `${value.length} items where one value is expected; the first is used, as pyTMBot does`,
      });
    return coerceScalar(value[0] ?? undefined, schema.type);
  }
  if (scalar) return coerceScalar(value, schema.type);
  if (schema.type === 'array') {
    const list = Array.isArray(value) ? value : [value];
    const items = schema.items;
    return items === undefined
      ? list
      : list.map((item, i) => normalise(item, items, `${path}[${i}]`, warnings));
  }
  if (schema.type === 'object' && isRecord(value) && schema.properties !== undefined) {
    const known = schema.properties;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const childSchema = Object.hasOwn(known, key) ? known[key] : undefined;
      if (childSchema === undefined) {
        const guess = closest(key, Object.keys(known));
        warnings.push({
          path: childPath,
          message: `unknown key, ignored${guess !== undefined ? ` (did you mean '${guess}'?)` : ''}`,
        });
        continue;
      }
      const normalised = normalise(child, childSchema, childPath, warnings);
      if (normalised !== undefined) out[key] = normalised;
    }
    return out;
  }
  return value;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1', 't', 'y']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0', 'f', 'n']);
const INTEGER_TEXT = /^[+-]?\d{1,15}$/;
const NUMBER_TEXT = /^[+-]?[\d.]{1,32}$/;

/**
 * pyTMBot's settings (pydantic, lax mode) accept quoted numbers and booleans
 * (`'8443'`, `'true'`) and 0/1 for booleans; so does tmbot. Anything else is left
 * as it is for the schema to report with its path.
 */
function coerceScalar(value: unknown, type: SchemaNode['type']): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (type === 'integer' && INTEGER_TEXT.test(text)) return Number(text);
    if (type === 'number' && NUMBER_TEXT.test(text) && Number.isFinite(Number(text)))
      return Number(text);
    if (type === 'boolean') {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
    }
  }
  if (type === 'boolean' && (value === 0 || value === 1)) return value === 1;
  return value;
}

/** The candidate within edit distance 3 (and under half the word), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.min(3, Math.ceil(word.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity; // bounded work on hostile keys
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? Infinity;
}
