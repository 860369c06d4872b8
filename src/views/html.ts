/**
 * HTML for Telegram's parse_mode "HTML", escaped in one place. The `html` tag
 * escapes every interpolated value unless it is already `Html`, so a container
 * name like `<b>x</b>` always renders literally.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue =
  Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for Telegram HTML and replaces lone surrogates, which Telegram rejects. */
export function escapeHtml(text: string): string {
  return text.toWellFormed().replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Joins fragments with a separator (escaped when plain text). */
export function joinHtml(parts: readonly HtmlValue[], separator: HtmlValue = '\n'): Html {
  const sep = render(separator);
  return new Html(parts.map(render).join(sep));
}

/** Shortens text to `max` code points, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text.toWellFormed());
  return chars.length <= max ? chars.join('') : chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * Shortens text to at most `max` UTF-16 units, Telegram's measure (an emoji counts two), on a
 * code point boundary, marking the cut with an ellipsis.
 */
export function clipUnits(text: string, max: number): string {
  const whole = text.toWellFormed();
  if (whole.length <= max) return whole;
  let out = '';
  for (const ch of whole) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return out + '…';
}

/** Shortens text to `max` code points by cutting its middle (paths and URLs differ at the end). */
export function clipMiddle(text: string, max: number): string {
  const chars = Array.from(text.toWellFormed());
  if (chars.length <= max) return chars.join('');
  const head = Math.ceil((max - 1) / 2);
  const tail = Math.floor((max - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** The text a user sees once Telegram has parsed the HTML (tags gone, entities decoded). */
export function visibleText(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
