/**
 * Pure parsers for the kernel's text interfaces (/proc, /sys). Each takes the
 * file's text and never throws on odd input: a line it cannot read is skipped.
 */
import type { CpuTimes, NetworkCounters, SwapInfo } from './system-port';

/** /proc/meminfo as bytes by key ("MemTotal" → 24 GiB). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const [value = '', unit] = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (!/^\d+$/.test(value)) continue;
    out.set(line.slice(0, colon).trim(), unit === 'kB' ? Number(value) * 1024 : Number(value));
  }
  return out;
}

export interface MemoryFigures {
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
  usedBytes: number;
  buffersBytes: number;
  cachedBytes: number;
  sharedBytes: number;
  /** Recently used memory, and memory the kernel may reclaim first (`Active`, `Inactive`). */
  activeBytes: number;
  inactiveBytes: number;
  swap: SwapInfo | undefined;
}

/** Memory figures the way `free` (procps-ng 4) and psutil compute them. */
export function memoryFromMeminfo(info: Map<string, number>): MemoryFigures {
  const get = (k: string): number => info.get(k) ?? 0;
  const total = get('MemTotal');
  if (total <= 0) throw new Error('/proc/meminfo has no MemTotal');
  const free = get('MemFree');
  const buffers = get('Buffers');
  const cached = get('Cached') + get('SReclaimable');
  // Kernels before 3.14 have no MemAvailable; this is their usual estimate.
  const available = Math.min(total, info.get('MemAvailable') ?? free + buffers + cached);
  const swapTotal = get('SwapTotal');
  const swapFree = get('SwapFree');
  return {
    totalBytes: total,
    freeBytes: free,
    availableBytes: available,
    usedBytes: Math.max(0, total - available),
    buffersBytes: buffers,
    cachedBytes: cached,
    sharedBytes: get('Shmem'),
    activeBytes: get('Active'),
    inactiveBytes: get('Inactive'),
    swap:
      swapTotal > 0
        ? {
            totalBytes: swapTotal,
            freeBytes: swapFree,
            usedBytes: Math.max(0, swapTotal - swapFree),
          }
        : undefined,
  };
}

/** Jiffies per CPU state in /proc/stat order: user nice system idle iowait irq softirq steal. */
export type CpuTicks = readonly number[];

export interface CpuStat {
  readonly total: CpuTicks;
  readonly cores: readonly CpuTicks[];
}

const CPU_FIELDS = 8;

/** The `cpu` and `cpuN` lines of /proc/stat (guest time is already inside user/nice). */
export function parseCpuStat(text: string): CpuStat | undefined {
  let total: number[] | undefined;
  const cores: number[][] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const ticks = (m[2] ?? '').trim().split(/\s+/).slice(0, CPU_FIELDS).map(Number);
    while (ticks.length < CPU_FIELDS) ticks.push(0);
    if (ticks.some((t) => !Number.isFinite(t))) continue;
    if (m[1] === '') total = ticks;
    else cores.push(ticks);
  }
  return total === undefined ? undefined : { total, cores };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Busy percent between two samples (from zero = since boot). Idle and iowait count as not busy. */
export function busyPercent(before: CpuTicks | undefined, after: CpuTicks): number {
  const d = after.map((v, i) => Math.max(0, v - (before?.[i] ?? 0)));
  const all = sum(d);
  if (all <= 0) return 0;
  const idle = (d[3] ?? 0) + (d[4] ?? 0);
  return clampPercent(((all - idle) / all) * 100);
}

/** Share of each CPU state between two samples, in percent. */
export function timesPercent(before: CpuTicks | undefined, after: CpuTicks): CpuTimes {
  const d = after.map((v, i) => Math.max(0, v - (before?.[i] ?? 0)));
  const all = sum(d);
  const p = (i: number): number => (all > 0 ? clampPercent(((d[i] ?? 0) / all) * 100) : 0);
  return {
    user: p(0),
    nice: p(1),
    system: p(2),
    idle: p(3),
    iowait: p(4),
    irq: p(5),
    softirq: p(6),
    steal: p(7),
  };
}

export function clampPercent(n: number): number {
  return Math.min(100, Math.max(0, n));
}

/** /proc/loadavg → the three averages. */
export function parseLoadavg(text: string): [number, number, number] | undefined {
  const parts = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (parts.length < 3 || parts.some((n) => !Number.isFinite(n) || n < 0)) return undefined;
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

/** /proc/uptime → seconds since boot. */
export function parseUptime(text: string): number | undefined {
  const first = text.trim().split(/\s+/)[0] ?? '';
  const n = Number(first);
  return first !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The fields of /proc/<pid>/stat the screens use. */
export interface PidStat {
  readonly pid: number;
  /** The kernel's command name (at most 15 characters; any bytes but NUL). */
  readonly comm: string;
  /** One-letter state (R, S, D, Z, T, t, X, I, …). */
  readonly state: string;
  /** utime + stime in clock ticks. */
  readonly ticks: number;
  /** Start time after boot in clock ticks; tells a reused pid apart. */
  readonly startTicks: number;
  readonly rssPages: number;
}

/** /proc/<pid>/stat. The name sits in parentheses and may itself contain ") (", so split at the last ')'. */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const start = Number(rest[19]);
  const rss = Number(rest[21]);
  if (
    !Number.isInteger(pid) ||
    pid <= 0 ||
    rest[0] === undefined ||
    [utime, stime, start, rss].some((n) => !Number.isFinite(n))
  ) {
    return undefined;
  }
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    ticks: utime + stime,
    startTicks: start,
    rssPages: Math.max(0, rss),
  };
}

