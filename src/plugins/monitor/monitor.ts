import type { SystemPort } from '../../adapters/system/system-port';
import type { AlertEngine } from '../../alerts/engine';
import type { Clock } from '../../clock';
import type { AlertsConfig, MonitorConfig } from '../../config/types';
import type { Logger } from '../../log/logger';
import { readings, type Reading } from './rules';

export interface MonitorDeps {
  config: MonitorConfig;
  alerts: AlertsConfig;
  system: SystemPort;
  engine: Pick<AlertEngine, 'fire' | 'resolve' | 'find'>;
  clock: Clock;
  log: Logger;
  /** How host-condition alerts name this machine. */
  host: string;
}

interface Condition {
  streak: number;
  last: Reading;
}

const TOP_PROCESSES = 5;

/**
 * Host conditions: every `check_interval` seconds reads the host, and raises or
 * resolves alerts with per-condition debounce (consecutive checks over the
 * threshold) and hysteresis (clears only that far back). Alert state lives in
 * the engine, so a breach that outlives a restart is not announced twice.
 */
export class Monitor {
  private readonly conditions = new Map<string, Condition>();
  /** Fans seen spinning; a fan that never spun (an empty header) never alerts. */
  private readonly spun = new Set<string>();
  private checkedAt: number | undefined;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: MonitorDeps) {}

  /** Starts checking every `check_interval` seconds (first check at once). */
  start(): void {
    if (this.abort !== undefined) return;
    this.deps.system.start();
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal);
  }

  /** Stops the loop and waits for a check in progress. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = undefined;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.check();
      } catch (err) {
        this.deps.log.warn('monitor check failed', { error: err });
      }
      await this.deps.clock.sleep(this.deps.config.checkIntervalSeconds * 1000, signal);
    }
  }

  /** One check: read, then raise or resolve. */
  async check(): Promise<void> {
    const { system, config, alerts } = this.deps;
    const [cpu, memory, filesystems, sensors, load] = await Promise.allSettled([
      system.cpu(),
      system.memory(),
      system.filesystems(),
      system.sensors(),
      system.loadAverage(),
    ]);
    const readKinds = new Set<Reading['kind']>();
    const sample: Parameters<typeof readings>[2] = {};
    if (cpu.status === 'fulfilled') {
      readKinds.add('cpu');
      sample.cpu = cpu.value.usage.total;
    }
    if (memory.status === 'fulfilled') {
      readKinds.add('memory').add('swap');
      sample.memory = memory.value;
    }
    if (filesystems.status === 'fulfilled') {
      readKinds.add('disk');
      sample.filesystems = filesystems.value;
    }
    if (sensors.status === 'fulfilled') {
      readKinds.add('temperature').add('fan');
      sample.temperatures = sensors.value.temperatures;
      sample.fans = sensors.value.fans;
    }
    if (load.status === 'fulfilled') {
      readKinds.add('load');
      sample.load = load.value;
    }
    await this.evaluate(readings(config.thresholds, alerts, sample), readKinds);
    this.checkedAt = this.deps.clock.now();
  }

  private async evaluate(
    sample: readonly Reading[],
    readKinds: ReadonlySet<Reading['kind']>,
  ): Promise<void> {
    const { engine, host, alerts } = this.deps;
    const seen = new Set<string>();
    for (const r of sample) {
      seen.add(r.key);
      if (r.kind === 'fan' && r.value >= r.threshold) this.spun.add(r.key);
      const c = this.conditions.get(r.key) ?? { streak: 0, last: r };
      c.last = r;
      this.conditions.set(r.key, c);
      const rule = alerts.conditions[r.kind];
      const over = r.below === true ? r.value < r.threshold : r.value > r.threshold;
      if (over && (r.kind !== 'fan' || this.spun.has(r.key))) {
        c.streak++;
        if (c.streak >= rule.debounceChecks && engine.find(r.kind, host, r.label) === undefined)
          engine.fire({ target: r.label, host, facts: await this.facts(r) });
      } else {
        c.streak = 0;
        const clear =
          r.below === true
            ? r.value >= r.threshold + rule.hysteresis
            : r.value < r.threshold - rule.hysteresis;
        if (clear) engine.resolve(r.kind, host, r.label);
      }
    }
    for (const [key, c] of [...this.conditions]) {
      // A metric that failed to read this time says nothing about its sensors or disks.
      if (seen.has(key) || !readKinds.has(c.last.kind)) continue;
      engine.resolve(c.last.kind, host, c.last.label, true);
      this.conditions.delete(key);
    }
  }

  private async facts(r: Reading): Promise<Parameters<MonitorDeps['engine']['fire']>[0]['facts']> {
    const base = {
      kind: r.kind,
      label: r.label,
      value: r.value,
      threshold: r.threshold,
      unit: r.unit,
    };
    if (r.kind !== 'cpu' && r.kind !== 'memory') return base;
    const top = await this.deps.system.topProcesses(TOP_PROCESSES).catch(() => undefined);
    if (top === undefined) return base;
    return { ...base, top: r.kind === 'cpu' ? top.byCpu : top.byMemory };
  }

  /** The latest readings, for the status screen. */
  status(): { checkedAt: number | undefined; readings: readonly Reading[] } {
    return {
      checkedAt: this.checkedAt,
      readings: [...this.conditions.values()].map((c) => c.last),
    };
  }
}
