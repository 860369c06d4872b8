/**
 * What the Bot API accepts, as assertions: HTML that parses with Telegram's rules (only its tags,
 * balanced, entities escaped), text within the length limits after parsing, well-formed UTF-16,
 * and keyboards Telegram takes. Used by the view and sender property suites.
 */
import { parseHtml, type ParsedText } from '../../src/demo/bot-api/html';
import { visibleText } from '../../src/views/html';
import { isActionButton, TELEGRAM_LIMITS, type Keyboard, type View } from '../../src/views/view';

export class TelegramRuleError extends Error {}

function fail(message: string): never {
  throw new TelegramRuleError(message);
}

/**
 * Checks a parse_mode HTML text as Telegram would: parses, fits `limit` UTF-16 units after
 * parsing, is not blank, and has no lone surrogates. Returns the parsed text and entities.
 */
export function checkHtmlText(markup: string, limit: number): ParsedText {
  const parsed = parseHtml(markup);
  checkPlainText(parsed.text, limit);
  // The sender measures with visibleText; it must agree with Telegram's parse.
  if (visibleText(markup) !== parsed.text) fail('visibleText() disagrees with the Bot API parse');
  return parsed;
}

/** Checks a text sent without parse mode. */
export function checkPlainText(text: string, limit: number): void {
  if (text.length > limit) fail(`text is ${text.length} UTF-16 units, limit ${limit}`);
  if (text.trim() === '') fail('text is empty');
  if (!text.isWellFormed()) fail('text has a lone surrogate');
}

/** Checks button labels, callback data and URLs of a view's keyboard. */
export function checkKeyboard(keyboard: Keyboard | undefined): void {
  if (keyboard === undefined || keyboard.kind === 'remove' || keyboard.kind === 'force_reply')
    return;
  for (const row of keyboard.rows) {
    if (row.length === 0) fail('empty keyboard row');
    for (const b of row) {
      const text = typeof b === 'string' ? b : b.text;
      if (text.trim() === '') fail('blank button label');
      if (!text.isWellFormed()) fail('button label has a lone surrogate');
      if (typeof b !== 'string' && !isActionButton(b) && !/^(https?|tg):\/\/\S+$/.test(b.url)) {
        fail(`button url not accepted: ${b.url.slice(0, 80)}`);
      }
      if (
        typeof b !== 'string' &&
        isActionButton(b) &&
        !/^[a-z][a-z0-9_.-]{0,63}$/i.test(b.action)
      ) {
        fail(`action name not plain: ${b.action.slice(0, 80)}`);
      }
    }
  }
}

/** Checks a whole view against the message (or caption) limit; returns the parse. */
export function checkView(view: View, limit: number = TELEGRAM_LIMITS.messageText): ParsedText {
  const parsed = checkHtmlText(view.html.value, limit);
  checkKeyboard(view.keyboard);
  return parsed;
}

/** The entity types in order: the markup a view produced, independent of the text inside. */
export function skeleton(parsed: ParsedText): string[] {
  return parsed.entities.map((e) => e.type);
}

/** Strings without markup characters that views may branch on: ids, states, digests. */
const PLAIN = /^[\w.:/@-]{0,80}$/;

function collect(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (!PLAIN.test(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) collect(v, into);
  }
}

function replace<T>(value: T, names: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return (names.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => replace(v, names)) as T;
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replace(v, names);
    return out as T;
  }
  return value;
}

/**
 * A copy of `value` with every string that could carry markup replaced by a short plain one
 * ("x0000", "x0001"…), keeping equality and sort order, so grouping and paging are unchanged;
 * ids and states are kept. Rendering the bland copy shows the markup a view makes by itself;
 * hostile strings must not add or remove any.
 */
export function bland<T>(value: T): T {
  const found = new Set<string>();
  collect(value, found);
  const sorted = [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const names = new Map(sorted.map((s, i) => [s, `x${String(i).padStart(4, '0')}`]));
  return replace(value, names);
}
