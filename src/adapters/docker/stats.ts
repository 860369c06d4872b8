import { num, obj } from './json';
import type { ContainerLiveStats } from './port';

/** The CPU counters of one stats sample, kept to compute CPU % from the next one. */
export interface CpuSample {
  /** ns of CPU the container used, ever. */
  readonly containerNs: number;
  /** ns of CPU the host used, ever (absent on some engines). */
  readonly systemNs?: number;
  readonly onlineCpus: number;
  /** When the sample was taken, ms since the epoch. */
  readonly at: number;
}

/** Reads the CPU counters of an engine stats document. */
export function cpuSample(stats: unknown, at: number): CpuSample {
  const cpu = obj(obj(stats).cpu_stats);
  const usage = obj(cpu.cpu_usage);
  const percpu = Array.isArray(usage.percpu_usage) ? usage.percpu_usage.length : 0;
  const system = cpu.system_cpu_usage;
  return {
    containerNs: num(usage.total_usage),
    ...(typeof system === 'number' && system > 0 ? { systemNs: system } : {}),
    onlineCpus: num(cpu.online_cpus) || percpu || 1,
    at,
  };
}

/**
 * CPU % between two samples, as `docker stats` computes it (100 % = one core):
 * the container's share of the host's CPU time times the number of CPUs, or,
 * when the engine gives no host counter, CPU time over wall time.
 */
export function cpuPercent(previous: CpuSample, current: CpuSample): number | undefined {
  const used = current.containerNs - previous.containerNs;
  if (used < 0) return undefined;
  if (previous.systemNs !== undefined && current.systemNs !== undefined) {
    const system = current.systemNs - previous.systemNs;
    if (system > 0) return (used / system) * current.onlineCpus * 100;
  }
  const wallNs = (current.at - previous.at) * 1e6;
  return wallNs > 0 ? (used / wallNs) * 100 : undefined;
}

/** Usage figures from an engine stats document (memory net of page cache, like `docker stats`). */
export function liveStats(stats: unknown, cpu: number | undefined): ContainerLiveStats {
  const doc = obj(stats);
  const memory = obj(doc.memory_stats);
  const memStats = obj(memory.stats);
  const cache =
    num(memStats.total_inactive_file) || num(memStats.inactive_file) || num(memStats.cache);
  const usage = num(memory.usage);
  let rx = 0;
  let tx = 0;
  let rxErrors = 0;
  let txErrors = 0;
  for (const net of Object.values(obj(doc.networks))) {
    const n = obj(net);
    rx += num(n.rx_bytes);
    tx += num(n.tx_bytes);
    rxErrors += num(n.rx_errors);
    txErrors += num(n.tx_errors);
  }
  return {
    memoryUsed: Math.max(0, usage - cache),
    memoryLimit: num(memory.limit),
    ...(cpu !== undefined ? { cpuPercent: cpu } : {}),
    netRx: rx,
    netTx: tx,
    rxErrors,
    txErrors,
    throttledPeriods: num(obj(obj(doc.cpu_stats).throttling_data).throttled_periods),
    pids: num(obj(doc.pids_stats).current),
  };
}
