import { formatDuration, formatTime } from '../views/docker-format';
import { clip, html, joinHtml, type Html } from '../views/html';
import { defineAction, field } from '../telegram/actions';
import type { ActionButton, Keyboard, View } from '../views/view';
import type { ActOutcome } from './delivery';
import type { AlertFacts, AlertRecord, ExitFacts, LogPatternFacts, MuteRule } from './types';

/** Snooze lengths offered on every alert, in hours. */
export const SNOOZE_HOURS = ['1', '4', '24'] as const;
/** `a:<alert id>` or `n:<notification id>` (every alert of a grouped message). */
const ref = field.text(/^[an]:[A-Za-z0-9_-]{8}$/);
/** The alert buttons. */
export const ALERT_ACK = defineAction('alerts.ack', { ref });
export const ALERT_SNOOZE = defineAction('alerts.snooze', {
  ref,
  hours: field.oneOf(SNOOZE_HOURS),
});
export const ALERT_MUTE = defineAction('alerts.mute', { ref });
/** The mute rules screen (/mutes, and 🔇 Mutes on the monitor's status screen) and its remove buttons. */
export const ALERT_MUTES = defineAction('alerts.mutes');
export const ALERT_UNMUTE = defineAction('alerts.unmute', {
  rule: field.text(/^[A-Za-z0-9_-]{8}$/),
});
/** Most mute rules listed (each with its remove button). */
const MUTE_ROWS = 20;
/** Most alerts listed in one grouped message (30 stopped containers still fit in one). */
export const GROUP_LINES = 40;
/** Log lines shown in a died alert and the characters kept of each. */
const LOG_LINE_CHARS = 200;

const ICON: Record<AlertFacts['kind'], string> = {
  container_died: '🔴',
  container_oom: '💥',
  container_unhealthy: '💔',
  restart_loop: '🔄',
  container_created: '🆕',
  container_removed: '🗑',
  image_new: '🆕',
  cpu: '🔥',
  memory: '🧠',
  disk: '💽',
  temperature: '🌡️',
  swap: '🧠',
  load: '📈',
  fan: '🌀',
  log_pattern: '📜',
  host_unreachable: '📡',
};

function exitWords(f: ExitFacts): string {
  if (f.exitCode === undefined) return 'exit code unknown';
  return `exit ${f.exitCode}${f.signal !== undefined ? ` (${f.signal})` : ''}`;
}

function value(f: { value: number; unit: string }): string {
  return `${Number.isInteger(f.value) ? f.value : f.value.toFixed(1)}${f.unit === '' ? '' : ` ${f.unit}`}`;
}

/** One line naming the alert: what happened to what, where. */
export function alertLine(r: AlertRecord): string {
  const f = r.facts;
  const t = clip(r.target, 60);
  const where = clip(r.host, 60);
  switch (f.kind) {
    case 'container_died':
      return `${ICON[f.kind]} ${t} died, ${exitWords(f)} · ${where}`;
    case 'container_oom':
      return `${ICON[f.kind]} ${t} killed: out of memory (OOM) · ${where}`;
    case 'container_unhealthy':
      return `${ICON[f.kind]} ${t} is unhealthy · ${where}`;
    case 'restart_loop':
      return `${ICON[f.kind]} ${t} is in a restart loop (${f.restarts} restarts in ${f.minutes} min) · ${where}`;
    case 'container_created':
      return `${ICON[f.kind]} container ${t} created (${clip(f.image, 60)}) · ${where}`;
    case 'container_removed':
      return `${ICON[f.kind]} container ${t} removed · ${where}`;
    case 'image_new':
      return `${ICON[f.kind]} new image ${t} · ${where}`;
    case 'log_pattern':
      return `${ICON[f.kind]} ${clip(f.container, 60)} logged '${clip(f.pattern, 40)}'${f.count > 1 ? ` (${f.count}×)` : ''} · ${where}`;
    case 'host_unreachable':
      return `${ICON[f.kind]} ${where} is unreachable: ${f.failures} scrapes in a row failed (${clip(f.reason, 120)})`;
    case 'fan':
      return `${ICON[f.kind]} fan ${clip(f.label, 60)} stopped (${value(f)}) · ${where}`;
    default:
      return `${ICON[f.kind]} ${clip(f.label, 60)} ${value(f)} over ${value({ value: f.threshold, unit: f.unit })} · ${where}`;
  }
}

