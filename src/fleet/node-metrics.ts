import type { Sample } from './exposition';
import type { RemoteFilesystem, RemoteInterface, RemoteSnapshot, RemoteTemperature } from './port';

/** The node_exporter gauges and counters the remote screens use; everything else is skipped unparsed. */
export const NODE_METRICS = [
  'node_load1',
  'node_load5',
  'node_load15',
  'node_cpu_seconds_total',
  'node_memory_MemTotal_bytes',
  'node_memory_MemAvailable_bytes',
  'node_memory_SwapTotal_bytes',
  'node_memory_SwapFree_bytes',
  'node_filesystem_size_bytes',
  'node_filesystem_avail_bytes',
  'node_network_receive_bytes_total',
  'node_network_transmit_bytes_total',
  'node_hwmon_temp_celsius',
  'node_boot_time_seconds',
  'node_time_seconds',
] as const;

const KEEP = new Set<string>(NODE_METRICS);
export const keepNodeMetric = (name: string): boolean => KEEP.has(name);

/** Rows a remote screen lists at most, so a hostile exporter cannot grow a message or memory. */
export const MAX_ROWS = 64;

/** CPU time counters summed over all cores: busy and total seconds. */
export interface CpuCounters {
  readonly busy: number;
  readonly total: number;
  readonly cores: number;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

function one(samples: readonly Sample[], name: string): number | undefined {
  const s = samples.find((x) => x.name === name);
  return s !== undefined && Number.isFinite(s.value) ? s.value : undefined;
}

/** Sums node_cpu_seconds_total by mode; idle and iowait count as not busy. */
export function cpuCounters(samples: readonly Sample[]): CpuCounters | undefined {
  const cpus = new Set<string>();
  let busy = 0;
  let total = 0;
  for (const s of samples) {
    if (s.name !== 'node_cpu_seconds_total' || !Number.isFinite(s.value)) continue;
    cpus.add(s.labels.cpu ?? '');
    total += s.value;
    if (s.labels.mode !== 'idle' && s.labels.mode !== 'iowait') busy += s.value;
  }
  return cpus.size === 0 ? undefined : { busy, total, cores: cpus.size };
}

/** Busy share between two readings of the counters; undefined when they do not move forward. */
export function busyPercent(prev: CpuCounters, next: CpuCounters): number | undefined {
  const dt = next.total - prev.total;
  const db = next.busy - prev.busy;
  if (!(dt > 0) || db < 0) return undefined;
  return Math.min(100, Math.max(0, (db / dt) * 100));
}

function byLabels<T>(
  samples: readonly Sample[],
  names: readonly [string, string],
  key: (s: Sample) => string | undefined,
  make: (k: string, a: number, b: number, first: Sample) => T,
): T[] {
  const pairs = new Map<string, { a?: number; b?: number; first: Sample }>();
  for (const s of samples) {
    const which = names.indexOf(s.name);
    if (which === -1 || !Number.isFinite(s.value)) continue;
    const k = key(s);
    if (k === undefined) continue;
    const entry = pairs.get(k) ?? { first: s };
    if (which === 0) entry.a = s.value;
    else entry.b = s.value;
    if (!pairs.has(k) && pairs.size >= MAX_ROWS) continue;
    pairs.set(k, entry);
  }
  const out: T[] = [];
  for (const [k, e] of pairs) if (finite(e.a) && finite(e.b)) out.push(make(k, e.a, e.b, e.first));
  return out;
}

/** Builds a snapshot from one page of node_exporter samples (CPU busy needs an earlier reading). */
export function snapshotFromSamples(
  samples: readonly Sample[],
  previousCpu?: CpuCounters,
): RemoteSnapshot {
  const l1 = one(samples, 'node_load1');
  const l5 = one(samples, 'node_load5');
  const l15 = one(samples, 'node_load15');
  const cpu = cpuCounters(samples);
  const memTotal = one(samples, 'node_memory_MemTotal_bytes');
  const memAvail = one(samples, 'node_memory_MemAvailable_bytes');
  const swapTotal = one(samples, 'node_memory_SwapTotal_bytes');
  const swapFree = one(samples, 'node_memory_SwapFree_bytes');
  const boot = one(samples, 'node_boot_time_seconds');
  const now = one(samples, 'node_time_seconds');
  const filesystems = byLabels<RemoteFilesystem>(
    samples,
    ['node_filesystem_size_bytes', 'node_filesystem_avail_bytes'],
    (s) => s.labels.mountpoint,
    (mount, size, avail, s) => ({
      mount,
      device: s.labels.device ?? '',
      fstype: s.labels.fstype ?? '',
      sizeBytes: size,
      availBytes: avail,
    }),
  );
  const network = byLabels<RemoteInterface>(
    samples,
    ['node_network_receive_bytes_total', 'node_network_transmit_bytes_total'],
    (s) => (s.labels.device === 'lo' ? undefined : s.labels.device),
    (name, rx, tx) => ({ name, rxBytes: rx, txBytes: tx }),
  );
  const temperatures: RemoteTemperature[] = samples
    .filter((s) => s.name === 'node_hwmon_temp_celsius' && Number.isFinite(s.value))
    .slice(0, MAX_ROWS)
    .map((s) => ({ chip: s.labels.chip ?? '', sensor: s.labels.sensor ?? '', celsius: s.value }));
  const busy =
    cpu !== undefined && previousCpu !== undefined ? busyPercent(previousCpu, cpu) : undefined;
  return {
    ...(finite(l1) && finite(l5) && finite(l15) ? { load: [l1, l5, l15] as const } : {}),
    ...(cpu !== undefined
      ? { cpu: { cores: cpu.cores, ...(busy !== undefined ? { busyPercent: busy } : {}) } }
      : {}),
    ...(finite(memTotal) && finite(memAvail)
      ? { memory: { totalBytes: memTotal, availableBytes: memAvail } }
      : {}),
    ...(finite(swapTotal) && finite(swapFree)
      ? { swap: { totalBytes: swapTotal, freeBytes: swapFree } }
      : {}),
    filesystems,
    network,
    temperatures,
    ...(finite(boot) && finite(now) && now >= boot ? { uptimeSeconds: now - boot } : {}),
  };
}
