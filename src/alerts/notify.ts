import {
  inQuietHours,
  isSilent,
  renderNotification,
  type AlertEngineDeps,
  type Outgoing,
} from './delivery';
import type { NotificationRecord } from './state';
import type { AlertRecord, AlertTarget } from './types';

type Io = Pick<AlertEngineDeps, 'policy' | 'messenger' | 'log'>;

/** Re-renders notifications whose alerts changed and edits their messages in every chat. */
export async function editNotifications(
  io: Io,
  notifications: readonly NotificationRecord[],
  ids: readonly string[],
  byId: ReadonlyMap<string, AlertRecord>,
  now: number,
): Promise<void> {
  for (const id of ids) {
    const n = notifications.find((x) => x.id === id);
    if (n === undefined) continue;
    const view = renderNotification(n, byId, now);
    for (const msg of n.messages) {
      await io.messenger
        .edit(msg.chatId, msg.messageId, view)
        .catch((err: unknown) => io.log.warn('could not edit an alert message', { error: err }));
    }
  }
}

/**
 * Sends one notification to every target (silent below critical in quiet hours, info always).
 * Its alerts are marked as told; news is done once told. Undefined when no chat accepted it.
 */
export async function sendNotification(
  io: Io,
  o: Outgoing,
  byId: ReadonlyMap<string, AlertRecord>,
  id: string,
  now: number,
): Promise<NotificationRecord | undefined> {
  const records = [...o.alertIds, ...o.resolvedIds].flatMap((x) => {
    const r = byId.get(x);
    return r === undefined ? [] : [r];
  });
  const silent =
    o.kind !== 'maintenance' && isSilent(records, inQuietHours(io.policy.quietHours, now));
  const view = renderNotification({ ...o, id }, byId, now);
  const messages: { chatId: number; messageId: number }[] = [];
  const sent: { target: AlertTarget; messageId: number }[] = [];
  for (const target of io.policy.targets) {
    try {
      const messageId = await io.messenger.send(target, view, silent);
      messages.push({ chatId: target.chatId, messageId });
      sent.push({ target, messageId });
    } catch (err) {
      io.log.warn('could not send an alert', { error: err, chatId: target.chatId });
    }
  }
  if (messages.length === 0 && io.policy.targets.length > 0) return undefined;
  await attachContext(io, o, byId, sent, silent);
  for (const r of records) {
    r.sent = true;
    if (r.oneShot && r.state !== 'resolved') {
      r.state = 'resolved';
      r.resolvedAt = now;
    }
  }
  return { ...o, id, sentAt: now, messages };
}

/** A single alert's context (its chart) after its text went out; a failure only logs. */
async function attachContext(
  io: Io,
  o: Outgoing,
  byId: ReadonlyMap<string, AlertRecord>,
  sent: readonly { target: AlertTarget; messageId: number }[],
  silent: boolean,
): Promise<void> {
  const alert = o.kind === 'single' ? byId.get(o.alertIds[0] ?? '') : undefined;
  if (io.messenger.attach === undefined || alert === undefined || sent.length === 0) return;
  await io.messenger
    .attach(alert, sent, silent)
    .catch((err: unknown) => io.log.warn('could not attach an alert chart', { error: err }));
}
