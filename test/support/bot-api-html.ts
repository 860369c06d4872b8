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

/**
 * Parses Bot API HTML. Unknown tags, a bare `<`, and unbalanced tags throw EntityParseError with
 * Telegram's wording (byte offsets are UTF-8, as Telegram reports them).
 */
export function parseHtml(src: string): ParsedText {
  let out = '';
  const stack: OpenTag[] = [];
  const entities: Array<Record<string, unknown>> = [];
  const byteAt = (index: number): number => Buffer.byteLength(src.slice(0, index), 'utf8');
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (ch === '&') {
      const m = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/.exec(src.slice(i, i + 16));
      if (m) {
        out += decodeEntities(m[0]);
        i += m[0].length;
        continue;
      }
    }
    if (ch !== '<') {
      out += ch;
      i += 1;
      continue;
    }
    if (src[i + 1] === '/') {
      const close = src.indexOf('>', i);
      if (close < 0) throw new EntityParseError(`Unclosed end tag at byte offset ${byteAt(i)}`);
      const name = src
        .slice(i + 2, close)
        .trim()
        .toLowerCase();
      const top = stack.pop();
      if (!top) throw new EntityParseError(`Unexpected end tag at byte offset ${byteAt(i)}`);
      if (name !== top.tag) {
        throw new EntityParseError(
          `Unmatched end tag at byte offset ${byteAt(i)}, expected "</${top.tag}>", found "</${name}>"`,
        );
      }
      const parent = stack[stack.length - 1];
      const lang = top.entity?.['language'];
      // <pre><code class="language-x"> is one pre entity with a language, not two entities.
      if (top.tag === 'code' && parent?.tag === 'pre' && typeof lang === 'string') {
        parent.entity = { ...parent.entity, language: lang };
      } else if (top.entity && out.length > top.offset) {
        entities.push({ ...top.entity, offset: top.offset, length: out.length - top.offset });
      }
      i = close + 1;
      continue;
    }
    // Like Telegram: the tag name runs to whitespace or '>', and is checked before the attributes.
    let end = i + 1;
    while (end < src.length && !/[\s>]/.test(src[end] ?? '')) end += 1;
    if (end >= src.length)
      throw new EntityParseError(`Unclosed start tag at byte offset ${byteAt(i)}`);
    const name = src.slice(i + 1, end).toLowerCase();
    const known = name in SIMPLE_TAGS || ['span', 'a', 'blockquote', 'tg-emoji'].includes(name);
    if (!known)
      throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${byteAt(i)}`);
    const close = src.indexOf('>', end);
    if (close < 0) throw new EntityParseError(`Unclosed start tag at byte offset ${byteAt(i)}`);
    const rawAttrs = src.slice(end, close);
    const attrs = parseAttributes(rawAttrs);
    let entity: Record<string, unknown> | undefined;
    const simple = SIMPLE_TAGS[name];
    if (simple) {
      entity = { type: simple };
      const cls = attrs.get('class');
      if (name === 'code' && cls?.startsWith('language-')) {
        entity = { type: 'code', language: cls.slice('language-'.length) };
      }
    } else if (name === 'span' && attrs.get('class') === 'tg-spoiler') {
      entity = { type: 'spoiler' };
    } else if (name === 'a') {
      const href = attrs.get('href') ?? '';
      const mention = /^tg:\/\/user\?id=(\d+)$/.exec(href);
      entity = mention
        ? { type: 'text_mention', user: { id: Number(mention[1]), is_bot: false, first_name: '' } }
        : href
          ? { type: 'text_link', url: href }
          : undefined;
    } else if (name === 'blockquote') {
      entity = {
        type:
          attrs.has('expandable') || /\sexpandable\b/.test(rawAttrs)
            ? 'expandable_blockquote'
            : 'blockquote',
      };
    } else if (name === 'tg-emoji') {
      entity = { type: 'custom_emoji', custom_emoji_id: attrs.get('emoji-id') ?? '' };
    } else {
      throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${byteAt(i)}`);
    }
    stack.push({ tag: name, offset: out.length, entity });
    i = close + 1;
  }
  const open = stack[stack.length - 1];
  if (open)
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${open.tag}"`);
  entities.sort((a, b) => Number(a['offset']) - Number(b['offset']));
  return { text: out, entities: entities as unknown as MessageEntity[] };
}
