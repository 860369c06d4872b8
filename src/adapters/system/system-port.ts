/**
 * The host as the server screens see it. One real implementation
 * (`HostSystem`); unit tests pass small fakes. A method rejects when its
 * metric cannot be read at all; a field is `undefined` when only that value is
 * missing (no swap, no MHz, no speed on a virtual NIC).
 */
export interface SystemPort {
  /** Starts background sampling (CPU); idempotent. */
  start(): void;
  /** Stops background sampling and aborts waits; idempotent. */
  stop(): void;
  /** Where the numbers come from (host or container). */
  context(): HostScope;
  loadAverage(): Promise<LoadAverage>;
  cpu(): Promise<CpuInfo>;
  memory(): Promise<MemoryInfo>;
  sensors(): Promise<SensorInfo>;
  processes(): Promise<ProcessCounts>;
  /** The `limit` busiest processes by CPU and by memory. */
  topProcesses(limit: number): Promise<TopProcesses>;
  uptime(): Promise<UptimeInfo>;
  users(): Promise<readonly LoggedInUser[]>;
  filesystems(): Promise<readonly FilesystemUsage[]>;
  diskIo(): Promise<readonly DiskIo[]>;
  networkTotals(): Promise<NetworkTotals>;
  interfaces(): Promise<readonly NetInterface[]>;
  connections(): Promise<ConnectionSummary>;
  /** The memory limit of this process's own cgroup (v2 `memory.max`, v1), when one is set. */
  processMemoryLimit(): Promise<number | undefined>;
  /**
   * This process's resident memory in bytes (/proc/self/statm, read off the event loop: a
   * synchronous read of /proc/self/stat, as process.memoryUsage() does, can wait in the kernel for
   * 100 ms while the host creates processes).
   */
  processRss(): Promise<number>;
}

/** Which numbers are the host's when the daemon runs in a container. */
export interface HostScope {
  readonly inContainer: boolean;
  /** The process table is the host's (not in a container, or `pid: host`). */
  readonly hostProcesses: boolean;
  /** Network figures are the host's; undefined when it cannot be told from inside. */
  readonly hostNetwork: boolean | undefined;
}

export interface LoadAverage {
  readonly one: number;
  readonly five: number;
  readonly fifteen: number;
  /** Logical CPUs, to express load as a share of capacity. */
  readonly cores: number;
}

/** Share of CPU time per state over the sample window, in percent (sums to ~100). */
export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  readonly steal: number;
}

/** CPU busy figures from the background sampler. */
export interface CpuUsage {
  /** Busy percent of all CPUs together, 0–100. */
  readonly total: number;
  /** Busy percent per logical CPU, in `cpuN` order. */
  readonly perCore: readonly number[];
  readonly times: CpuTimes;
  /** Length of the sample window in ms; undefined when the figures are averages since boot. */
  readonly windowMs: number | undefined;
}

export interface CpuInfo {
  readonly model: string | undefined;
  readonly logicalCores: number;
  readonly physicalCores: number | undefined;
  /** Average current clock across CPUs. */
  readonly mhzCurrent: number | undefined;
  readonly mhzMin: number | undefined;
  readonly mhzMax: number | undefined;
  readonly usage: CpuUsage;
}

export interface MemoryInfo {
  readonly totalBytes: number;
  readonly freeBytes: number;
  readonly availableBytes: number;
  /** total − available, as `free` (procps-ng 4) counts it. */
  readonly usedBytes: number;
  readonly buffersBytes: number;
  /** Page cache plus reclaimable slab. */
  readonly cachedBytes: number;
  readonly sharedBytes: number;
  readonly activeBytes: number;
  readonly inactiveBytes: number;
  readonly swap: SwapInfo | undefined;
  /** The container's cgroup memory limit and usage, when one is set. */
  readonly containerLimit: { readonly limitBytes: number; readonly usageBytes: number } | undefined;
}

export interface SwapInfo {
  readonly totalBytes: number;
  readonly usedBytes: number;
  readonly freeBytes: number;
}

export interface TemperatureReading {
  readonly chip: string;
  readonly label: string;
  readonly celsius: number;
  readonly highCelsius: number | undefined;
  readonly criticalCelsius: number | undefined;
}

export interface FanReading {
  readonly chip: string;
  readonly label: string;
  readonly rpm: number;
}

export interface SensorInfo {
  /** Readings outside a plausible range (−50…150 °C) are dropped as sensor noise. */
  readonly temperatures: readonly TemperatureReading[];
  readonly fans: readonly FanReading[];
}

/** Process counts keyed by state name ('running', 'sleeping', 'idle', 'zombie', …). */
export interface ProcessCounts {
  readonly total: number;
  readonly byState: Readonly<Record<string, number>>;
}

export interface ProcessRow {
  readonly pid: number;
  readonly name: string;
  /** Percent of one CPU over the sample window (top's convention; can exceed 100). */
  readonly cpuPercent: number;
  /** Resident memory as a percent of physical memory. */
  readonly memPercent: number;
  readonly rssBytes: number;
}

export interface TopProcesses {
  readonly byCpu: readonly ProcessRow[];
  readonly byMemory: readonly ProcessRow[];
  readonly total: number;
  /** How long CPU use was measured over, in ms. */
  readonly windowMs: number;
}

export interface UptimeInfo {
  readonly seconds: number;
  /** Boot time, ms since the epoch. */
  readonly bootTime: number;
}

export interface LoggedInUser {
  readonly name: string;
  readonly tty: string;
  /** Remote host or address; empty for a local login. */
  readonly host: string;
  /** Login time, ms since the epoch; undefined when unparseable. */
  readonly since: number | undefined;
}

export interface FilesystemUsage {
  readonly device: string;
  readonly type: string;
  readonly mountPoint: string;
  /** Undefined when the filesystem did not answer statfs in time (a hung network mount). */
  readonly sizeBytes: number | undefined;
  readonly usedBytes: number | undefined;
  /** Free space available to unprivileged users, as `df` shows it. */
  readonly freeBytes: number | undefined;
}

export interface DiskIo {
  readonly device: string;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly reads: number;
  readonly writes: number;
  readonly readTimeMs: number;
  readonly writeTimeMs: number;
}

export interface NetworkCounters {
  readonly bytes: number;
  readonly packets: number;
  readonly errors: number;
  readonly drops: number;
}

export interface NetworkTotals {
  readonly received: NetworkCounters;
  readonly sent: NetworkCounters;
  /** Interfaces summed (loopback excluded). */
  readonly interfaces: number;
  /** Byte counters of each summed interface, when the source lists them (history charts). */
  readonly byInterface?: readonly InterfaceTraffic[];
}

export interface InterfaceTraffic {
  readonly name: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface NetInterface {
  readonly name: string;
  /** Kernel operstate: 'up', 'down', 'unknown', … */
  readonly state: string;
  readonly speedMbps: number | undefined;
  readonly mtu: number | undefined;
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

export interface ConnectionSummary {
  readonly total: number;
  readonly tcp: number;
  readonly udp: number;
  /** TCP sockets by state ('ESTABLISHED', 'LISTEN', …). */
  readonly tcpByState: Readonly<Record<string, number>>;
  /**
   * False on a host with so many sockets that listing them would cost the
   * kernel about a second of CPU: then only TIME_WAIT is counted apart and
   * the rest is under 'OTHER' (from /proc/net/sockstat).
   */
  readonly detailed: boolean;
}
