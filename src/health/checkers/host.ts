import type { SystemPort } from '../../adapters/system/system-port';
import type { CheckOutcome, HealthChecker } from '../types';

/** One reading of the host; a field is undefined when it could not be read. */
export interface HostSample {
  /** Busy percent of all CPUs over the sampler's last window; undefined before it has one. */
  readonly cpuPercent: number | undefined;
  readonly memory: { readonly total: number; readonly available: number } | undefined;
  /** 5-minute load average. */
  readonly load5: number | undefined;
  readonly cores: number;
  readonly disk:
    { readonly path: string; readonly total: number; readonly free: number } | undefined;
}

/** Pressure at or above these (percent, or load per core) is degraded. */
export interface HostThresholds {
  readonly cpuPercent: number;
  readonly memoryPercent: number;
  readonly diskPercent: number;
  readonly loadPerCore: number;
}

export const DEFAULT_HOST_THRESHOLDS: HostThresholds = {
  cpuPercent: 90,
  memoryPercent: 90,
  diskPercent: 90,
  loadPerCore: 2,
};

/** A figure the port could not read is left out, not an error. */
const orUndefined = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** Reads the host through the SystemPort (the same cached figures the server screens show). */
export async function readHostSample(system: SystemPort, diskPath = '/'): Promise<HostSample> {
  const [cpu, memory, load, filesystems] = await Promise.all([
    orUndefined(system.cpu()),
    orUndefined(system.memory()),
    orUndefined(system.loadAverage()),
    orUndefined(system.filesystems()),
  ]);
  const fsRow = filesystems?.find((f) => f.mountPoint === diskPath);
  return {
    cpuPercent: cpu?.usage.windowMs === undefined ? undefined : cpu.usage.total,
    memory:
      memory === undefined || memory.totalBytes <= 0
        ? undefined
        : { total: memory.totalBytes, available: memory.availableBytes },
    load5: load?.five,
    cores: load?.cores ?? cpu?.logicalCores ?? 1,
    disk:
      fsRow?.sizeBytes === undefined || fsRow.freeBytes === undefined || fsRow.sizeBytes === 0
        ? undefined
        : { path: diskPath, total: fsRow.sizeBytes, free: fsRow.freeBytes },
  };
}

const pct = (part: number, whole: number): number =>
  whole > 0 ? Math.round((part / whole) * 100) : 0;

/**
 * Judges a reading. Host pressure is at worst degraded:
 * restarting the bot does not relieve a busy host, so it must never fail the liveness probe.
 */
export function assessHost(
  cur: HostSample,
  limits: HostThresholds = DEFAULT_HOST_THRESHOLDS,
): CheckOutcome {
  const parts: string[] = [];
  const high: string[] = [];
  if (cur.cpuPercent !== undefined) {
    const cpu = Math.round(cur.cpuPercent);
    parts.push(`CPU ${cpu}%`);
    if (cpu >= limits.cpuPercent) high.push(`CPU ${cpu}%`);
  }
  if (cur.memory !== undefined) {
    const mem = pct(cur.memory.total - cur.memory.available, cur.memory.total);
    parts.push(`memory ${mem}%`);
    if (mem >= limits.memoryPercent) high.push(`memory ${mem}%`);
  }
  if (cur.disk !== undefined) {
    const disk = pct(cur.disk.total - cur.disk.free, cur.disk.total);
    parts.push(`disk ${disk}%`);
    if (disk >= limits.diskPercent) high.push(`disk ${cur.disk.path} ${disk}%`);
  }
  if (cur.load5 !== undefined) {
    parts.push(`load ${cur.load5.toFixed(2)} on ${cur.cores} cores`);
    if (cur.load5 >= limits.loadPerCore * cur.cores)
      high.push(`load ${cur.load5.toFixed(2)} on ${cur.cores} cores`);
  }
  if (parts.length === 0)
    return { level: 'degraded', summary: 'host metrics are not readable here' };
  if (high.length > 0) return { level: 'degraded', summary: `high: ${high.join(', ')}` };
  return { level: 'healthy', summary: parts.join(', ') };
}

export interface HostCheckerOptions {
  system: SystemPort;
  intervalMs: number;
  thresholds?: HostThresholds;
}

/** CPU, memory, root-disk and load pressure of the host, read through the SystemPort. */
export function hostChecker(options: HostCheckerOptions): HealthChecker {
  return {
    name: 'host',
    label: 'Host',
    intervalMs: options.intervalMs,
    async check() {
      return assessHost(await readHostSample(options.system), options.thresholds);
    },
  };
}
