/*
 * Safe rendering of a message: plain text plus Telegram entities become DOM nodes built one by
 * one from an allowlist (b, i, u, s, code, pre, a, blockquote, spoiler). Bot text is never parsed
 * as HTML and never assigned to innerHTML, so hostile container or process names stay text.
 */
'use strict';

/** Entity type -> element, for the entities that have one. */
const ENTITY_TAGS = {
  bold: 'b',
  italic: 'i',
  underline: 'u',
  strikethrough: 's',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  expandable_blockquote: 'blockquote',
  spoiler: 'span',
  text_link: 'a',
};

/** Only web links are followed; anything else (javascript:, data:, tg:) stays plain text. */
function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function elementFor(entity) {
  const tag = ENTITY_TAGS[entity.type];
  if (tag === undefined) return undefined;
  if (tag === 'a') {
    const href = typeof entity.url === 'string' ? safeHref(entity.url) : undefined;
    if (href === undefined) return undefined;
    const a = document.createElement('a');
    a.href = href;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    return a;
  }
  const el = document.createElement(tag);
  if (entity.type === 'spoiler') {
    el.className = 'spoiler';
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', 'spoiler, press to show');
    const reveal = () => el.classList.add('shown');
    el.addEventListener('click', reveal);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') reveal();
    });
  }
  return el;
}

/** Appends text[start, end) with the entities inside it (sorted, nested) to `parent`. */
function appendRange(parent, text, start, end, entities) {
  let at = start;
  let i = 0;
  while (i < entities.length) {
    const e = entities[i];
    const eStart = Math.max(e.offset, at);
    const eEnd = Math.min(e.offset + e.length, end);
    // Entities nested inside this one are rendered by the recursive call.
    let j = i + 1;
    while (j < entities.length && entities[j].offset < e.offset + e.length) j += 1;
    if (eStart > at) parent.appendChild(document.createTextNode(text.slice(at, eStart)));
    if (eEnd > eStart) {
      const el = elementFor(e) || document.createDocumentFragment();
      appendRange(el, text, eStart, eEnd, entities.slice(i + 1, j));
      parent.appendChild(el);
      at = eEnd;
    }
    i = j;
  }
  if (at < end) parent.appendChild(document.createTextNode(text.slice(at, end)));
}

/** A fragment showing `text` with its entities (invalid entities are ignored). */
function renderEntities(text, entities) {
  const valid = (Array.isArray(entities) ? entities : [])
    .filter(
      (e) =>
        e &&
        typeof e.type === 'string' &&
        Number.isInteger(e.offset) &&
        Number.isInteger(e.length) &&
        e.offset >= 0 &&
        e.length > 0 &&
        e.offset + e.length <= text.length,
    )
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  const fragment = document.createDocumentFragment();
  appendRange(fragment, text, 0, text.length, valid);
  return fragment;
}

window.tmbotRender = { renderEntities, safeHref };
