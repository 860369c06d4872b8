import type { SystemPort } from '../adapters/system/system-port';
import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import type { Forecast } from './forecast';
import type { DiskForecast } from './service';

/** A filesystem forecast to fill within the horizon, or back out of it. */
export type ForecastNotice =
  | {
      readonly kind: 'filling';
      readonly mountPoint: string;
      readonly days: number;
      readonly bytesPerDay: number;
    }
  | { readonly kind: 'cleared'; readonly mountPoint: string };

export interface ForecastWatchOptions {
  readonly system: Pick<SystemPort, 'filesystems'>;
  readonly forecast: (mountPoint: string, sizeBytes: number) => DiskForecast;
  readonly notify: (notice: ForecastNotice) => Promise<void>;
  readonly horizonDays: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly everyMs?: number;
}

/** Forecasts change slowly: checking hourly is plenty and costs one query per mount. */
const DEFAULT_EVERY_MS = 3_600_000;
/** A cleared forecast needs this much margin past the horizon (no flapping at the edge). */
const CLEAR_MARGIN = 1.5;

/**
 * Alerts once when a filesystem's 24 h trend says it fills within the horizon
 * (the 7 d trend when the day's is flat or unknown), and once when it no longer does.
 */
export class ForecastWatch {
  private timer: Timer | undefined;
  private readonly alerting = new Set<string>();

  constructor(private readonly options: ForecastWatchOptions) {}

  start(): void {
    this.timer ??= this.options.clock.setInterval(
      () => void this.check(),
      this.options.everyMs ?? DEFAULT_EVERY_MS,
    );
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  async check(): Promise<void> {
    const { horizonDays } = this.options;
    let filesystems;
    try {
      filesystems = await this.options.system.filesystems();
    } catch (err) {
      this.options.log.debug('forecast: filesystems unreadable', { error: err });
      return;
    }
    for (const fs of filesystems) {
      if (fs.sizeBytes === undefined || fs.sizeBytes <= 0) continue;
      const f = this.options.forecast(fs.mountPoint, fs.sizeBytes);
      const trend = pick(f);
      if (trend === undefined) continue;
      const days = trend.kind === 'fills' ? trend.days : trend.kind === 'full' ? 0 : Infinity;
      const was = this.alerting.has(fs.mountPoint);
      if (!was && days <= horizonDays && trend.kind === 'fills') {
        this.alerting.add(fs.mountPoint);
        await this.send({
          kind: 'filling',
          mountPoint: fs.mountPoint,
          days,
          bytesPerDay: trend.bytesPerDay,
        });
      } else if (was && days > horizonDays * CLEAR_MARGIN) {
        this.alerting.delete(fs.mountPoint);
        await this.send({ kind: 'cleared', mountPoint: fs.mountPoint });
      }
    }
  }

  private async send(notice: ForecastNotice): Promise<void> {
    await this.options
      .notify(notice)
      .catch((err: unknown) => this.options.log.warn('forecast: could not send', { error: err }));
  }
}

function pick(f: DiskForecast): Forecast | undefined {
  if (f.day?.kind === 'fills' || f.day?.kind === 'full') return f.day;
  return f.week ?? f.day;
}
