/**
 * Telegram's `parse_mode: 'HTML'` as the Bot API applies it: the supported tag set, the four named
 * entities, and the "can't parse entities" errors, so an unescaped `<` in a view fails in tests the
 * way it fails in production.
 */
import type { MessageEntity } from '@telegraf/types';

/** Thrown for markup Telegram rejects; the message is the part after "can't parse entities: ". */
export class EntityParseError extends Error {}

/** Plain text as a user sees it, plus the entities Telegram derives from the markup. */
export interface ParsedText {
  text: string;
  entities: MessageEntity[];
}

interface OpenTag {
  tag: string;
  offset: number;
  entity: Record<string, unknown> | undefined;
}

const SIMPLE_TAGS: Readonly<Record<string, string>> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  code: 'code',
  pre: 'pre',
};

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function parseAttributes(raw: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    attrs.set((m[1] ?? '').toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return safeCodePoint(parseInt(body.slice(2), 16)) ?? whole;
    if (body.startsWith('#')) return safeCodePoint(parseInt(body.slice(1), 10)) ?? whole;
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function safeCodePoint(cp: number): string | undefined {
  return Number.isInteger(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
}

/** The entity an opening tag starts (undefined: a tag that adds none, like `<a>` without href). */
function entityFor(
  name: string,
  rawAttrs: string,
  fail: () => never,
): Record<string, unknown> | undefined {
  const attrs = parseAttributes(rawAttrs);
  const simple = SIMPLE_TAGS[name];
  if (simple) {
    const cls = attrs.get('class');
    if (name === 'code' && cls?.startsWith('language-')) {
      return { type: 'code', language: cls.slice('language-'.length) };
    }
    return { type: simple };
  }
  if (name === 'span' && attrs.get('class') === 'tg-spoiler') return { type: 'spoiler' };
  if (name === 'a') {
    const href = attrs.get('href') ?? '';
    const mention = /^tg:\/\/user\?id=(\d+)$/.exec(href);
    if (mention)
      return {
        type: 'text_mention',
        user: { id: Number(mention[1]), is_bot: false, first_name: '' },
      };
    return href ? { type: 'text_link', url: href } : undefined;
  }
  if (name === 'blockquote') {
    const expandable = attrs.has('expandable') || /\sexpandable\b/.test(rawAttrs);
    return { type: expandable ? 'expandable_blockquote' : 'blockquote' };
  }
  if (name === 'tg-emoji')
    return { type: 'custom_emoji', custom_emoji_id: attrs.get('emoji-id') ?? '' };
  return fail();
}

/** Parser state: the text so far, open tags and finished entities. */
class HtmlParser {
  out = '';
  readonly stack: OpenTag[] = [];
  readonly entities: Array<Record<string, unknown>> = [];

  constructor(private readonly src: string) {}

  byteAt(index: number): number {
    return Buffer.byteLength(this.src.slice(0, index), 'utf8');
  }

  /** Handles `</name>` at `i`; returns the index after it. */
  closeTag(i: number): number {
    const close = this.src.indexOf('>', i);
    if (close < 0) throw new EntityParseError(`Unclosed end tag at byte offset ${this.byteAt(i)}`);
    const name = this.src
      .slice(i + 2, close)
      .trim()
      .toLowerCase();
    const top = this.stack.pop();
    if (!top) throw new EntityParseError(`Unexpected end tag at byte offset ${this.byteAt(i)}`);
    if (name !== top.tag) {
      throw new EntityParseError(
        `Unmatched end tag at byte offset ${this.byteAt(i)}, expected "</${top.tag}>", found "</${name}>"`,
      );
    }
    const parent = this.stack[this.stack.length - 1];
    const lang = top.entity?.['language'];
    // <pre><code class="language-x"> is one pre entity with a language, not two entities.
    if (top.tag === 'code' && parent?.tag === 'pre' && typeof lang === 'string') {
      parent.entity = { ...parent.entity, language: lang };
    } else if (top.entity && this.out.length > top.offset) {
      this.entities.push({
        ...top.entity,
        offset: top.offset,
        length: this.out.length - top.offset,
      });
    }
    return close + 1;
  }

  /** Handles `<name attrs>` at `i`; returns the index after it. */
  openTag(i: number): number {
    const src = this.src;
    // Like Telegram: the tag name runs to whitespace or '>', and is checked before the attributes.
    let end = i + 1;
    while (end < src.length && !/[\s>]/.test(src[end] ?? '')) end += 1;
    if (end >= src.length)
      throw new EntityParseError(`Unclosed start tag at byte offset ${this.byteAt(i)}`);
    const name = src.slice(i + 1, end).toLowerCase();
    const unsupported = (): never => {
      throw new EntityParseError(
        `Unsupported start tag "${name}" at byte offset ${this.byteAt(i)}`,
      );
    };
    const known = name in SIMPLE_TAGS || ['span', 'a', 'blockquote', 'tg-emoji'].includes(name);
    if (!known) unsupported();
    const close = src.indexOf('>', end);
    if (close < 0)
      throw new EntityParseError(`Unclosed start tag at byte offset ${this.byteAt(i)}`);
    const entity = entityFor(name, src.slice(end, close), unsupported);
    this.stack.push({ tag: name, offset: this.out.length, entity });
    return close + 1;
  }
}

/**
 * Parses Bot API HTML. Unknown tags, a bare `<`, and unbalanced tags throw EntityParseError with
 * Telegram's wording (byte offsets are UTF-8, as Telegram reports them).
 */
export function parseHtml(src: string): ParsedText {
  const p = new HtmlParser(src);
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (ch === '&') {
      const m = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/.exec(src.slice(i, i + 16));
      if (m) {
        p.out += decodeEntities(m[0]);
        i += m[0].length;
        continue;
      }
    }
    if (ch !== '<') {
      p.out += ch;
      i += 1;
      continue;
    }
    i = src[i + 1] === '/' ? p.closeTag(i) : p.openTag(i);
  }
  const open = p.stack[p.stack.length - 1];
  if (open)
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${open.tag}"`);
  p.entities.sort((a, b) => Number(a['offset']) - Number(b['offset']));
  return { text: p.out, entities: p.entities as unknown as MessageEntity[] };
}
