import type { Clock } from '../clock';
import type { ChartRenderer, ChartSeries } from './chart';
import { forecastFull, type Forecast } from './forecast';
import { containerKey, fsKey, hostKey, parseSeriesKey, unitOf } from './series';
import type { HistoryStore } from './store';
import { periodSeconds, type Period } from './tiers';
import type { Unit } from './units';

export const HOST_METRICS = ['cpu', 'mem', 'load', 'disk', 'net', 'temp'] as const;
export type HostMetric = (typeof HOST_METRICS)[number];
export const CONTAINER_METRICS = ['cpu', 'mem'] as const;
export type ContainerMetric = (typeof CONTAINER_METRICS)[number];

/** What a chart shows: a host metric, or one container's CPU or memory. */
export type ChartTarget =
  | { readonly kind: 'host'; readonly metric: HostMetric }
  | {
      readonly kind: 'container';
      readonly host: number;
      readonly name: string;
      readonly metric: ContainerMetric;
    };

/** Lines per chart at most (interfaces, mounts and sensors beyond this are left out). */
const MAX_LINES = 8;

export type ChartResult =
  | {
      readonly kind: 'chart';
      readonly png: Buffer;
      readonly series: readonly ChartSeries[];
      readonly unit: Unit;
    }
  | { readonly kind: 'empty' }
  | { readonly kind: 'busy' };

/** Disk-full forecasts from the last day's and week's trend of one mount. */
export interface DiskForecast {
  readonly day: Forecast | undefined;
  readonly week: Forecast | undefined;
}

/** What chart screens and forecasts ask of the history: series by target, rendered. */
export class HistoryService {
  constructor(
    private readonly store: HistoryStore,
    private readonly renderer: ChartRenderer,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  /** The chart of `target` over the last `period`, or 'empty' when nothing was recorded in it. */
  async chart(target: ChartTarget, period: Period, title: string): Promise<ChartResult> {
    const toMs = this.clock.now();
    const fromMs = toMs - periodSeconds(period) * 1000;
    const lines = this.linesFor(target);
    const series = lines
      .map((l) => ({ name: l.name, points: this.store.query(l.key, fromMs, toMs) }))
      .filter((s) => s.points.length > 0);
    const first = lines[0];
    if (series.length === 0 || first === undefined) return { kind: 'empty' };
    if (this.renderer.busy) return { kind: 'busy' };
    const unit = first.unit;
    const png = await this.renderer.render({
      title,
      unit,
      series,
      fromMs,
      toMs,
      timeZone: this.timeZone,
    });
    return { kind: 'chart', png, series, unit };
  }

  forecast(mountPoint: string, sizeBytes: number): DiskForecast {
    const now = this.clock.now();
    const key = fsKey('used', mountPoint);
    return {
      day: forecastFull(this.store.query(key, now - 86_400_000, now), sizeBytes),
      week: forecastFull(this.store.query(key, now - 7 * 86_400_000, now), sizeBytes),
    };
  }

  private linesFor(target: ChartTarget): { key: string; name: string; unit: Unit }[] {
    const line = (key: string, name: string): { key: string; name: string; unit: Unit } => {
      const parsed = parseSeriesKey(key);
      return { key, name, unit: parsed === undefined ? 'load' : unitOf(parsed) };
    };
    if (target.kind === 'container') {
      const name = target.metric === 'cpu' ? 'CPU' : 'memory';
      return [line(containerKey(target.metric, target.host, target.name), name)];
    }
    const subjects = (prefix: string): string[] => this.store.keys(prefix).slice(0, MAX_LINES);
    const bySubject = (prefix: string, suffix = ''): { key: string; name: string; unit: Unit }[] =>
      subjects(prefix).map((k) => line(k, `${k.slice(prefix.length)}${suffix}`));
    switch (target.metric) {
      case 'cpu':
        return [line(hostKey('cpu'), 'CPU')];
      case 'mem':
        return [line(hostKey('mem'), 'memory'), line(hostKey('swap'), 'swap')];
      case 'load':
        return [
          line(hostKey('load1'), '1 min'),
          line(hostKey('load5'), '5 min'),
          line(hostKey('load15'), '15 min'),
        ];
      case 'disk':
        return bySubject('fs.pct:');
      case 'net':
        return [...bySubject('net.rx:', ' in'), ...bySubject('net.tx:', ' out')].slice(
          0,
          MAX_LINES,
        );
      case 'temp':
        return bySubject('temp.c:');
    }
  }
}
