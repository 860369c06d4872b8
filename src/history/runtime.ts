import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ContainerLiveStats, DockerPort } from '../adapters/docker/port';
import type { SystemPort } from '../adapters/system/system-port';
import type { Clock } from '../clock';
import type { Config, HistoryConfig } from '../config/types';
import type { Logger } from '../log/logger';
import { chartTitle } from '../views/history';
import { alertChartTarget, type AlertChartSubject, type DrawnChart } from './alert-chart';
import { ChartRenderer } from './chart';
import { HistoryCollector } from './collector';
import { ForecastWatch, type ForecastNotice } from './forecast-watch';
import { InfluxExporter } from './influx';
import { HistoryService } from './service';
import { HistoryStore } from './store';

export const HISTORY_FILE = 'history.db';

export interface HistoryRuntimeDeps {
  readonly config: HistoryConfig;
  readonly influxdb: Config['influxdb'];
  /** Undefined keeps history in memory only. */
  readonly stateDir: string | undefined;
  readonly system: SystemPort;
  readonly docker: DockerPort | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  /** Sends a disk-forecast alert to the admin chats. */
  readonly notify: (notice: ForecastNotice) => Promise<void>;
}

/**
 * History's moving parts with one start/stop: the store, the collector, the
 * optional InfluxDB exporter and the forecast watch. Charts load their heavy
 * modules on first use (see {@link ChartRenderer}). Start never throws: a bad
 * file degrades to a warning (see {@link HistoryStore}).
 */
export class HistoryRuntime {
  readonly service: HistoryService;
  private readonly store: HistoryStore;
  private readonly renderer: ChartRenderer;
  private readonly collector: HistoryCollector;
  private readonly exporter: InfluxExporter | undefined;
  private readonly watch: ForecastWatch | undefined;
  private readonly intervalMs: number;
  private readonly dockerHosts: readonly { readonly index: number; readonly label: string }[];

  constructor(deps: HistoryRuntimeDeps) {
    const { config, clock } = deps;
    this.intervalMs = config.intervalSeconds * 1000;
    this.dockerHosts = deps.docker?.hosts ?? [];
    const log = deps.log.child('history');
    this.store = new HistoryStore({
      path: deps.stateDir === undefined ? undefined : join(deps.stateDir, HISTORY_FILE),
      intervalS: config.intervalSeconds,
      maxBytes: config.maxBytes,
      maxSeries: config.maxSeries,
      clock,
      log,
    });
    this.renderer = new ChartRenderer(clock);
    this.service = new HistoryService(this.store, this.renderer, clock, config.timeZone);
    const influx = deps.influxdb;
    this.exporter =
      influx.url !== '' && influx.bucket !== ''
        ? new InfluxExporter({
            target: {
              url: influx.url,
              token: influx.token,
              org: influx.org,
              bucket: influx.bucket,
              version: influx.version,
            },
            clock,
            log: deps.log.child('influxdb'),
            hostTag: hostname(),
          })
        : undefined;
    this.collector = new HistoryCollector({
      system: deps.system,
      docker: deps.docker,
      sink: this.store,
      exporter: this.exporter,
      clock,
      log,
      intervalMs: this.intervalMs,
      maxContainers: config.maxContainers,
    });
    this.watch =
      config.forecastAlertDays > 0
        ? new ForecastWatch({
            system: deps.system,
            forecast: (mount, size) => this.service.forecast(mount, size),
            notify: deps.notify,
            horizonDays: config.forecastAlertDays,
            clock,
            log,
          })
        : undefined;
  }

  start(): void {
    this.store.open();
    this.collector.start();
    this.exporter?.start();
    this.watch?.start();
  }

  async stop(): Promise<void> {
    this.watch?.stop();
    await this.collector.stop();
    await this.exporter?.stop();
    await this.renderer.close();
    this.store.close();
  }

  /**
   * A container's live stats from the collector's last sample, if it is recent
   * (within two intervals); undefined sends the caller to the engine.
   */
  recentStats(host: number, id: string): ContainerLiveStats | undefined {
    return this.collector.recentStats(host, id, 2 * this.intervalMs);
  }

  /**
   * The last hour's chart for an alert (docs/history.md, `history.alert_charts`);
   * undefined when the alert has no chart, nothing was recorded yet, or charts are busy.
   */
  async alertChart(alert: AlertChartSubject): Promise<DrawnChart | undefined> {
    const target = alertChartTarget(alert, this.dockerHosts);
    if (target === undefined) return undefined;
    const title = chartTitle(target, '1h');
    const result = await this.service.chart(target, '1h', title);
    return result.kind === 'chart' ? { ...result, title } : undefined;
  }

  /** The store's warning, if any, for the health screen. */
  warning(): string | undefined {
    return this.store.status().warning;
  }
}
