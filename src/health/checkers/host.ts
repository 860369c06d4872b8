import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../clock';
import type { CheckOutcome, HealthChecker } from '../types';

/** CPU time counters from the first line of /proc/stat (in ticks). */
export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/** One reading of the host; a field is undefined when it could not be read. */
export interface HostSample {
  readonly cpu: CpuTimes | undefined;
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

/** `cpu  user nice system idle iowait irq softirq steal ...` → busy and total ticks. */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return undefined;
  const n = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (n.length < 4 || n.some((v) => !Number.isFinite(v))) return undefined;
  const total = n.reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

/** MemTotal and MemAvailable in bytes. */
export function parseMeminfo(text: string): { total: number; available: number } | undefined {
  const kib = (key: string): number | undefined => {
    // eslint-disable-next-line security/detect-non-literal-regexp -- key is one of two constants below
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  return total !== undefined && available !== undefined && total > 0
    ? { total, available }
    : undefined;
}

/** The 5-minute figure of /proc/loadavg. */
export function parseLoadavg(text: string): number | undefined {
  const v = Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads /proc and statfs directly: a few hundred microseconds, no child processes. */
export async function readHostSample(procRoot = '/proc', diskPath = '/'): Promise<HostSample> {
  const [stat, meminfo, loadavg, disk] = await Promise.all([
    readText(join(procRoot, 'stat')),
    readText(join(procRoot, 'meminfo')),
    readText(join(procRoot, 'loadavg')),
    fs.statfs(diskPath).catch(() => undefined),
  ]);
  return {
    cpu: stat === undefined ? undefined : parseProcStat(stat),
    memory: meminfo === undefined ? undefined : parseMeminfo(meminfo),
    load5: loadavg === undefined ? undefined : parseLoadavg(loadavg),
    cores: availableParallelism(),
    disk:
      disk === undefined || disk.blocks === 0
        ? undefined
        : { path: diskPath, total: disk.blocks * disk.bsize, free: disk.bavail * disk.bsize },
  };
}

const pct = (part: number, whole: number): number =>
  whole > 0 ? Math.round((part / whole) * 100) : 0;

/**
 * Judges a reading against the previous one (for CPU). Host pressure is at worst degraded:
 * restarting the bot does not relieve a busy host, so it must never fail the liveness probe.
 */
export function assessHost(
  prev: HostSample | undefined,
  cur: HostSample,
  limits: HostThresholds = DEFAULT_HOST_THRESHOLDS,
): CheckOutcome {
  const parts: string[] = [];
  const high: string[] = [];
  if (prev?.cpu !== undefined && cur.cpu !== undefined && cur.cpu.total > prev.cpu.total) {
    const cpu = pct(cur.cpu.busy - prev.cpu.busy, cur.cpu.total - prev.cpu.total);
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
  intervalMs: number;
  thresholds?: HostThresholds;
  /** Injectable for tests; defaults to {@link readHostSample}. */
  read?: () => Promise<HostSample>;
  /** Gap between the two readings of the very first check (CPU needs a delta). */
  firstGapMs?: number;
}

/** CPU, memory, disk and load of the host, read straight from /proc. */
export function hostChecker(options: HostCheckerOptions): HealthChecker {
  const read = options.read ?? (() => readHostSample());
  let prev: HostSample | undefined;
  return {
    name: 'host',
    label: 'Host',
    intervalMs: options.intervalMs,
    async check(signal) {
      if (prev === undefined) {
        prev = await read();
        await sleep(options.firstGapMs ?? 250, signal);
      }
      const cur = await read();
      const outcome = assessHost(prev, cur, options.thresholds);
      prev = cur;
      return outcome;
    },
  };
}
