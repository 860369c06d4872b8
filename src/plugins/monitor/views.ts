import type { HostStreamStatus } from '../../alerts/docker-source';
import type { MaintenanceState } from '../../alerts/state';
import { LOCAL_HOST, type AlertRecord } from '../../alerts/types';
import { ALERT_MUTES, alertLine, stateLine } from '../../alerts/views';
import type { Reading } from './rules';
import { formatClock, formatDuration, formatTime } from '../../views/docker-format';
import { clip, html, joinHtml, type Html } from '../../views/html';
import { defineAction } from '../../telegram/actions';
import type { ActionButton, View } from '../../views/view';

/** The Plugins screen entry and the status screen's actions (the mutes screen is the core's: alerts/views). */
export const MONITOR_BUTTON = '📈 Monitoring';
export const MONITOR_REFRESH = defineAction('monitor.refresh');

/** Most rows of the status screen's reading table. */
const STATUS_ROWS = 25;
/** Most active alerts listed on the status screen. */
const ACTIVE_ROWS = 30;

const fmt = (value: number, unit: Reading['unit']): string =>
  `${value.toFixed(unit === 'RPM' ? 0 : 1)} ${unit}`;

/** What the status screen shows. */
export interface MonitorStatus {
  readonly now: number;
  /** When the last host check finished; undefined before the first. */
  readonly checkedAt: number | undefined;
  readonly intervalSeconds: number;
  readonly readings: readonly Reading[];
  readonly active: readonly AlertRecord[];
  readonly mutes: number;
  readonly maintenance: MaintenanceState | undefined;
  /** Messages waiting for the digest. */
  readonly held: number;
  /** Each Docker host's event stream; undefined when Docker is not watched. */
  readonly streams: readonly HostStreamStatus[] | undefined;
}

const STREAM_WORDS: Record<HostStreamStatus['state'], string> = {
  connecting: '⏳ connecting',
  streaming: '🟢 streaming events',
  reconnecting: '🟡 reconnecting',
  polling: '🟡 polling (no event stream)',
  unavailable: '🔴 engine unreachable',
};

function activeByHost(active: readonly AlertRecord[], now: number): Html {
  if (active.length === 0) return html`None.`;
  const hosts = [...new Set(active.map((a) => a.host))];
  const parts: Html[] = [];
  let shown = 0;
  for (const h of hosts) {
    const rows = active.filter((a) => a.host === h);
    const lines = rows
      .slice(0, Math.max(0, ACTIVE_ROWS - shown))
      .map((a) => html`  • ${alertLine(a)} — ${stateLine(a, now)}`);
    shown += lines.length;
    parts.push(html`<b>${clip(h, 80)}</b>\n${joinHtml(lines)}`);
  }
  const more = active.length - shown;
  return html`${joinHtml(parts)}${more > 0 ? `\n…and ${more} more` : ''}`;
}

/** Readings against thresholds, open alerts per host with their state, mutes, maintenance and event streams. */
export function monitorStatusView(s: MonitorStatus): View {
  // Readings are this host's: a remote host's CPU alert says nothing about this CPU.
  const activeKeys = new Set(s.active.filter((a) => a.host === LOCAL_HOST).map((a) => a.target));
  const rows = s.readings.slice(0, STATUS_ROWS).map((r) => {
    const over = r.below === true ? r.value < r.threshold : r.value > r.threshold;
    const mark = activeKeys.has(r.label) ? '🔴' : over ? '🟡' : '🟢';
    return html`${mark} ${clip(r.label, 60)}: <b>${fmt(r.value, r.unit)}</b> / ${fmt(r.threshold, r.unit)}`;
  });
  const extra = s.readings.length - rows.length;
  const m = s.maintenance;
  const maintenance =
    m === undefined
      ? ''
      : `\n🛠 Maintenance until ${formatTime(m.until)} (${clip(m.by, 40)}; ${m.alertIds.length} alert(s) recorded, summary when it ends)`;
  const streams =
    s.streams === undefined
      ? 'Docker: off (monitor_docker: false)'
      : joinHtml(
          s.streams.map(
            (st) =>
              html`🐳 ${clip(st.label, 80)}: ${STREAM_WORDS[st.state]} for ${formatDuration(s.now - st.since)} (${st.events} events${st.rejected > 0 ? `, ${st.rejected} bad lines dropped` : ''})`,
          ),
        );
  const buttons: ActionButton[] = [
    MONITOR_REFRESH.button('🔄 Refresh'),
    ALERT_MUTES.button(`🔇 Mutes (${s.mutes})`),
  ];
  return {
    html: html`📈 <b>Monitoring</b> (every ${s.intervalSeconds} s)
${s.checkedAt === undefined ? 'No check has finished yet.' : `Last check: ${formatClock(s.checkedAt)}`}${maintenance}

${rows.length > 0 ? joinHtml(rows) : 'No readings.'}${extra > 0 ? `\n…and ${extra} more` : ''}

<b>Active alerts</b>
${activeByHost(s.active, s.now)}${s.held > 0 ? `\n${s.held} notification(s) held back by the alert limit; they follow as one digest.` : ''}

${streams}
<i>🟢 below · 🟡 over, not yet confirmed · 🔴 alerting</i>`,
    keyboard: { kind: 'inline', rows: [buttons] },
  };
}

export type MaintenanceReply =
  | { readonly kind: 'on'; readonly until: number }
  | { readonly kind: 'off' | 'ended' | 'usage' | 'admin-only' };

/** The answer to /maintenance. */
export function maintenanceReplyView(r: MaintenanceReply): View {
  switch (r.kind) {
    case 'on':
      return {
        html: html`🛠 Maintenance is on until <b>${formatTime(r.until)}</b>: alerts are recorded, not sent; one summary follows when it ends. /maintenance off ends it now.`,
      };
    case 'off':
      return { html: html`Maintenance is off. Start it with /maintenance 30m (or 2h, 1h30m, 1d).` };
    case 'ended':
      return { html: html`🛠 Maintenance ended; the summary of what happened meanwhile follows.` };
    case 'usage':
      return { html: html`Usage: /maintenance 30m | 2h | 1h30m | off | status (at most 7 days).` };
    case 'admin-only':
      return { html: html`Only admins can switch maintenance mode.` };
  }
}
