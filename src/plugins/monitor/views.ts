import type { Notice } from './notices';
import type { Reading } from './rules';
import { defineAction } from '../../telegram/actions';
import { formatBytes, formatDuration, formatTime, shortId } from '../../views/docker-format';
import { clip, html, joinHtml, type Html } from '../../views/html';
import type { View } from '../../views/view';

/** The Plugins screen entry and the status screen's Refresh action. */
export const MONITOR_BUTTON = '📈 Monitoring';
export const MONITOR_REFRESH = defineAction('monitor.refresh');

/** Most lines a folded summary lists before "…and N more" (keeps it far under 4096 chars). */
const SUMMARY_LINES = 25;
/** Most rows of the status screen's reading table. */
const STATUS_ROWS = 25;
/** Most active alerts listed on the status screen. */
const ACTIVE_ROWS = 10;

const fmt = (r: Reading): string => `${r.value.toFixed(1)}${r.unit === '%' ? ' %' : ' °C'}`;
const limit = (r: Reading): string => `${r.threshold}${r.unit === '%' ? ' %' : ' °C'}`;

const ALERT_TITLE: Record<Reading['kind'], string> = {
  cpu: '🔥 High CPU usage',
  memory: '🧠 High memory usage',
  disk: '💽 High disk usage',
  temperature: '🌡️ High temperature',
};

/** One plain line per notice, for folded summaries. */
export function noticeLine(n: Notice): Html {
  switch (n.kind) {
    case 'alert':
      return html`${ALERT_TITLE[n.reading.kind]}: ${clip(n.reading.label, 80)} ${fmt(n.reading)} (threshold ${limit(n.reading)})`;
    case 'resolved':
      return html`✅ ${clip(n.reading.label, 80)} ${n.gone ? 'no longer reported' : `back to ${fmt(n.reading)}`}`;
    case 'container-new':
      return html`🆕 New container ${clip(n.container.name, 80)} (${clip(n.container.image, 80)})`;
    case 'container-exited':
      return html`🔴 Container ${clip(n.name, 80)} exited${n.exitCode !== undefined ? ` with code ${n.exitCode}` : ''}${n.oomKilled ? ' (out of memory)' : ''}`;
    case 'container-unhealthy':
      return html`💔 Container ${clip(n.name, 80)} is unhealthy`;
    case 'container-healthy':
      return html`💚 Container ${clip(n.name, 80)} is healthy again`;
    case 'container-restarting':
      return html`🔄 Container ${clip(n.name, 80)} keeps restarting`;
    case 'image-new':
      return html`🆕 New image ${clip(n.image.tags[0] ?? shortId(n.image.id), 80)}`;
  }
}

/** The message for one notice sent on its own. */
export function noticeView(n: Notice): View {
  switch (n.kind) {
    case 'alert': {
      const r = n.reading;
      const top =
        n.top !== undefined && n.top.length > 0
          ? html`\n\nTop processes:\n${joinHtml(
              n.top.map(
                (p) =>
                  html`• <code>${clip(p.name, 40)}</code> (${p.pid}) CPU ${p.cpuPercent.toFixed(1)} %, mem ${p.memPercent.toFixed(1)} %`,
              ),
            )}`
          : html``;
      return {
        html: html`<b>${ALERT_TITLE[r.kind]}</b> — ${clip(r.label, 100)}

Now: <b>${fmt(r)}</b> (threshold ${limit(r)}, held for 2 checks)${top}`,
      };
    }
    case 'resolved':
      return {
        html: html`✅ <b>${clip(n.reading.label, 100)}</b> ${n.gone ? 'is no longer reported' : 'has normalised'}
${n.gone ? '' : `Now: ${fmt(n.reading)} (threshold ${limit(n.reading)})\n`}Lasted: ${formatDuration(n.durationMs)}`,
      };
    case 'container-new': {
      const c = n.container;
      return {
        html: html`🆕 <b>New Docker container</b>

Name: <code>${clip(c.name, 100)}</code>
Image: <code>${clip(c.image, 150)}</code>
Created: ${formatTime(c.createdAt)}
Status: ${clip(c.status, 100)}
Networks: ${c.networks.length > 0 ? clip(c.networks.join(', '), 300) : 'none'}
Ports: ${c.ports.length > 0 ? clip(c.ports.join(', '), 300) : 'none published'}`,
      };
    }
    case 'container-exited':
      return {
        html: html`🔴 <b>Container stopped unexpectedly</b>

Name: <code>${clip(n.name, 100)}</code>
Image: <code>${clip(n.image, 150)}</code>
Exit code: ${n.exitCode ?? 'unknown'}${n.oomKilled ? '\nKilled: out of memory (OOM)' : ''}`,
      };
    case 'container-unhealthy':
      return {
        html: html`💔 <b>Container unhealthy</b>

Name: <code>${clip(n.name, 100)}</code>${n.lastOutput !== '' ? html`\nLast check: <code>${clip(n.lastOutput, 500)}</code>` : ''}`,
      };
    case 'container-healthy':
      return { html: html`💚 <b>Container healthy again</b>: <code>${clip(n.name, 100)}</code>` };
    case 'container-restarting':
      return {
        html: html`🔄 <b>Container in a restart loop</b>

Name: <code>${clip(n.name, 100)}</code>
Status: ${clip(n.status, 100)}`,
      };
    case 'image-new': {
      const i = n.image;
      return {
        html: html`🆕 <b>New Docker image</b>

ID: <code>${shortId(i.id)}</code>
Tags: ${i.tags.length > 0 ? clip(i.tags.join(', '), 300) : 'none'}
Size: ${formatBytes(i.sizeBytes)}
Created: ${formatTime(i.createdAt)}
Platform: ${clip(i.os || '?', 30)}/${clip(i.architecture || '?', 30)}`,
      };
    }
  }
}

