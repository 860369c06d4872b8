import type { ContainerLiveStats, ContainerSummary, DockerPort } from '../adapters/docker/port';
import type { SystemPort } from '../adapters/system/system-port';
import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import { containerKey, fsKey, hostKey, netKey, tempKey } from './series';

/** Where a sample goes: the store, and the InfluxDB exporter when configured. */
export interface SampleSink {
  record(values: ReadonlyMap<string, number>): void;
}
export interface SamplePush {
  push(values: ReadonlyMap<string, number>, atMs: number): void;
}

export interface CollectorOptions {
  readonly system: SystemPort;
  /** Undefined when Docker is not configured. */
  readonly docker: DockerPort | undefined;
  readonly sink: SampleSink;
  readonly exporter: SamplePush | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly intervalMs: number;
  /** Containers sampled per host and tick, newest first (bounds the engine's load). */
  readonly maxContainers: number;
}

/** Parallel stats requests per Docker host. */
const STATS_CONCURRENCY = 4;

/**
 * Samples the host and every running container each interval into the sink.
 * A tick that is still running when the next is due makes that one skip, so a
 * slow engine never piles up requests. Counters (network bytes) become rates
 * between two ticks. The latest stats of each container are kept in memory, so a
 * container screen shows its live figures at once instead of asking the engine,
 * whose one-shot stats take its ~1 s tick ({@link HistoryCollector.recentStats}).
 */
export class HistoryCollector {
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private readonly counters = new Map<string, { at: number; value: number }>();
  private readonly latest = new Map<string, { at: number; stats: ContainerLiveStats }>();

  constructor(private readonly options: CollectorOptions) {}

  start(): void {
    this.timer ??= this.options.clock.setInterval(() => void this.tick(), this.options.intervalMs);
    void this.tick();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /**
   * The container's stats from the last sample, when it has a CPU figure and is at
   * most `maxAgeMs` old; undefined otherwise (the caller asks the engine).
   */
  recentStats(host: number, id: string, maxAgeMs: number): ContainerLiveStats | undefined {
    const entry = this.latest.get(`${host}/${id}`);
    if (entry === undefined || this.options.clock.now() - entry.at > maxAgeMs) return undefined;
    return entry.stats;
  }

  /** One sample now (skipped if one is in progress); resolves when it is stored. */
  tick(): Promise<void> {
    if (this.running !== undefined) return this.running;
    this.running = this.sample()
      .catch((err: unknown) => this.options.log.warn('history sample failed', { error: err }))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async sample(): Promise<void> {
    const values = new Map<string, number>();
    const tasks: Promise<void>[] = [this.sampleHost(values)];
    const docker = this.options.docker;
    if (docker !== undefined) {
      for (const host of docker.hosts) tasks.push(this.sampleDocker(docker, host.index, values));
    }
    await Promise.all(tasks);
    this.forgetStaleCounters();
    if (values.size === 0) return;
    this.options.sink.record(values);
    this.options.exporter?.push(values, this.options.clock.now());
  }

  private async sampleHost(values: Map<string, number>): Promise<void> {
    const { system } = this.options;
    const [cpu, memory, load, filesystems, network, sensors] = await Promise.allSettled([
      system.cpu(),
      system.memory(),
      system.loadAverage(),
      system.filesystems(),
      system.networkTotals(),
      system.sensors(),
    ]);
    if (cpu.status === 'fulfilled') values.set(hostKey('cpu'), cpu.value.usage.total);
    if (memory.status === 'fulfilled' && memory.value.totalBytes > 0) {
      const m = memory.value;
      values.set(hostKey('mem'), (m.usedBytes / m.totalBytes) * 100);
      if (m.swap !== undefined && m.swap.totalBytes > 0) {
        values.set(hostKey('swap'), (m.swap.usedBytes / m.swap.totalBytes) * 100);
      }
    }
    if (load.status === 'fulfilled') {
      values.set(hostKey('load1'), load.value.one);
      values.set(hostKey('load5'), load.value.five);
      values.set(hostKey('load15'), load.value.fifteen);
    }
    if (filesystems.status === 'fulfilled') {
      for (const fs of filesystems.value) {
        if (fs.usedBytes === undefined || fs.sizeBytes === undefined || fs.sizeBytes <= 0) continue;
        values.set(fsKey('used', fs.mountPoint), fs.usedBytes);
        values.set(fsKey('pct', fs.mountPoint), (fs.usedBytes / fs.sizeBytes) * 100);
      }
    }
    if (network.status === 'fulfilled') {
      for (const nic of network.value.byInterface ?? []) {
        this.rate(values, netKey('rx', nic.name), nic.rxBytes);
        this.rate(values, netKey('tx', nic.name), nic.txBytes);
      }
    }
    if (sensors.status === 'fulfilled') {
      for (const t of sensors.value.temperatures)
        values.set(tempKey(`${t.chip}/${t.label}`), t.celsius);
    }
  }

  private async sampleDocker(
    docker: DockerPort,
    host: number,
    values: Map<string, number>,
  ): Promise<void> {
    let containers: ContainerSummary[];
    try {
      containers = await docker.listContainers(host);
    } catch (err) {
      this.options.log.debug('history: Docker host not reachable', { host, error: err });
      return;
    }
    const running = containers
      .filter((c) => c.state === 'running')
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, this.options.maxContainers);
    const queue = [...running];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const stats = await docker.containerStats(host, c.id).catch(() => undefined);
        if (stats === undefined) continue;
        if (stats.cpuPercent !== undefined) {
          values.set(containerKey('cpu', host, c.name), stats.cpuPercent);
          this.latest.set(`${host}/${c.id}`, { at: this.options.clock.now(), stats });
        }
        values.set(containerKey('mem', host, c.name), stats.memoryUsed);
        this.rate(values, containerKey('rx', host, c.name), stats.netRx);
        this.rate(values, containerKey('tx', host, c.name), stats.netTx);
      }
    };
    await Promise.all(Array.from({ length: STATS_CONCURRENCY }, worker));
  }

  /** Drops counters and stats of what was not seen for three intervals (bounds memory). */
  private forgetStaleCounters(): void {
    const oldest = this.options.clock.now() - 3 * this.options.intervalMs;
    for (const [key, c] of this.counters) if (c.at < oldest) this.counters.delete(key);
    for (const [key, c] of this.latest) if (c.at < oldest) this.latest.delete(key);
  }

  /** Stores bytes/s since the previous reading of a counter (none on the first, or after a reset). */
  private rate(values: Map<string, number>, key: string, counter: number): void {
    const now = this.options.clock.now();
    const previous = this.counters.get(key);
    this.counters.set(key, { at: now, value: counter });
    if (previous === undefined || now <= previous.at || counter < previous.value) return;
    values.set(key, ((counter - previous.value) * 1000) / (now - previous.at));
  }
}
