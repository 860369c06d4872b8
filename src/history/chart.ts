import { join } from 'node:path';
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { Clock } from '../clock';
import { ChartProcess, RENDERER_IDLE_MS } from './chart-process';
import { minMaxDownsample, type XY } from './downsample';
import type { HistoryPoint } from './store';
import { axisScale, type Unit } from './units';

/** Chart picture size in pixels (what the e2e test decodes). */
export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;
/** Time buckets per series: two points each (min, max) ≈ one point per pixel column. */
const BUCKETS = 400;
/** Shipped with the product (assets/fonts) so labels never depend on the host's fonts. */
export const CHART_FONT = join(__dirname, '..', '..', 'assets', 'fonts', 'DejaVuSans.ttf');
const FONT_FAMILY = 'DejaVu Sans';
/** Renders queued at most; beyond, a chart request is turned away (each holds a few MiB). */
const MAX_WAITING = 8;
const COLOURS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#4b5563',
];

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly HistoryPoint[];
}

export interface ChartRequest {
  readonly title: string;
  readonly unit: Unit;
  readonly series: readonly ChartSeries[];
  readonly fromMs: number;
  readonly toMs: number;
  /** IANA zone the time axis is drawn in. */
  readonly timeZone: string;
}

/**
 * Draws history as PNG in a short-lived child process: ECharts renders SVG server-side
 * and resvg rasterises it with the shipped DejaVu Sans. The process (and both modules)
 * start with the first chart, never with the daemon, end after a minute without charts
 * and are replaced after 200 renders (`RENDERS_PER_PROCESS`). A worker thread kept
 * resvg's native allocations in the daemon for good (+205 MiB after 1 000 renders); an
 * exiting process gives them back (docs/performance.md, bench:history). A crashed
 * renderer fails its chart with a clear error and the next chart starts a fresh one.
 */
export class ChartRenderer {
  private process: ChartProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly clock: Clock,
    private readonly fontFile: string = CHART_FONT,
    private readonly idleMs: number = RENDERER_IDLE_MS,
  ) {}

  /** Whether another render would wait behind too many (callers say "busy" instead). */
  get busy(): boolean {
    return this.waiting >= MAX_WAITING;
  }

  /** A PNG of `request`, `CHART_WIDTH` × `CHART_HEIGHT`. */
  render(request: ChartRequest): Promise<Buffer> {
    this.waiting++;
    const run = this.queue.then(() => this.renderNow(chartOption(request)));
    const settle = (): void => {
      this.waiting--;
    };
    this.queue = run.then(settle, settle);
    return run;
  }

  /** Ends the renderer process now (daemon stop); the next render starts a new one. */
  async close(): Promise<void> {
    await this.queue;
    await this.process?.end();
    this.process = undefined;
  }

  private async renderNow(option: EChartsOption): Promise<Buffer> {
    if (this.process?.spent === true) void this.process.end(); // renders are serial: none in flight
    if (this.process === undefined || this.process.spent) {
      const started = new ChartProcess(
        { font: this.fontFile, family: FONT_FAMILY, width: CHART_WIDTH, height: CHART_HEIGHT },
        this.clock,
        this.idleMs,
        () => {
          if (this.process === started) this.process = undefined;
        },
      );
      this.process = started;
    }
    return this.process.render(option);
  }
}

/** ms to add to a UTC time so that UTC formatting shows the wall clock of `timeZone`. */
export function zoneOffsetMs(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return wall - Math.floor(at / 1000) * 1000;
}

/** The ECharts option for a request: one line per series (min/max downsampled), plus a faint peak line. */
export function chartOption(request: ChartRequest): EChartsOption {
  const shift = zoneOffsetMs(request.timeZone, request.toMs);
  const top = Math.max(0, ...request.series.flatMap((s) => s.points.map((p) => p.max)));
  const scale = axisScale(top, request.unit);
  const series: LineSeriesOption[] = [];
  request.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const line: XY[] = s.points.map((p) => [p.t + shift, p.v / scale.divisor]);
    series.push(lineSeries(s.name, minMaxDownsample(line, BUCKETS), colour, 1.6, 1));
    if (s.points.some((p) => p.max > p.v)) {
      const peaks: XY[] = s.points.map((p) => [p.t + shift, p.max / scale.divisor]);
      series.push(lineSeries(`${s.name} peak`, minMaxDownsample(peaks, BUCKETS), colour, 1, 0.35));
    }
  });
  const text = { fontFamily: FONT_FAMILY, color: '#374151', fontSize: 12 };
  return {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    textStyle: text,
    title: { text: request.title, left: 12, top: 8, textStyle: { ...text, fontSize: 15 } },
    legend: { top: 10, right: 12, textStyle: text, itemWidth: 16 },
    grid: { left: 16, right: 24, top: 48, bottom: 12, containLabel: true },
    xAxis: {
      type: 'time',
      min: request.fromMs + shift,
      max: request.toMs + shift,
      axisLabel: { ...text, hideOverlap: true },
      splitLine: { show: true, lineStyle: { color: '#e5e7eb' } },
    },
    yAxis: {
      type: 'value',
      ...(nonNegative(request.series) ? { min: 0 } : {}),
      // Container CPU can pass 100 % (one core = 100 %): only then is the axis left open.
      ...(request.unit === 'percent' && within100(request.series) ? { max: 100 } : {}),
      // A template, not a function: the option travels to the renderer process as plain data.
      axisLabel: { ...text, formatter: `{value}${scale.suffix}` },
      splitLine: { lineStyle: { color: '#e5e7eb' } },
    },
    series,
  };
}

function nonNegative(series: readonly ChartSeries[]): boolean {
  return series.every((s) => s.points.every((p) => p.v >= 0));
}

function within100(series: readonly ChartSeries[]): boolean {
  return series.every((s) => s.points.every((p) => p.max <= 100));
}

function lineSeries(
  name: string,
  data: XY[],
  colour: string,
  width: number,
  opacity: number,
): LineSeriesOption {
  return {
    name,
    type: 'line',
    data: data.map((p) => [p[0], p[1]]),
    showSymbol: false,
    connectNulls: false,
    // The data never leaves the axes (x is the query's range, y starts at 0 unless a value
    // is negative and is capped only when every value fits): without a clip path resvg
    // rasterises the picture markedly faster (docs/performance.md, bench:history).
    clip: false,
    lineStyle: { width, color: colour, opacity },
    itemStyle: { color: colour, opacity },
  };
}
