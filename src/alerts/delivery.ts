import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import type { View } from '../views/view';
import type { NotificationKind, NotificationRecord, OutboxItem } from './state';
import type { AlertKind, AlertRecord, AlertTarget, Severity } from './types';
import { alertView, GROUP_LINES, groupHeader, groupView, resolutionView } from './views';

export interface AlertEngineDeps {
  policy: AlertPolicy;
  clock: Clock;
  store: StateStore;
  messenger: AlertMessenger;
  log: Logger;
}

/** What a button press did, for the toast. */
export type ActOutcome =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly reason: 'unknown' | 'closed' };

/** A message to send: which alerts it announces and which resolutions it lists. */
export interface Outgoing {
  readonly kind: NotificationKind;
  readonly alertIds: readonly string[];
  readonly resolvedIds: readonly string[];
  readonly more: number;
}

/** Quiet hours as minutes of the day in the daemon's time zone; `start > end` spans midnight. */
export interface QuietHours {
  readonly startMinute: number;
  readonly endMinute: number;
}

export function inQuietHours(q: QuietHours | undefined, now: number): boolean {
  if (q === undefined || q.startMinute === q.endMinute) return false;
  const d = new Date(now);
  const m = d.getHours() * 60 + d.getMinutes();
  return q.startMinute < q.endMinute
    ? m >= q.startMinute && m < q.endMinute
    : m >= q.startMinute || m < q.endMinute;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Info is always silent; in quiet hours everything below critical is. */
export function isSilent(records: readonly AlertRecord[], quiet: boolean): boolean {
  const top = records.reduce((max, r) => Math.max(max, RANK[r.severity]), 0);
  return top === RANK.info || (quiet && top < RANK.critical);
}

/**
 * Whether a resolution deserves its own line: the alert was announced and nobody had acked or
 * muted it; or its target went away before any message about it left (a container killed and
 * removed at once), so this line is all anyone hears of it.
 */
function announcesResolution(r: AlertRecord): boolean {
  const open = r.resolvedFrom === 'firing' || r.resolvedFrom === 'snoozed';
  const told = r.sent && r.quietResolve !== true;
  const goneBeforeTold = !r.sent && r.quietResolve === true;
  return open && (told || goneBeforeTold);
}

/**
 * Turns queued items into messages: one alert alone keeps its own message with
 * buttons, anything more arriving together becomes grouped messages of at most
 * {@link GROUP_LINES} lines. Also returns which sent notifications to re-render.
 */
export function compose(
  items: readonly OutboxItem[],
  byId: ReadonlyMap<string, AlertRecord>,
  notifications: readonly NotificationRecord[],
): { outgoing: Outgoing[]; edits: string[] } {
  const fires: string[] = [];
  const resolved: string[] = [];
  const edits = new Set<string>();
  for (const item of items) {
    const r = byId.get(item.alertId);
    if (r === undefined) continue;
    if (item.what === 'fire') {
      if (r.state === 'firing' && !fires.includes(r.id)) fires.push(r.id);
    } else {
      for (const n of notifications) if (n.alertIds.includes(r.id)) edits.add(n.id);
      if (announcesResolution(r) && !resolved.includes(r.id)) resolved.push(r.id);
    }
  }
  const outgoing: Outgoing[] = [];
  if (fires.length === 1 && resolved.length === 0) {
    outgoing.push({ kind: 'single', alertIds: fires, resolvedIds: [], more: 0 });
  } else if (fires.length === 0 && resolved.length === 1) {
    outgoing.push({ kind: 'resolution', alertIds: [], resolvedIds: resolved, more: 0 });
  } else {
    const all = listing(fires, resolved, byId);
    for (let i = 0; i < all.length; i += GROUP_LINES) {
      const chunk = all.slice(i, i + GROUP_LINES);
      outgoing.push({
        kind: 'group',
        alertIds: chunk.filter((c) => c.fire).map((c) => c.id),
        resolvedIds: chunk.filter((c) => !c.fire).map((c) => c.id),
        more: 0,
      });
    }
  }
  return { outgoing, edits: [...edits] };
}

/**
 * Open alerts and resolutions as the lines of grouped messages: most severe first, so that when
 * a burst is cut at {@link GROUP_LINES} it is info news (containers created and removed) that
 * goes to "…and N more", never a container that died; open before resolved within a severity.
 */
function listing(
  open: readonly string[],
  done: readonly string[],
  byId: ReadonlyMap<string, AlertRecord>,
): { id: string; fire: boolean }[] {
  const all = [
    ...open.map((id) => ({ id, fire: true })),
    ...done.map((id) => ({ id, fire: false })),
  ];
  const rank = (id: string): number => {
    const r = byId.get(id);
    return r === undefined ? -1 : RANK[r.severity];
  };
  return all.sort((a, b) => rank(b.id) - rank(a.id));
}

/** Everything held back (budget or maintenance) as one message, listing at most {@link GROUP_LINES} and counting all. */
export function composeSummary(
  kind: 'digest' | 'maintenance',
  ids: readonly string[],
  byId: ReadonlyMap<string, AlertRecord>,
): Outgoing {
  const open: string[] = [];
  const done: string[] = [];
  for (const id of new Set(ids)) {
    const r = byId.get(id);
    if (r === undefined) continue;
    if (r.state === 'resolved') done.push(id);
    else if (r.state !== 'muted') open.push(id);
  }
  const listed = listing(open, done, byId).slice(0, GROUP_LINES);
  return {
    kind,
    alertIds: listed.filter((l) => l.fire).map((l) => l.id),
    resolvedIds: listed.filter((l) => !l.fire).map((l) => l.id),
    more: open.length + done.length - listed.length,
  };
}

/** The message text of a notification from the alerts' current state. */
export function renderNotification(
  n: Pick<NotificationRecord, 'id' | 'kind' | 'alertIds' | 'resolvedIds' | 'more'>,
  byId: ReadonlyMap<string, AlertRecord>,
  now: number,
  extra = '',
): View {
  const pick = (ids: readonly string[]): AlertRecord[] =>
    ids.flatMap((id) => {
      const r = byId.get(id);
      return r === undefined ? [] : [r];
    });
  const alerts = pick(n.alertIds);
  const resolved = pick(n.resolvedIds);
  const first = alerts[0];
  if (n.kind === 'single' && first !== undefined) return alertView(first, now);
  const firstResolved = resolved[0];
  if (n.kind === 'resolution' && firstResolved !== undefined)
    return resolutionView(firstResolved, now);
  const count = n.alertIds.length + n.resolvedIds.length + n.more;
  const kind = n.kind === 'digest' || n.kind === 'maintenance' ? n.kind : 'group';
  return groupView(groupHeader(kind, count, extra), alerts, resolved, n.more, n.id, now);
}

/** The engine's settings (from `alerts.*` and pyTMBot's `plugins_config.monitor.*`). */
export interface AlertPolicy {
  readonly severity: Readonly<Record<AlertKind, Severity>>;
  /** Messages per budget window; the rest is folded into one digest. */
  readonly maxNotifications: number;
  readonly budgetWindowMs: number;
  /** Wait this long after the first event so events arriving together share a message. */
  readonly settleMs: number;
  /** After a message, further alerts wait at least this long and go out as one group. */
  readonly groupWindowMs: number;
  readonly quietHours: QuietHours | undefined;
  readonly targets: readonly AlertTarget[];
}

/** Where alerts go: every global chat, plus the alert chat (in its forum topic). */
export function alertTargets(
  globalChatIds: readonly number[],
  alerts: { readonly chatId: number | undefined; readonly threadId: number | undefined },
): AlertTarget[] {
  const targets: AlertTarget[] = globalChatIds.map((chatId) => ({ chatId }));
  if (alerts.chatId !== undefined && !globalChatIds.includes(alerts.chatId))
    targets.push({
      chatId: alerts.chatId,
      ...(alerts.threadId !== undefined ? { threadId: alerts.threadId } : {}),
    });
  return targets;
}

/** How the engine reaches Telegram: sends return the message id. */
export interface AlertMessenger {
  send(target: AlertTarget, view: View, silent: boolean): Promise<number>;
  edit(chatId: number, messageId: number, view: View): Promise<void>;
  /**
   * Context for a single alert just sent (the last hour's chart, `history.alert_charts`),
   * as replies to its messages. Absent when there is none to give.
   */
  attach?(
    alert: AlertRecord,
    sent: readonly { readonly target: AlertTarget; readonly messageId: number }[],
    silent: boolean,
  ): Promise<void>;
}
