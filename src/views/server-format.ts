/**
 * Number and text formatting shared by the server screens. Pure; every
 * function accepts `undefined` where a metric can be missing and says so.
 */
import { clip, html, joinHtml, visibleText, type Html } from './html';
import { TELEGRAM_LIMITS } from './view';
import { isoTime } from '../clock';

export const NA = 'not available';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Binary units, three significant digits: 512 B, 1.50 KiB, 23.5 GiB. */
export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n < 0) return NA;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v} B`;
  const digits = v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

/** "12.3 %"; values from 10 up lose the decimal only above 100 (load can exceed it). */
export function percent(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return NA;
  return `${n >= 100 ? Math.round(n) : n.toFixed(1)} %`;
}

/**
 * Plain count with thousands separators: 1,234,567. Done by hand: the first
 * toLocaleString() call loads ICU data and held the event loop for ~15 ms.
 */
export function count(n: number): string {
  const digits = String(Math.abs(Math.round(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n <= -0.5 ? `-${out}` : out;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Like pyTMBot's timedelta: "12 days, 03:04:05", "1 day, 00:00:09", "04:05:06". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const rest = `${pad2(Math.floor((s % 86_400) / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  return days === 0 ? rest : `${days} day${days === 1 ? '' : 's'}, ${rest}`;
}

/** Short relative age: "45 s", "3 min", "2 h 5 min", "4 days". */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  const d = Math.floor(s / 86_400);
  return `${d} day${d === 1 ? '' : 's'}`;
}

/** "2026-01-01 10:00 UTC". */
export function utcMinute(ms: number): string {
  return `${isoTime(ms).slice(0, 16).replace('T', ' ')} UTC`;
}

/** A fixed-width usage bar: ▓▓▓░░░░░░░░░. */
export function bar(pct: number, cells = 12): string {
  const filled = Math.round((Math.min(100, Math.max(0, pct)) / 100) * cells);
  return '▓'.repeat(filled) + '░'.repeat(cells - filled);
}

/**
 * Text from the host (process, mount and interface names) made safe for one
 * table cell: control and bidi-override characters shown as �, clipped to `max` characters.
 * Markup characters stay as they are; the html tag escapes them.
 */
export function cell(text: string, max: number): string {
  // Bidi overrides would reorder the table around the name, so they go too.
  return clip(text.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '�'), max);
}

/** Pads to `width` code points (left-aligned text, or right-aligned numbers). */
export function padCell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const len = Array.from(text).length;
  const fill = ' '.repeat(Math.max(0, width - len));
  return align === 'left' ? text + fill : fill + text;
}

/** Room left for a screen body once the context note and a margin are counted. */
export const BODY_LIMIT = TELEGRAM_LIMITS.messageText - 400;

/**
 * Joins as many `items` as fit in Telegram's limit after `head`; the rest
 * become "… and N more". Lengths are counted as Telegram does, after markup.
 */
export function fitItems(
  head: Html,
  items: readonly Html[],
  limit = BODY_LIMIT,
  separator = '\n',
): Html {
  let used = visibleText(head.value).length;
  const kept: Html[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Html;
    const len = visibleText(item.value).length + separator.length;
    const moreLen = i < items.length - 1 ? 40 : 0;
    if (used + len + moreLen > limit) {
      return html`${head}${joinHtml(kept, separator)}${separator}… and ${items.length - i} more`;
    }
    used += len;
    kept.push(item);
  }
  return html`${head}${joinHtml(kept, separator)}`;
}
