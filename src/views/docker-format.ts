import type { ContainerState, HealthStatus, KeyValue } from '../adapters/docker/port';
import { describeForUser } from './errors';
import {
  clip,
  clipMiddle,
  clipUnits,
  html,
  Html,
  joinHtml,
  visibleText,
  type HtmlValue,
} from './html';
import { isSecretName } from '../security/redact-container';
import { TELEGRAM_LIMITS } from './view';
import { isoTime } from '../clock';
import { utcMinute } from './server-format';

/** Shared pieces of the Docker screens: badges, sizes, times, masking, fitting. */

const STATE_BADGE: Record<ContainerState, string> = {
  running: '🟢',
  paused: '🟡',
  restarting: '🔄',
  exited: '🔴',
  created: '⚪',
  dead: '⚫',
  removing: '🗑',
  unknown: '❔',
};

export const stateBadge = (state: ContainerState): string => STATE_BADGE[state];

const HEALTH_TEXT: Record<HealthStatus, string> = {
  healthy: '💚 healthy',
  unhealthy: '💔 unhealthy',
  starting: '⏳ health starting',
  none: '',
};

/** "💚 healthy"; empty when the container has no healthcheck. */
export const healthText = (health: HealthStatus): string => HEALTH_TEXT[health];

/** 12 hex chars, as `docker ps` shows ids. */
export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[u] ?? 'B'}`;
}

/** "3 d 4 h", "5 h 2 min", "42 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/** "5 min ago"; "just now" under a minute; future times count as now. */
export function ago(then: number, now: number): string {
  const ms = now - then;
  return ms < 60_000 ? 'just now' : `${formatDuration(ms)} ago`;
}

/** "2026-11-21 10:05 UTC". */
/** The largest time a Date can hold; beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

const validTime = (ms: number | undefined): ms is number =>
  ms !== undefined && Number.isFinite(ms) && ms > 0 && ms <= MAX_DATE_MS;

export function formatTime(ms: number | undefined): string {
  if (!validTime(ms)) return '—';
  return utcMinute(ms);
}

/** Time of day with seconds, for "as of" stamps on live figures. */
export function formatClock(ms: number | undefined): string {
  if (!validTime(ms)) return '—';
  return `${isoTime(ms).slice(11, 19)} UTC`;
}

export const HIDDEN = '<hidden>';

/** Hides the password of "scheme://user:password@host" wherever it appears. */
export const maskUrlPasswords = (text: string): string =>
  text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi, `$1${HIDDEN}@`);

/** Masks a value by its name, and any credentials inside URLs; then clips it. */
export function maskedValue(pair: KeyValue, max = 100): string {
  return isSecretName(pair.key) ? HIDDEN : clip(maskUrlPasswords(pair.value), max);
}

/** "key=value" lines (masked), at most `max`, then "+N more". */
export function keyValueLines(
  pairs: readonly KeyValue[],
  max: number,
  keyMax = 64,
  valueMax = 100,
): Html {
  const lines = pairs
    .slice(0, max)
    .map((p) => html`<code>${clip(p.key, keyMax)}</code>=${maskedValue(p, valueMax)}`);
  if (pairs.length > max) lines.push(html`<i>+${pairs.length - max} more</i>`);
  return joinHtml(lines, '\n');
}

/** A list clipped to `max` items with "+N more". */
export function capped(items: readonly string[], max: number, itemMax = 100, sep = ', '): Html {
  const shown = items.slice(0, max).map((i) => clip(i, itemMax));
  const more = items.length > max ? html` <i>+${items.length - max} more</i>` : '';
  return html`${shown.join(sep)}${more}`;
}

/** "— " for an empty string, so a field never renders blank. */
export const orDash = (v: string | undefined, max = 100): string =>
  v === undefined || v === '' ? '—' : clip(v, max);

/** "sh -c 'x'"-like rendering of an argv. */
export const argv = (parts: readonly string[], max = 200): string =>
  parts.length === 0
    ? '—'
    : clip(parts.map((p) => (/[\s'"]/.test(p) ? JSON.stringify(p) : p)).join(' '), max);

/** The "which host" line of every screen when several hosts are configured. */
export function hostLine(host: string | undefined): Html {
  return host === undefined ? html`` : html`🖥 Host: <code>${clipMiddle(host, 80)}</code>\n`;
}

/**
 * Joins sections with blank lines, dropping sections from the end (never the
 * first) until the visible text fits Telegram's message limit; a first section
 * too long by itself is shown as plain text, cut.
 */
export function fitSections(
  sections: readonly HtmlValue[],
  limit: number = TELEGRAM_LIMITS.messageText - 96,
): Html {
  const parts = sections.filter((s) => !(s instanceof Html && s.value === '') && s !== '');
  for (let keep = parts.length; keep >= 1; keep--) {
    const note =
      keep < parts.length
        ? [html`<i>(${parts.length - keep} more section(s) left out to fit Telegram's limit)</i>`]
        : [];
    const out = joinHtml([...parts.slice(0, keep), ...note], '\n\n');
    if (visibleText(out.value).length <= limit) return out;
  }
  // The first section alone is too long (many long names; an emoji counts two): show it as plain text, cut.
  const note = ' (cut to fit Telegram)';
  return html`${clipUnits(visibleText(joinHtml([parts[0] ?? ''], '').value), limit - note.length)}<i>${note}</i>`;
}

/** "Page 2/5". */
export const pageLabel = (page: number, pages: number): string =>
  `Page ${page + 1}/${Math.max(1, pages)}`;

/** A page index clamped into range (callback args are old by the time they are pressed). */
/** One page of `items`: the requested page clamped into range (a stale button never breaks). */
export function pageOf<T>(
  items: readonly T[],
  requested: number,
  perPage: number,
): { page: number; pages: number; shown: readonly T[] } {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const page = Number.isInteger(requested) ? Math.min(Math.max(0, requested), pages - 1) : 0;
  return { page, pages, shown: items.slice(page * perPage, (page + 1) * perPage) };
}

/** Why the details screen has no live figures. */
export type StatsNote =
  | { readonly kind: 'not_running'; readonly state?: string }
  | { readonly kind: 'late' }
  | { readonly kind: 'failed'; readonly error: unknown };

export function statsNote(note: StatsNote): string {
  switch (note.kind) {
    case 'not_running':
      return note.state === undefined ? 'not running' : `not running (${note.state})`;
    case 'late':
      return 'live figures did not arrive in time; refresh to try again';
    case 'failed':
      return `live figures unavailable: ${describeForUser(note.error)}`;
  }
}
