import {
  ALERT_KINDS,
  SEVERITIES,
  type AlertKind,
  type AlertRecord,
  type AlertState,
  type MuteRule,
} from './types';

/** The state file of the alert engine. */
export const ALERTS_STATE_FILE = 'alerts.json';

/** What still has to reach the chats. */
export interface OutboxItem {
  readonly alertId: string;
  readonly what: 'fire' | 'resolve';
}

/** What a sent notification shows; decides how it is re-rendered when its alerts change. */
export type NotificationKind = 'single' | 'resolution' | 'group' | 'digest' | 'maintenance';

/** One notification (the same text in every target chat), editable while its alerts change. */
export interface NotificationRecord {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly alertIds: readonly string[];
  /** Resolutions it announced (listed, not acted on). */
  readonly resolvedIds: readonly string[];
  readonly sentAt: number;
  readonly messages: readonly { readonly chatId: number; readonly messageId: number }[];
  /** Alerts counted but not listed (over the per-message line limit). */
  readonly more: number;
}

export interface MaintenanceState {
  readonly startedAt: number;
  readonly until: number;
  /** Who switched it on: "user 123" or "cli". */
  readonly by: string;
  /** Alerts raised or resolved meanwhile, for the summary. */
  readonly alertIds: readonly string[];
}

/** A resolved alert no longer held: when it fired and when it was resolved (ms). */
export type PastAlert = readonly [firedAt: number, resolvedAt: number];

/** Everything the engine persists; one JSON document. */
export interface AlertsDoc {
  v: 1;
  alerts: AlertRecord[];
  mutes: MuteRule[];
  notifications: NotificationRecord[];
  outbox: OutboxItem[];
  /** Held by the notification budget; sent as one digest when the window allows. */
  digest: OutboxItem[];
  maintenance: MaintenanceState | undefined;
  budget: { windowStart: number; sent: number };
  /**
   * Resolved alerts pruned from `alerts`, kept {@link PAST_KEEP_MS} so a weekly report
   * counts the whole week (absent in documents from before it was kept).
   */
  past: PastAlert[];
}

