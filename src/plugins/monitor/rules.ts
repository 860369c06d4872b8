import type {
  FanReading,
  FilesystemUsage,
  LoadAverage,
  MemoryInfo,
  TemperatureReading,
} from '../../adapters/system/system-port';
import type { AlertsConfig, ConditionKind, MonitorConfig } from '../../config/types';

/** One watched value this check, compared with its threshold (strictly greater alerts; fans: strictly less). */
export interface Reading {
  /** Stable identity across checks: 'cpu', 'memory', 'disk:/', 'temp:coretemp/Package id 0'. */
  readonly key: string;
  readonly kind: ConditionKind;
  /** What a person calls it: "CPU", "Disk /", "coretemp Package id 0". */
  readonly label: string;
  readonly value: number;
  readonly threshold: number;
  readonly unit: '%' | '°C' | 'per core' | 'RPM';
  /** Alerts when the value falls below the threshold (a stopped fan). */
  readonly below?: boolean;
}

/** The thresholds pyTMBot does not have (alerts.conditions). */
export type ExtraThresholds = Pick<
  AlertsConfig,
  'swapThreshold' | 'loadPerCoreThreshold' | 'fanMinRpm'
>;

/** pyTMBot's mapping: GPU names → GPU threshold; NVMe/disk/SSD → disk threshold; anything else (PCH too) → CPU. */
export function temperatureThreshold(
  t: TemperatureReading,
  thresholds: MonitorConfig['thresholds'],
): number {
  const name = `${t.chip} ${t.label}`.toLowerCase();
  if (/gpu|amdgpu|nvidia/.test(name)) return thresholds.gpuTemperature;
  if (/nvme|disk|ssd/.test(name)) return thresholds.diskTemperature;
  return thresholds.cpuTemperature;
}

/** The host's memory in use as a percent (total − available, as `free` counts it); the bot's own cgroup limit is not the host. */
export function memoryPercent(m: MemoryInfo): number {
  return m.totalBytes > 0 ? (m.usedBytes / m.totalBytes) * 100 : 0;
}

/** Used percent as `df` shows it (used / (used + available)); undefined when statfs did not answer. */
export function diskPercent(f: FilesystemUsage): number | undefined {
  if (f.usedBytes === undefined || f.freeBytes === undefined) return undefined;
  const denominator = f.usedBytes + f.freeBytes;
  return denominator > 0 ? (f.usedBytes / denominator) * 100 : undefined;
}

/** What the system port answered for one check (a metric that failed is absent). */
export interface CheckSample {
  cpu?: number;
  memory?: MemoryInfo;
  filesystems?: readonly FilesystemUsage[];
  temperatures?: readonly TemperatureReading[];
  load?: LoadAverage;
  fans?: readonly FanReading[];
}

/** Readings for one check from whatever the system port answered (a metric that failed is absent). */
export function readings(
  thresholds: MonitorConfig['thresholds'],
  extra: ExtraThresholds,
  sample: CheckSample,
): Reading[] {
  return [...extraReadings(extra, sample), ...pyTmbotReadings(thresholds, sample)];
}

/** Swap, load per core and fans: the conditions pyTMBot does not watch. */
function extraReadings(extra: ExtraThresholds, sample: CheckSample): Reading[] {
  const out: Reading[] = [];
  const swap = sample.memory?.swap;
  if (swap !== undefined && swap.totalBytes > 0) {
    out.push({
      key: 'swap',
      kind: 'swap',
      label: 'Swap',
      value: (swap.usedBytes / swap.totalBytes) * 100,
      threshold: extra.swapThreshold,
      unit: '%',
    });
  }
  if (sample.load !== undefined && sample.load.cores > 0) {
    out.push({
      key: 'load',
      kind: 'load',
      label: 'Load (1 min)',
      value: sample.load.one / sample.load.cores,
      threshold: extra.loadPerCoreThreshold,
      unit: 'per core',
    });
  }
  for (const f of sample.fans ?? []) {
    const name = f.label === '' ? f.chip : `${f.chip} ${f.label}`;
    out.push({
      key: `fan:${f.chip}/${f.label}`,
      kind: 'fan',
      label: `Fan ${name}`,
      value: f.rpm,
      threshold: extra.fanMinRpm,
      unit: 'RPM',
      below: true,
    });
  }
  return out;
}

/** CPU, memory, disks and temperatures, against pyTMBot's thresholds. */
function pyTmbotReadings(thresholds: MonitorConfig['thresholds'], sample: CheckSample): Reading[] {
  const out: Reading[] = [];
  if (sample.cpu !== undefined) {
    out.push({
      key: 'cpu',
      kind: 'cpu',
      label: 'CPU',
      value: sample.cpu,
      threshold: thresholds.cpu,
      unit: '%',
    });
  }
  if (sample.memory !== undefined) {
    out.push({
      key: 'memory',
      kind: 'memory',
      label: 'Memory',
      value: memoryPercent(sample.memory),
      threshold: thresholds.memory,
      unit: '%',
    });
  }
  for (const f of sample.filesystems ?? []) {
    const value = diskPercent(f);
    if (value === undefined) continue;
    out.push({
      key: `disk:${f.mountPoint}`,
      kind: 'disk',
      label: `Disk ${f.mountPoint}`,
      value,
      threshold: thresholds.disk,
      unit: '%',
    });
  }
  for (const t of sample.temperatures ?? []) {
    const name = t.label === '' ? t.chip : `${t.chip} ${t.label}`;
    out.push({
      key: `temp:${t.chip}/${t.label}`,
      kind: 'temperature',
      label: name,
      value: t.celsius,
      threshold: temperatureThreshold(t, thresholds),
      unit: '°C',
    });
  }
  return out;
}
