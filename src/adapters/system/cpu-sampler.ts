import type { Clock, Timer } from '../../clock';
import type { CpuUsage } from './system-port';
import type { HostFs } from './host-fs';
import { busyPercent, parseCpuStat, timesPercent, type CpuStat } from './proc-parsers';

/** Time between /proc/stat samples once running; the first follows after FIRST_SAMPLE_MS. */
export const SAMPLE_INTERVAL_MS = 2000;
const FIRST_SAMPLE_MS = 1000;

interface Sample {
  readonly at: number;
  readonly stat: CpuStat;
}

/**
 * Samples /proc/stat in the background (a 23 µs synchronous read) so CPU %
 * is ready the moment a user asks, instead of systeminformation's 500 ms
 * first call and its execSync on every later one.
 */
export class CpuSampler {
  private previous: Sample | undefined;
  private latest: Sample | undefined;
  private timer: Timer | undefined;
  private running = false;

  constructor(
    private readonly fs: HostFs,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.sample();
    this.schedule(FIRST_SAMPLE_MS);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    // Clock timers never keep the process alive, so sampling cannot either.
    this.timer = this.clock.setTimeout(() => {
      this.sample();
      this.schedule(SAMPLE_INTERVAL_MS);
    }, ms);
  }

  /** Takes one sample now; public so the adapter can sample when the sampler is not running. */
  sample(): void {
    try {
      const stat = parseCpuStat(this.fs.readSync('proc/stat'));
      if (stat === undefined) throw new Error('/proc/stat has no cpu line');
      this.previous = this.latest;
      this.latest = { at: this.clock.now(), stat };
    } catch (err) {
      this.onError(err);
    }
  }

  /** Usage over the last window, or since boot before the second sample; undefined if /proc/stat is unreadable. */
  usage(): CpuUsage | undefined {
    if (this.latest === undefined) this.sample();
    const latest = this.latest;
    if (latest === undefined) return undefined;
    const before = this.previous;
    return {
      total: busyPercent(before?.stat.total, latest.stat.total),
      perCore: latest.stat.cores.map((core, i) => busyPercent(before?.stat.cores[i], core)),
      times: timesPercent(before?.stat.total, latest.stat.total),
      windowMs: before === undefined ? undefined : latest.at - before.at,
    };
  }

  /** Logical CPUs seen in the last sample. */
  cores(): number | undefined {
    if (this.latest === undefined) this.sample();
    return this.latest?.stat.cores.length;
  }
}
