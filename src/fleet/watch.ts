import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import type { View } from '../views/view';
import {
  hostBackView,
  hostThresholdClearedView,
  hostThresholdView,
  hostUnreachableView,
} from './alert-views';
import { judge, keyFigures, type HostThresholds } from './health';
import type { HostStatus } from './port';

export interface WatchDeps {
  /** A fresh read of every host (bypassing screen caches). */
  readonly read: () => Promise<readonly HostStatus[]>;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Consecutive failed scrapes before "unreachable". */
  readonly unreachableAfter: number;
  readonly thresholds: HostThresholds;
  /** Sends one alert to the alert chats. */
  readonly notify: (view: View) => Promise<void>;
  readonly counted: (severity: string, state: string) => void;
  readonly log: Logger;
}

interface HostMemory {
  failures: number;
  unreachable: boolean;
  over: boolean;
}

/** Hosts remembered at most; a Prometheus group cannot grow this without bound. */
const MAX_HOSTS = 10_000;

/**
 * Remote-host alerts: "unreachable" after N failed scrapes in a row and "back" after, and the
 * monitor's thresholds on remote figures (once when crossed, once when cleared).
 */
export class FleetWatch {
  private readonly hosts = new Map<string, HostMemory>();
  private timer: Timer | undefined;
  private running = false;

  constructor(private readonly deps: WatchDeps) {}

  start(): void {
    this.timer ??= this.deps.clock.setInterval(() => void this.tick(), this.deps.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One round; a round still running makes the next one skip. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const statuses = await this.deps.read();
      for (const s of statuses) await this.judgeHost(s);
    } catch (err) {
      this.deps.log.warn('fleet: could not read the remote hosts', { error: err });
    } finally {
      this.running = false;
    }
  }

  private memory(name: string): HostMemory {
    let m = this.hosts.get(name);
    if (m === undefined) {
      m = { failures: 0, unreachable: false, over: false };
      if (this.hosts.size < MAX_HOSTS) this.hosts.set(name, m);
    }
    return m;
  }

  private async judgeHost(s: HostStatus): Promise<void> {
    const m = this.memory(s.name);
    if (s.state === 'down' || s.snapshot === undefined) {
      m.failures++;
      if (m.failures >= this.deps.unreachableAfter && !m.unreachable) {
        m.unreachable = true;
        this.deps.counted('critical', 'firing');
        await this.deps.notify(hostUnreachableView(s.name, m.failures, s.error ?? 'no answer'));
      }
      return;
    }
    m.failures = 0;
    if (m.unreachable) {
      m.unreachable = false;
      this.deps.counted('critical', 'resolved');
      await this.deps.notify(hostBackView(s.name));
    }
    const { over } = judge(s.snapshot, this.deps.thresholds, 0);
    if (over.length > 0 && !m.over) {
      m.over = true;
      this.deps.counted('warning', 'firing');
      await this.deps.notify(
        hostThresholdView(s.name, over, keyFigures(s.snapshot), this.deps.thresholds),
      );
    } else if (over.length === 0 && m.over) {
      m.over = false;
      this.deps.counted('warning', 'resolved');
      await this.deps.notify(hostThresholdClearedView(s.name));
    }
  }
}
