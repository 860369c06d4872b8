import type { FilesystemUsage } from '../../../src/adapters/system/system-port';
import { ManualClock } from '../../../src/clock';
import { ForecastWatch, type ForecastNotice } from '../../../src/history/forecast-watch';
import type { DiskForecast } from '../../../src/history/service';
import { silentLogger } from '../../support/silent-logger';

const GiB = 1024 ** 3;
const disk: FilesystemUsage = {
  device: '/dev/sda1',
  type: 'ext4',
  mountPoint: '/',
  sizeBytes: 100 * GiB,
  usedBytes: 50 * GiB,
  freeBytes: 50 * GiB,
};

describe('ForecastWatch', () => {
  it('alerts once when a disk is forecast to fill within the horizon, and once when it clears', async () => {
    const clock = new ManualClock();
    let forecast: DiskForecast = {
      day: { kind: 'fills', days: 3, bytesPerDay: GiB },
      week: undefined,
    };
    const sent: ForecastNotice[] = [];
    const watch = new ForecastWatch({
      system: { filesystems: () => Promise.resolve([disk]) },
      forecast: () => forecast,
      notify: (n) => {
        sent.push(n);
        return Promise.resolve();
      },
      horizonDays: 7,
      clock,
      log: silentLogger,
      everyMs: 60_000,
    });
    watch.start();
    await clock.advanceAsync(60_000);
    await clock.advanceAsync(60_000);
    expect(sent).toEqual([{ kind: 'filling', mountPoint: '/', days: 3, bytesPerDay: GiB }]);
    forecast = { day: { kind: 'fills', days: 9, bytesPerDay: GiB }, week: undefined }; // inside the margin
    await clock.advanceAsync(60_000);
    expect(sent).toHaveLength(1);
    forecast = {
      day: { kind: 'steady', bytesPerDay: 0 },
      week: { kind: 'steady', bytesPerDay: 0 },
    };
    await clock.advanceAsync(60_000);
    expect(sent[1]).toEqual({ kind: 'cleared', mountPoint: '/' });
    watch.stop();
    expect(clock.timerCount).toBe(0);
  });

  it('uses the week trend when the day is flat, and ignores disks beyond the horizon', async () => {
    const sent: ForecastNotice[] = [];
    const watch = new ForecastWatch({
      system: { filesystems: () => Promise.resolve([disk, { ...disk, mountPoint: '/srv' }]) },
      forecast: (mount) =>
        mount === '/'
          ? {
              day: { kind: 'steady', bytesPerDay: 0 },
              week: { kind: 'fills', days: 5, bytesPerDay: GiB },
            }
          : { day: { kind: 'fills', days: 40, bytesPerDay: GiB }, week: undefined },
      notify: (n) => {
        sent.push(n);
        return Promise.resolve();
      },
      horizonDays: 7,
      clock: new ManualClock(),
      log: silentLogger,
    });
    await watch.check();
    expect(sent.map((n) => n.mountPoint)).toEqual(['/']);
  });
});