/** Notices held back by the budget, folded into one message once the budget allows. */
export function foldedView(notices: readonly Notice[], total: number, windowMinutes: number): View {
  const shown = notices.slice(0, SUMMARY_LINES);
  const more = total - shown.length;
  return {
    html: html`📋 <b>Monitoring summary</b>: ${total} notification(s) held back by the limit of alerts per ${windowMinutes} min

${joinHtml(shown.map((n) => html`• ${noticeLine(n)}`))}${more > 0 ? `\n…and ${more} more` : ''}`,
  };
}

/** What the status screen shows. */
export interface MonitorStatus {
  /** When the last check finished; undefined before the first. */
  readonly checkedAt: number | undefined;
  readonly intervalSeconds: number;
  readonly readings: readonly Reading[];
  /** Keys of readings with an active alert. */
  readonly active: readonly { readonly reading: Reading; readonly since: number }[];
  readonly held: number;
  readonly docker: 'off' | 'ok' | 'unavailable';
  readonly dockerActive: readonly Notice[];
}

/** Current values against thresholds, the active alerts, and a Refresh button. */
export function monitorStatusView(s: MonitorStatus): View {
  const activeKeys = new Set(s.active.map((a) => a.reading.key));
  const rows = s.readings.slice(0, STATUS_ROWS).map((r) => {
    const mark = activeKeys.has(r.key) ? '🔴' : r.value > r.threshold ? '🟡' : '🟢';
    return html`${mark} ${clip(r.label, 60)}: <b>${fmt(r)}</b> / ${limit(r)}`;
  });
  const extra = s.readings.length - rows.length;
  const activeAll = [
    ...s.active.map(
      (a) =>
        html`• ${ALERT_TITLE[a.reading.kind]}: ${clip(a.reading.label, 60)} since ${formatTime(a.since)}`,
    ),
    ...s.dockerActive.map((n) => html`• ${noticeLine(n)}`),
  ];
  const active = activeAll.slice(0, ACTIVE_ROWS);
  if (activeAll.length > active.length)
    active.push(html`…and ${activeAll.length - active.length} more`);
  const docker =
    s.docker === 'off'
      ? 'off (monitor_docker: false)'
      : s.docker === 'ok'
        ? 'watching'
        : 'engine unavailable';
  return {
    html: html`📈 <b>Monitoring</b> (every ${s.intervalSeconds} s)
${s.checkedAt === undefined ? 'No check has finished yet.' : `Last check: ${new Date(s.checkedAt).toISOString().slice(11, 19)} UTC`}

${rows.length > 0 ? joinHtml(rows) : 'No readings.'}${extra > 0 ? `\n…and ${extra} more` : ''}

<b>Active alerts</b>
${active.length > 0 ? joinHtml(active) : 'None.'}${s.held > 0 ? `\n${s.held} notification(s) held back by the alert limit; they follow as one summary.` : ''}
Docker: ${docker}
<i>🟢 below · 🟡 over, not yet confirmed · 🔴 alerting</i>`,
    keyboard: { kind: 'inline', rows: [[MONITOR_REFRESH.button('🔄 Refresh')]] },
  };
}