function exitDetails(f: ExitFacts): Html {
  const lines = f.logLines.map((l) => clip(l, LOG_LINE_CHARS));
  return html`Image: <code>${clip(f.image, 150)}</code>
Exit: <b>${exitWords(f)}</b>${f.ranMs !== undefined ? `\nRan for: ${formatDuration(f.ranMs)}` : ''}
Restarts: ${f.restartCount}${lines.length > 0 ? html`\nLast log lines:\n<pre>${lines.join('\n')}</pre>` : ''}`;
}

const ACTION_WORDS: Record<NonNullable<LogPatternFacts['action']>, string> = {
  restarted: '🔁 restarted by tmbot (action: restart)',
  'restart-failed': '⚠️ the restart (action: restart) failed',
  'budget-spent': '⏸ not restarted: max_restarts_per_hour is spent',
};

function logPatternDetails(f: LogPatternFacts): Html {
  const lines = f.lines.map((l) => clip(l, LOG_LINE_CHARS));
  const notes = [
    ...(f.action !== undefined ? [ACTION_WORDS[f.action]] : []),
    ...(f.cutOff === true
      ? ['✂️ matching this line took too long: it was cut off, the pattern paused here for an hour']
      : []),
  ];
  return html`<pre>${lines.join('\n')}</pre>${notes.length > 0 ? `\n${notes.join('\n')}` : ''}`;
}

function details(f: AlertFacts): Html {
  switch (f.kind) {
    case 'log_pattern':
      return logPatternDetails(f);
    case 'container_died':
    case 'container_oom':
      return exitDetails(f);
    case 'container_unhealthy':
      return f.lastOutput === ''
        ? html``
        : html`Last check: <code>${clip(f.lastOutput.trim(), 500)}</code>`;
    case 'restart_loop':
      return f.last === undefined ? html`` : exitDetails(f.last);
    case 'container_created':
    case 'container_removed':
    case 'image_new':
    case 'host_unreachable':
      return html``;
    default: {
      const top =
        f.top !== undefined && f.top.length > 0
          ? html`\n\nTop processes:\n${joinHtml(
              f.top.map(
                (p) =>
                  html`• <code>${clip(p.name, 40)}</code> (${p.pid}) CPU ${p.cpuPercent.toFixed(1)} %, mem ${p.memPercent.toFixed(1)} %`,
              ),
            )}`
          : '';
      return html`Now: <b>${value(f)}</b> (threshold ${value({ value: f.threshold, unit: f.unit })})${top}`;
    }
  }
}

/** Where the alert stands, for the line under it. */
export function stateLine(r: AlertRecord, now: number): string {
  switch (r.state) {
    case 'firing':
      return r.oneShot ? '' : `🔔 firing since ${formatTime(r.firedAt)}`;
    case 'acked':
      return `✔️ acknowledged${r.by !== undefined ? ` by ${r.by}` : ''}`;
    case 'snoozed':
      return `😴 snoozed until ${formatTime(r.snoozedUntil)}`;
    case 'muted':
      return '🔇 muted (this kind for this target)';
    case 'resolved':
      return r.oneShot
        ? ''
        : `✅ resolved after ${formatDuration((r.resolvedAt ?? now) - r.firedAt)}`;
  }
}

function buttons(target: string, withAck: boolean, withMute: boolean): Keyboard {
  const row1: ActionButton[] = withAck ? [ALERT_ACK.button('✔️ Ack', { ref: target })] : [];
  const snooze = SNOOZE_HOURS.map((hours) =>
    ALERT_SNOOZE.button(`😴 ${hours} h`, { ref: target, hours }),
  );
  const row2 = withMute ? [ALERT_MUTE.button('🔇 Mute this', { ref: target })] : [];
  return { kind: 'inline', rows: [[...row1, ...snooze], ...(row2.length > 0 ? [row2] : [])] };
}

const open = (r: AlertRecord): boolean =>
  !r.oneShot && (r.state === 'firing' || r.state === 'snoozed' || r.state === 'acked');

