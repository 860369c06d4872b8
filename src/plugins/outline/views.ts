/**
 * Outline VPN plugin screens. Pure; key names come from the Outline server and are
 * hostile text, so they are escaped by `html` and clipped, and lists stop within the
 * message limit with "… and N more". Access URLs are never part of the data.
 */
import type { OutlineAccessKey, OutlineServerInfo } from './client';
import { clip, html, type Html } from '../../views/html';
import { subMenuKeyboard } from '../../views/keyboards';
import { bytes, utcMinute } from '../../views/server-format';
import type { View } from '../../views/view';
import { TELEGRAM_LIMITS } from '../../views/view';

/** Reply-keyboard labels of the plugin; the router matches them exactly. */
export const OUTLINE_MENU = {
  open: '🪐 Outline VPN',
  info: '🚡 Outline info',
  keys: '📚 Keys',
  traffic: '🚅 Traffic',
} as const;

const NAME_MAX = 48;
// Visible characters the list lines may use; the rest of the message stays far below the limit.
const LIST_BUDGET = TELEGRAM_LIMITS.messageText - 600;

/** The Outline submenu. */
export function outlineMenuView(): View {
  return {
    html: html`🪐 <b>Outline VPN</b>

Server info, access keys (names only) and traffic per key.`,
    keyboard: subMenuKeyboard([OUTLINE_MENU.info, OUTLINE_MENU.keys, OUTLINE_MENU.traffic]),
  };
}

function created(ms: number | undefined): string {
  return ms === undefined ? 'unknown' : utcMinute(ms);
}

/** `GET /server` as a card; answering at all means the server is up. */
export function outlineInfoView(info: OutlineServerInfo): View {
  const metrics =
    info.metricsEnabled === undefined ? 'unknown' : info.metricsEnabled ? 'enabled' : 'disabled';
  return {
    html: html`🚡 <b>Outline server</b>

🟢 Up and running
Name: <b>${oneLine(info.name, NAME_MAX) || '(unnamed)'}</b>
${info.version !== undefined ? html`Version: ${oneLine(info.version, 32)}\n` : ''}Metrics sharing: ${metrics}
Created: ${created(info.createdTimestampMs)}
Port for new keys: ${info.portForNewAccessKeys ?? 'unknown'}`,
  };
}

/** One line of hostile text: line breaks would forge list entries. */
function oneLine(text: string, max: number): string {
  return clip(text.replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ').trim(), max);
}

function keyName(k: OutlineAccessKey): string {
  const name = oneLine(k.name, NAME_MAX);
  return name === '' ? `key ${oneLine(k.id, 16)}` : name;
}

/** Adds lines while they fit the budget; says how many were left out. */
function boundedList(lines: readonly { visible: number; line: Html }[]): Html[] {
  const out: Html[] = [];
  let used = 0;
  for (const [i, l] of lines.entries()) {
    if (used + l.visible > LIST_BUDGET) {
      out.push(html`… and ${lines.length - i} more\n`);
      break;
    }
    used += l.visible;
    out.push(l.line);
  }
  return out;
}

/** `GET /access-keys`: the count and the names, never the access URLs. */
export function outlineKeysView(keys: readonly OutlineAccessKey[]): View {
  if (keys.length === 0) return { html: html`📚 <b>Access keys</b>\n\nNo access keys.` };
  const lines = keys.map((k) => {
    const name = keyName(k);
    return { visible: name.length + 3, line: html`• ${name}\n` };
  });
  return {
    html: html`📚 <b>Access keys</b> (${keys.length})

${boundedList(lines)}`,
  };
}

/** `GET /metrics/transfer` joined with key names, busiest key first. */
export function outlineTrafficView(
  keys: readonly OutlineAccessKey[],
  transfer: ReadonlyMap<string, number>,
): View {
  if (transfer.size === 0)
    return { html: html`🚅 <b>Traffic</b>\n\nNo traffic recorded (are metrics enabled?).` };
  const names = new Map(keys.map((k) => [k.id, keyName(k)]));
  const rows = [...transfer.entries()].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const lines = rows.map(([id, n]) => {
    const name = names.get(id) ?? `key ${oneLine(id, 16)}`;
    const amount = bytes(n);
    return { visible: name.length + amount.length + 5, line: html`• ${name}: <b>${amount}</b>\n` };
  });
  return {
    html: html`🚅 <b>Traffic</b> (total ${bytes(total)})

${boundedList(lines)}`,
  };
}

/** The server could not be used; `reason` is user-safe (never the API URL). */
export function outlineErrorView(reason: string): View {
  return { html: html`⚠️ Outline server not reachable: ${clip(reason, 200)}` };
}