export function emptyDoc(): AlertsDoc {
  return {
    v: 1,
    alerts: [],
    mutes: [],
    notifications: [],
    outbox: [],
    digest: [],
    maintenance: undefined,
    budget: { windowStart: 0, sent: 0 },
    past: [],
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length <= 10_000;
const STATES: readonly AlertState[] = ['firing', 'acked', 'snoozed', 'muted', 'resolved'];
const isKind = (v: unknown): v is AlertKind => ALERT_KINDS.includes(v as AlertKind);

/** The document's outer shape; entries are checked one by one by {@link sanitiseDoc}. */
export function isAlertsDoc(v: unknown): v is AlertsDoc {
  return (
    isObj(v) &&
    v.v === 1 &&
    Array.isArray(v.alerts) &&
    Array.isArray(v.mutes) &&
    Array.isArray(v.notifications) &&
    Array.isArray(v.outbox) &&
    Array.isArray(v.digest) &&
    isObj(v.budget)
  );
}

function isRecord(v: unknown): v is AlertRecord {
  if (!isObj(v) || !isObj(v.facts) || !isKind(v.facts.kind)) return false;
  return (
    isStr(v.id) &&
    isStr(v.key) &&
    isStr(v.host) &&
    isStr(v.target) &&
    SEVERITIES.includes(v.severity as never) &&
    STATES.includes(v.state as AlertState) &&
    isNum(v.firedAt) &&
    typeof v.sent === 'boolean' &&
    typeof v.oneShot === 'boolean'
  );
}

function isMute(v: unknown): v is MuteRule {
  return (
    isObj(v) &&
    isStr(v.id) &&
    isKind(v.kind) &&
    isStr(v.host) &&
    isStr(v.target) &&
    isNum(v.createdAt) &&
    isNum(v.by)
  );
}

const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

function isNotification(v: unknown): v is NotificationRecord {
  return (
    isObj(v) &&
    isStr(v.id) &&
    ['single', 'resolution', 'group', 'digest', 'maintenance'].includes(v.kind as string) &&
    isIdList(v.alertIds) &&
    isIdList(v.resolvedIds) &&
    isNum(v.sentAt) &&
    isNum(v.more) &&
    Array.isArray(v.messages) &&
    v.messages.every((m) => isObj(m) && isNum(m.chatId) && isNum(m.messageId))
  );
}

const isOutbox = (v: unknown): v is OutboxItem =>
  isObj(v) && isStr(v.alertId) && (v.what === 'fire' || v.what === 'resolve');

function maintenanceOf(v: unknown): MaintenanceState | undefined {
  if (!isObj(v) || !isNum(v.startedAt) || !isNum(v.until) || !isStr(v.by)) return undefined;
  return {
    startedAt: v.startedAt,
    until: v.until,
    by: v.by,
    alertIds: isIdList(v.alertIds) ? v.alertIds : [],
  };
}

const isPast = (v: unknown): v is PastAlert =>
  Array.isArray(v) && v.length === 2 && isNum(v[0]) && isNum(v[1]);

/** Keeps every well-formed entry of a loaded document; a damaged entry is dropped, not the file. */
export function sanitiseDoc(doc: AlertsDoc): AlertsDoc {
  const alerts = doc.alerts.filter(isRecord);
  const ids = new Set(alerts.map((a) => a.id));
  const budget = doc.budget as unknown as Obj;
  return {
    v: 1,
    alerts,
    mutes: doc.mutes.filter(isMute),
    notifications: doc.notifications.filter(isNotification),
    outbox: doc.outbox.filter((o) => isOutbox(o) && ids.has(o.alertId)),
    digest: doc.digest.filter((o) => isOutbox(o) && ids.has(o.alertId)),
    maintenance: maintenanceOf(doc.maintenance),
    budget: {
      windowStart: isNum(budget.windowStart) ? budget.windowStart : 0,
      sent: isNum(budget.sent) ? budget.sent : 0,
    },
    past: Array.isArray(doc.past) ? doc.past.filter(isPast).slice(-MAX_PAST) : [],
  };
}

/** Resolved alerts are kept this long, so a late button press still finds them. */
export const RESOLVED_KEEP_MS = 48 * 3600_000;
/** Most notifications remembered for edits (older messages are left as they are). */
export const MAX_NOTIFICATIONS = 500;
/** Most alert records kept; the oldest resolved ones go first. */
export const MAX_ALERTS = 2000;
/** Pruned resolved alerts are still counted this long: a weekly report's period and a day more. */
export const PAST_KEEP_MS = 8 * 86_400_000;
/** Most pruned alerts counted (the oldest go first): about 30 bytes each in the state file. */
export const MAX_PAST = 5000;

/**
 * Drops what can no longer matter: old resolved alerts (their times move to `past`, for
 * reports) and old notifications.
 */
export function prune(doc: AlertsDoc, now: number): void {
  const before = doc.alerts;
  const referenced = new Set<string>([
    ...doc.outbox.map((o) => o.alertId),
    ...doc.digest.map((o) => o.alertId),
    ...(doc.maintenance?.alertIds ?? []),
  ]);
  doc.alerts = doc.alerts.filter(
    (a) =>
      a.state !== 'resolved' ||
      referenced.has(a.id) ||
      now - (a.resolvedAt ?? a.firedAt) < RESOLVED_KEEP_MS,
  );
  if (doc.alerts.length > MAX_ALERTS) {
    const resolved = doc.alerts.filter((a) => a.state === 'resolved' && !referenced.has(a.id));
    const drop = new Set(resolved.slice(0, doc.alerts.length - MAX_ALERTS).map((a) => a.id));
    doc.alerts = doc.alerts.filter((a) => !drop.has(a.id));
  }
  if (doc.notifications.length > MAX_NOTIFICATIONS)
    doc.notifications = doc.notifications.slice(-MAX_NOTIFICATIONS);
  const kept = new Set(doc.alerts);
  const dropped = before.filter((a) => !kept.has(a));
  if (dropped.length === 0 && (doc.past[0]?.[1] ?? now) > now - PAST_KEEP_MS) return;
  doc.past = [...doc.past, ...dropped.map((a): PastAlert => [a.firedAt, a.resolvedAt ?? a.firedAt])]
    .filter((p) => p[1] > now - PAST_KEEP_MS)
    .slice(-MAX_PAST);
}

/** The alerts a button names: `a:<alert id>`, or `n:<notification id>` for every alert of a grouped message. */
export function alertsByRef(doc: AlertsDoc, ref: string): AlertRecord[] | undefined {
  const id = ref.slice(2);
  if (ref.startsWith('a:')) {
    const r = doc.alerts.find((a) => a.id === id);
    return r === undefined ? undefined : [r];
  }
  const n = ref.startsWith('n:') ? doc.notifications.find((x) => x.id === id) : undefined;
  return n === undefined ? undefined : doc.alerts.filter((a) => n.alertIds.includes(a.id));
}

/** Messages still allowed in the current budget window (a new window starts when the last one ended). */
export function budgetLeft(doc: AlertsDoc, now: number, max: number, windowMs: number): number {
  const b = doc.budget;
  if (now >= b.windowStart + windowMs) {
    b.windowStart = now;
    b.sent = 0;
  }
  return max - b.sent;
}
