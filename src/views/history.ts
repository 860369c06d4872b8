import type { ForecastNotice } from '../history/forecast-watch';
import type { Forecast } from '../history/forecast';
import {
  CONTAINER_METRICS,
  HOST_METRICS,
  type ChartTarget,
  type DiskForecast,
  type HostMetric,
} from '../history/service';
import { PERIODS, type Period } from '../history/tiers';
import { defineAction, field } from '../telegram/actions';
import { formatValue, type Unit } from '../history/units';
import type { ChartSeries } from '../history/chart';
import { clip, html, joinHtml, type Html } from './html';
import type { ServerScreen } from './server';
import type { ActionButton, Keyboard, View } from './view';

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

/** Caption under a chart: per line, the latest value and the period's peak. */
export function chartCaption(title: string, series: readonly ChartSeries[], unit: Unit): Html {
  const lines = series.slice(0, 8).map((s) => {
    const last = s.points[s.points.length - 1];
    const peak = Math.max(...s.points.map((p) => p.max));
    return html`${s.name}: now ${last === undefined ? '–' : formatValue(last.v, unit)}, peak ${formatValue(peak, unit)}`;
  });
  return html`<b>${title}</b>\n${lines.map((l) => html`${l}\n`)}`;
}

/** Whether a chart button opens a new photo or edits the photo it sits under. */
const MODES = ['new', 'edit'] as const;
/** Docker's container name shape (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), bounded. */
const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** The typed chart actions, shared by the views that put them on buttons and the feature. */
export const HISTORY = {
  host: defineAction('hist.host', {
    metric: field.oneOf(HOST_METRICS),
    period: field.oneOf(PERIODS),
    mode: field.oneOf(MODES),
  }),
  container: defineAction('hist.ctr', {
    host: field.int(0, 99),
    name: field.text(CONTAINER_NAME),
    metric: field.oneOf(CONTAINER_METRICS),
    period: field.oneOf(PERIODS),
    mode: field.oneOf(MODES),
  }),
};

/** The chart each Server screen offers. */
const SCREEN_CHART: Partial<Readonly<Record<ServerScreen, HostMetric>>> = {
  load: 'load',
  cpu: 'cpu',
  memory: 'mem',
  swap: 'mem',
  sensors: 'temp',
  fs: 'disk',
  net: 'net',
  ifaces: 'net',
};

/** A Server screen with a "📈 Chart" row (the metric's last hour as a new photo), if it has a chart. */
export function withChartButton(view: View, screen: ServerScreen): View {
  const metric = SCREEN_CHART[screen];
  if (metric === undefined) return view;
  const button = HISTORY.host.button('📈 Chart', { metric, period: '1h', mode: 'new' });
  const rows = view.keyboard?.kind === 'inline' ? view.keyboard.rows : [];
  return { ...view, keyboard: { kind: 'inline', rows: [...rows, [button]] } };
}

/** The File system screen with the forecast lines under it. */
export function withForecasts(body: Html, lines: readonly (Html | undefined)[]): Html {
  const present = lines.filter((l): l is Html => l !== undefined);
  return present.length === 0
    ? body
    : html`${body}

${joinHtml(present)}`;
}

/** "📈 CPU" / "📈 Memory" under a container's screen. */
export function containerChartButtons(host: number, name: string): ActionButton[] {
  if (!CONTAINER_NAME.test(name)) return [];
  return CONTAINER_METRICS.map((metric) =>
    HISTORY.container.button(metric === 'cpu' ? '📈 CPU' : '📈 Memory', {
      host,
      name,
      metric,
      period: '1h',
      mode: 'new',
    }),
  );
}

/** The period picker under a chart; the shown period is marked and each press edits the photo. */
export function periodKeyboard(target: ChartTarget, current: Period): Keyboard {
  const buttons = PERIODS.map((period) => {
    const text = period === current ? `• ${PERIOD_LABEL[period]}` : PERIOD_LABEL[period];
    return target.kind === 'host'
      ? HISTORY.host.button(text, { metric: target.metric, period, mode: 'edit' })
      : HISTORY.container.button(text, {
          host: target.host,
          name: target.name,
          metric: target.metric,
          period,
          mode: 'edit',
        });
  });
  return { kind: 'inline', rows: [buttons] };
}

export const NO_DATA =
  'No data for this period yet: history is recorded from the moment tmbot started.';
export const CHARTS_BUSY = 'Charts are busy right now; try again in a moment.';
export function containerGoneText(name: string): string {
  return `Container ${clip(name, NAME_MAX)} no longer exists; its chart cannot be drawn.`;
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