/** One alert in its own message, with Ack / Snooze / Mute while it is open. */
export function alertView(r: AlertRecord, now: number): View {
  const d = details(r.facts);
  const state = stateLine(r, now);
  const text = html`<b>${alertLine(r)}</b>${d.value === '' ? '' : html`\n\n${d}`}${state === '' ? '' : `\n\n${state}`}`;
  return open(r)
    ? { html: text, keyboard: buttons(`a:${r.id}`, r.state !== 'acked', true) }
    : { html: text };
}

/** Several alerts (and resolutions) that arrived together, in one message. */
export function groupView(
  header: string,
  alerts: readonly AlertRecord[],
  resolved: readonly AlertRecord[],
  more: number,
  notificationId: string,
  now: number,
): View {
  const lines = alerts.map((r) => {
    const s = stateLine(r, now);
    return html`• ${alertLine(r)}${s === '' || r.state === 'firing' ? '' : ` — ${s}`}`;
  });
  const done = resolved.map(
    (r) =>
      html`• ✅ ${alertLine(r)} — resolved after ${formatDuration((r.resolvedAt ?? now) - r.firedAt)}`,
  );
  const text = html`<b>${header}</b>

${joinHtml([...lines, ...done])}${more > 0 ? `\n…and ${more} more (see /monitor)` : ''}`;
  return alerts.some(open)
    ? {
        html: text,
        keyboard: buttons(
          `n:${notificationId}`,
          alerts.some((r) => r.state !== 'acked'),
          false,
        ),
      }
    : { html: text };
}

/** A short note that an alert which nobody acknowledged is over. */
export function resolutionView(r: AlertRecord, now: number): View {
  return {
    html: html`✅ <b>Resolved</b> after ${formatDuration((r.resolvedAt ?? now) - r.firedAt)}: ${alertLine(r)}`,
  };
}

/** The header of a grouped message. */
export function groupHeader(
  kind: 'group' | 'digest' | 'maintenance',
  count: number,
  extra = '',
): string {
  switch (kind) {
    case 'group':
      return `🚨 ${count} alerts`;
    case 'digest':
      return `📋 Digest: ${count} notifications held back by the alert limit${extra}`;
    case 'maintenance':
      return `🛠 Maintenance ended${extra}: ${count} alerts recorded meanwhile`;
  }
}

/** Why an alert button did nothing, for its toast. */
export function refusal(reason: 'unknown' | 'closed' | 'admin-only'): string {
  switch (reason) {
    case 'unknown':
      return 'This alert button is not valid (any more). Open /monitor for the current alerts.';
    case 'closed':
      return 'This alert is already resolved.';
    case 'admin-only':
      return 'Only admins can mute or unmute alerts.';
  }
}

/** The toast after Ack / Snooze / Mute. */
export function actionToast(outcome: ActOutcome, done: string): string {
  if (!outcome.ok) return refusal(outcome.reason);
  return outcome.count > 1 ? `${done} (${outcome.count} alerts)` : done;
}

/** Mute rules with a remove button each. */
export function mutesView(mutes: readonly MuteRule[], now: number): View {
  const shown = mutes.slice(0, MUTE_ROWS);
  const lines = shown.map(
    (m, i) =>
      html`${i + 1}. ${m.kind.replace(/_/g, ' ')} · <code>${clip(m.target, 60)}</code> · ${clip(m.host, 60)} (by ${m.by}, ${formatDuration(now - m.createdAt)} ago)`,
  );
  const remove = shown.map((m, i) => ALERT_UNMUTE.button(`🔔 Unmute ${i + 1}`, { rule: m.id }));
  const rows: ActionButton[][] = [];
  for (let i = 0; i < remove.length; i += 3) rows.push(remove.slice(i, i + 3));
  rows.push([ALERT_MUTES.button('🔄 Refresh')]);
  return {
    html: html`🔇 <b>Mutes</b>
${lines.length > 0 ? joinHtml(lines) : 'No mute rules. Use 🔇 Mute this on an alert to add one.'}${mutes.length > shown.length ? `\n…and ${mutes.length - shown.length} more` : ''}`,
    keyboard: { kind: 'inline', rows },
  };
}