/** Kernel state letters (fs/proc/array.c) → the names psutil and the screens use. */
export const PROCESS_STATES: Readonly<Record<string, string>> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk sleep',
  Z: 'zombie',
  T: 'stopped',
  t: 'tracing stop',
  X: 'dead',
  x: 'dead',
  I: 'idle',
  P: 'parked',
  W: 'waking',
  K: 'wakekill',
};

export interface NetDevRow {
  readonly name: string;
  readonly rx: NetworkCounters;
  readonly tx: NetworkCounters;
}

/** /proc/net/dev. Interface names cannot contain ':' (dev_valid_name), so the first ':' ends the name. */
export function parseNetDev(text: string): NetDevRow[] {
  const rows: NetDevRow[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === '' || f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    const at = (i: number): number => f[i] ?? 0;
    rows.push({
      name,
      rx: { bytes: at(0), packets: at(1), errors: at(2), drops: at(3) },
      tx: { bytes: at(8), packets: at(9), errors: at(10), drops: at(11) },
    });
  }
  return rows;
}

export interface DiskstatsRow {
  readonly name: string;
  readonly reads: number;
  readonly readBytes: number;
  readonly readTimeMs: number;
  readonly writes: number;
  readonly writeBytes: number;
  readonly writeTimeMs: number;
}

/** /proc/diskstats sectors are always 512 bytes, whatever the device's block size. */
const DISKSTATS_SECTOR = 512;

export function parseDiskstats(text: string): DiskstatsRow[] {
  const rows: DiskstatsRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const n = (i: number): number => Number(f[i]);
    const values = [n(3), n(5), n(6), n(7), n(9), n(10)];
    if (values.some((v) => !Number.isFinite(v))) continue;
    rows.push({
      name: f[2] ?? '',
      reads: n(3),
      readBytes: n(5) * DISKSTATS_SECTOR,
      readTimeMs: n(6),
      writes: n(7),
      writeBytes: n(9) * DISKSTATS_SECTOR,
      writeTimeMs: n(10),
    });
  }
  return rows;
}

export interface MountRow {
  readonly device: string;
  readonly mountPoint: string;
  readonly type: string;
}

/** The kernel writes space, tab, newline and backslash in mount fields as octal escapes. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** /proc/self/mounts. */
export function parseMounts(text: string): MountRow[] {
  const rows: MountRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 3 || f[0] === undefined || f[1] === undefined || f[2] === undefined) continue;
    rows.push({
      device: unescapeMountField(f[0]),
      mountPoint: unescapeMountField(f[1]),
      type: f[2],
    });
  }
  return rows;
}

/** Filesystem types from /proc/filesystems, split by whether they need a block device. */
export interface FilesystemTypes {
  readonly dev: ReadonlySet<string>;
  readonly nodev: ReadonlySet<string>;
}

export function parseFilesystemTypes(text: string): FilesystemTypes {
  const dev = new Set<string>();
  const nodev = new Set<string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 2 && f[0] === 'nodev' && f[1] !== undefined) nodev.add(f[1]);
    else if (f.length === 1 && f[0] !== undefined && f[0] !== '') dev.add(f[0]);
  }
  return { dev, nodev };
}

/** Network filesystems are nodev but are real storage a user wants to see. */
const NETWORK_FS = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'ceph',
  'fuse.glusterfs',
  'fuse.sshfs',
]);
/** Block-backed types that only add noise: every snap package is a full read-only squashfs. */
const NOISE_FS = new Set(['squashfs']);

/**
 * The mounts a person calls "disks", like `df`: only block-device filesystems
 * (plus network ones and zfs), each device once at its shortest mount point so
 * bind mounts do not repeat it. A container's overlay root is kept: it is where
 * the container's files live. Types the kernel does not list (nsfs) are pseudo.
 */
export function realMounts(mounts: readonly MountRow[], types: FilesystemTypes): MountRow[] {
  const known = types.dev.size > 0;
  const byDevice = new Map<string, MountRow>();
  for (const m of mounts) {
    const real =
      NETWORK_FS.has(m.type) ||
      m.type === 'zfs' ||
      (m.type === 'overlay' && m.mountPoint === '/') ||
      (!NOISE_FS.has(m.type) && (known ? types.dev.has(m.type) : m.device.startsWith('/dev/')));
    if (!real) continue;
    const key = `${m.device}\u0000${m.type}`;
    const seen = byDevice.get(key);
    if (seen === undefined || m.mountPoint.length < seen.mountPoint.length) byDevice.set(key, m);
  }
  return [...byDevice.values()];
}

/** TCP states by the hex code in /proc/net/tcp's `st` column (include/net/tcp_states.h). */
export const TCP_STATES: Readonly<Record<string, string>> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

/** Socket states of /proc/net/{tcp,tcp6,udp,udp6} text: one hex code per socket line (the header does not match). */
export function parseSocketStates(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /^\s*\d+: [0-9A-Fa-f]+:[0-9A-Fa-f]+ [0-9A-Fa-f]+:[0-9A-Fa-f]+ ([0-9A-Fa-f]{2}) /gm,
  )) {
    if (m[1] !== undefined) out.push(m[1].toUpperCase());
  }
  return out;
}

/** /proc/net/sockstat{,6}: "TCP: inuse 5 orphan 0 tw 80000 …" → { TCP: { inuse: 5, tw: 80000, … } }. */
export function parseSockstat(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const values: Record<string, number> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const n = Number(fields[i + 1]);
      if (fields[i] !== undefined && Number.isFinite(n)) values[fields[i] as string] = n;
    }
    out[line.slice(0, colon).trim()] = values;
  }
  return out;
}
