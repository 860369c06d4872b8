import { alertLine } from '../alerts/views';
import type { Forecast } from '../history/forecast';
import { formatDuration } from '../views/docker-format';
import { clip, html, joinHtml, type Html } from '../views/html';
import type { View } from '../views/view';
import type { DiskFacts, HostFacts, ReportData } from './collect';
import { localParts } from './schedule';

/** Items listed per section at most (the rest is counted). */
const MAX_ITEMS = 5;

const pad = (n: number): string => String(n).padStart(2, '0');

/** "2026-06-01 08:30" in the report's time zone. */
function localStamp(ms: number, timeZone: string): string {
  const l = localParts(ms, timeZone);
  return `${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)}`;
}

function listed<T>(items: readonly T[], render: (t: T) => string): string {
  const shown = items.slice(0, MAX_ITEMS).map(render).join(', ');
  return items.length > MAX_ITEMS ? `${shown} +${items.length - MAX_ITEMS} more` : shown;
}

function forecastWords(f: Forecast | undefined): string {
  if (f === undefined) return '';
  switch (f.kind) {
    case 'full':
      return ' — full';
    case 'steady':
      return ' — steady';
    case 'fills':
      return ` — full in ~${f.days < 1 ? '<1' : Math.round(f.days)} d`;
  }
}

function hostLine(h: HostFacts): Html {
  const label = clip(h.label, 50);
  if (h.error !== undefined) return html`🐳 ${label}: not reachable (${clip(h.error, 80)})`;
  const restarted =
    h.restarted.length === 0
      ? 'no restarts'
      : `restarted: ${listed(h.restarted, (r) => `${clip(r.name, 30)}${r.restarts > 0 ? ` (${r.restarts}×)` : ''}`)}`;
  return html`🐳 ${label}: ${h.running}/${h.total} running · ${restarted}`;
}

function diskLine(d: DiskFacts): string {
  return `${clip(d.mount, 30)} ${d.usedPct.toFixed(0)} %${forecastWords(d.forecast)}`;
}

/**
 * The daily or weekly report: one compact message (uptime and restarts, alerts fired and
 * resolved, disks with their forecast, image updates, top processes).
 */
export function reportView(d: ReportData): View {
  const title = d.kind === 'daily' ? '📊 Daily report' : '📊 Weekly report';
  const period = `${localStamp(d.fromMs, d.timeZone)} → ${localStamp(d.toMs, d.timeZone)} (${d.timeZone})`;
  const fired = d.alerts.fired;
  const alertLines = fired.slice(0, MAX_ITEMS).map((a) => html`  • ${alertLine(a)}`);
  const lines: Html[] = [
    html`<b>${title}</b>\n<i>${period}</i>`,
    html`🖥 this host: up ${d.uptimeSeconds !== undefined ? formatDuration(d.uptimeSeconds * 1000) : '?'}`,
    ...d.hosts.map(hostLine),
    html`🚨 Alerts: ${d.alerts.firedCount} fired, ${d.alerts.resolved} resolved, ${d.alerts.open} open now`,
    ...alertLines,
    ...(d.alerts.firedCount > alertLines.length
      ? [html`  …and ${d.alerts.firedCount - alertLines.length} more`]
      : []),
    ...(d.disks.length > 0 ? [html`💽 ${listed(d.disks, diskLine)}`] : []),
    ...(d.updates === undefined
      ? []
      : [
          html`⬆️ Updates: ${d.updates.length === 0 ? 'none' : listed(d.updates, (t) => clip(t, 60))}`,
        ]),
    ...(d.topCpu.length > 0
      ? [
          html`🔥 Top CPU: ${listed(d.topCpu, (p) => `${clip(p.name, 20)} ${p.cpuPercent.toFixed(0)} %`)}`,
        ]
      : []),
    ...(d.topMemory.length > 0
      ? [
          html`🧠 Top memory: ${listed(d.topMemory, (p) => `${clip(p.name, 20)} ${p.memPercent.toFixed(0)} %`)}`,
        ]
      : []),
  ];
  return { html: joinHtml(lines) };
}

/** The caption of the chart sent after a report too long to be its caption. */
export function reportChartCaption(kind: ReportData['kind']): View {
  return { html: html`📈 CPU, ${kind === 'daily' ? 'last 24 h' : 'last 7 days'}` };
}
