import type { ForecastNotice } from '../history/forecast-watch';
import type { Forecast } from '../history/forecast';
import type { ChartTarget, DiskForecast } from '../history/service';
import { PERIODS, type Period } from '../history/tiers';
import { formatValue, type Unit } from '../history/units';
import type { ChartSeries } from '../history/chart';
import { clip, html, type Html } from './html';
import type { ActionButton, View } from './view';

const PERIOD_LABEL: Readonly<Record<Period, string>> = {
  '1h': '1 h',
  '6h': '6 h',
  '24h': '24 h',
  '7d': '7 d',
  '30d': '30 d',
};

const HOST_TITLE = {
  cpu: 'CPU',
  mem: 'Memory and swap',
  load: 'Load average',
  disk: 'Disk usage',
  net: 'Network traffic',
  temp: 'Temperatures',
} as const;

/** Longest container name shown in a chart title. */
const NAME_MAX = 40;

/** The chart's own title (drawn in the picture): "CPU · last 24 h", "web · memory · last 1 h". */
export function chartTitle(target: ChartTarget, period: Period): string {
  const what =
    target.kind === 'host'
      ? HOST_TITLE[target.metric]
      : `${clip(target.name, NAME_MAX)} · ${target.metric === 'cpu' ? 'CPU' : 'memory'}`;
  return `${what} · last ${PERIOD_LABEL[period]}`;
}

/** Period picker under a chart; the shown period is marked. `action` receives `[period]`. */
export function periodButtons(
  current: Period,
  action: string,
  args: readonly string[],
): ActionButton[] {
  return PERIODS.map((p) => ({
    text: p === current ? `• ${PERIOD_LABEL[p]}` : PERIOD_LABEL[p],
    action,
    args: [...args, p],
  }));
}

/** Caption under a chart: per line, the latest value and the period's peak. */
export function chartCaption(title: string, series: readonly ChartSeries[], unit: Unit): Html {
  const lines = series.slice(0, 8).map((s) => {
    const last = s.points[s.points.length - 1];
    const peak = Math.max(...s.points.map((p) => p.max));
    return html`${s.name}: now ${last === undefined ? '–' : formatValue(last.v, unit)}, peak ${formatValue(peak, unit)}`;
  });
  return html`<b>${title}</b>\n${lines.map((l) => html`${l}\n`)}`;
}

/** Instead of an empty chart. */
export function noDataView(title: string): View {
  return {
    html: html`<b>${title}</b>\nNo data for this period yet: history is recorded from the moment tmbot started.`,
  };
}

/** A button's period or metric that is not one of ours (a forged or stale button). */
export function unknownChartView(): View {
  return { html: html`That chart does not exist. Open it again from the menu.` };
}

/** The container is gone (removed or renamed) since the screen was opened. */
export function containerGoneView(name: string): View {
  return {
    html: html`Container <b>${clip(name, NAME_MAX)}</b> no longer exists; its chart cannot be drawn.`,
  };
}

/** One line for the File system screen, or undefined when there is too little history. */
export function forecastLine(mountPoint: string, f: DiskForecast): Html | undefined {
  const day = describe(f.day);
  const week = describe(f.week);
  if (day === undefined && week === undefined) return undefined;
  const parts = [day && `24 h trend: ${day}`, week && `7 d trend: ${week}`].filter(
    (p) => p !== undefined,
  );
  return html`📈 <code>${clip(mountPoint, NAME_MAX)}</code>: ${parts.join('; ')}`;
}

function describe(f: Forecast | undefined): string | undefined {
  if (f === undefined) return undefined;
  if (f.kind === 'full') return 'full now';
  if (f.kind === 'steady') return 'not filling';
  return `at this rate full in ~${daysText(f.days)} (+${formatValue(f.bytesPerDay, 'bytes')}/day)`;
}

function daysText(days: number): string {
  if (days < 1) return `${Math.max(1, Math.round(days * 24))} h`;
  return `${Math.round(days)} day${Math.round(days) === 1 ? '' : 's'}`;
}

/** The alert sent when a filesystem is forecast to fill within the horizon, or no longer is. */
export function forecastNoticeView(n: ForecastNotice): View {
  if (n.kind === 'cleared') {
    return {
      html: html`✅ <b>Disk forecast cleared</b>\n<code>${n.mountPoint}</code> is no longer forecast to fill soon.`,
    };
  }
  return {
    html: html`📈 <b>Disk filling up</b>\n<code>${n.mountPoint}</code>: at this rate full in ~${daysText(n.days)} (+${formatValue(n.bytesPerDay, 'bytes')}/day).`,
  };
}
