import * as os from 'node:os';
import { basename } from 'node:path';
import { withTimeout, type Clock } from '../../clock';
import type { Logger } from '../../log/logger';
import { cgroupMemoryLimitFiles, parseMemoryLimit } from './cgroup-parsers';
import { CpuSampler } from './cpu-sampler';
import { HostFs } from './host-fs';
import {
  memoryFromMeminfo,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseFilesystemTypes,
  parsePidStat,
  parseSocketStates,
  parseSockstat,
  parseUptime,
  PROCESS_STATES,
  realMounts,
  TCP_STATES,
  type PidStat,
} from './proc-parsers';
import type {
  ConnectionSummary,
  CpuInfo,
  DiskIo,
  FanReading,
  FilesystemUsage,
  HostScope,
  LoadAverage,
  LoggedInUser,
  MemoryInfo,
  NetInterface,
  NetworkCounters,
  NetworkTotals,
  ProcessCounts,
  ProcessRow,
  SensorInfo,
  SystemPort,
  TemperatureReading,
  TopProcesses,
  UptimeInfo,
} from './system-port';
import { TtlCache } from './ttl-cache';

/** How long each metric is reused, in ms (pyTMBot's psutil cache used the same 3–15 s spread). */
export const METRIC_TTL_MS = {
  memory: 3000,
  connections: 3000,
  load: 5000,
  cpuClock: 5000,
  processes: 5000,
  top: 5000,
  diskIo: 5000,
  network: 5000,
  filesystems: 10_000,
  users: 10_000,
  interfaces: 10_000,
  sensors: 15_000,
} as const;

/** USER_HZ: the unit of /proc tick counters, 100 on every mainstream architecture. */
const CLK_TCK = 100;
/** Pids read per turn of the event loop during a process scan (~35 µs each). */
const SCAN_CHUNK = 64;
/** A statfs slower than this is a hung (network) mount; its sizes show as unavailable. */
const STATFS_TIMEOUT_MS = 2000;
/** A previous process scan older than this is too stale to measure CPU % against. */
const SCAN_BASE_MAX_AGE_MS = 30_000;
/** Above this many sockets the tables are not listed (100,000 take the kernel ~0.5 s of CPU to print). */
const SOCKET_TABLE_LIMIT = 20_000;
/** Temperatures outside this range are broken sensors, not heat. */
const SANE_CELSIUS = { min: -50, max: 150 } as const;

/** CPU facts that do not change while the host runs. */
export interface StaticCpu {
  readonly model: string | undefined;
  readonly physicalCores: number | undefined;
  readonly mhzMin: number | undefined;
  readonly mhzMax: number | undefined;
}

export interface HostSystemOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** Where /proc and /sys live: '/' on a host, a fixture tree in tests. */
  readonly root?: string;
  /** Static CPU facts; systeminformation's cpu() (lscpu, read once) by default. */
  readonly staticCpu?: () => Promise<StaticCpu>;
  /** Logged-in users; systeminformation's users() (who, w) by default. */
  readonly users?: () => Promise<LoggedInUser[]>;
  /** Interface addresses; os.networkInterfaces() by default (51 µs, unlike si's 84 ms execSync scan). */
  readonly addresses?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** How long processes are watched for CPU % when no recent scan exists. */
  readonly processWindowMs?: number;
}

/** systeminformation is loaded at its first use (the CPU screen, Users), not at start. */
async function siStaticCpu(): Promise<StaticCpu> {
  const { default: si } = await import('systeminformation');
  const c = await si.cpu();
  const model = [c.manufacturer, c.brand]
    .filter((s) => typeof s === 'string' && s.trim() !== '')
    .join(' ');
  const mhz = (ghz: number): number | undefined =>
    Number.isFinite(ghz) && ghz > 0 ? Math.round(ghz * 1000) : undefined;
  return {
    model: model === '' ? undefined : model,
    physicalCores: c.physicalCores > 0 ? c.physicalCores : undefined,
    mhzMin: mhz(c.speedMin),
    mhzMax: mhz(c.speedMax),
  };
}

async function siUsers(): Promise<LoggedInUser[]> {
  const { default: si } = await import('systeminformation');
  const rows = await si.users();
  return rows.map((u) => {
    const since = new Date(`${u.date}T${u.time}`).getTime();
    return {
      name: u.user,
      tty: u.tty,
      host: u.ip,
      since: Number.isFinite(since) ? since : undefined,
    };
  });
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const positive = (n: number): number | undefined => (Number.isFinite(n) && n > 0 ? n : undefined);

interface ProcScan {
  readonly at: number;
  readonly rows: ReadonlyMap<number, PidStat>;
}

/**
 * The real SystemPort. Hot metrics are direct reads of /proc and /sys (tens of
 * µs, no child processes); systeminformation supplies what is read once or
 * rarely (CPU model and clock limits, logged-in users). docs/performance.md
 * has the measurements behind each choice.
 */
export class HostSystem implements SystemPort {
  private readonly fs: HostFs;
  private readonly cache: TtlCache;
  private readonly sampler: CpuSampler;
  /** Detected on first use, so the constructor does no I/O. */
  private host: HostScope | undefined;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly windowMs: number;
  private staticCpu: Promise<StaticCpu | undefined> | undefined;
  private lastScan: ProcScan | undefined;
  private pageSize: number | undefined;
  private abort = new AbortController();
  private samplerFailed = false;

  constructor(private readonly options: HostSystemOptions) {
    this.fs = new HostFs(options.root ?? '/');
    this.clock = options.clock;
    this.log = options.log;
    this.cache = new TtlCache(options.clock);
    this.windowMs = options.processWindowMs ?? 1000;
    this.sampler = new CpuSampler(this.fs, options.clock, (err) => {
      if (this.samplerFailed) return;
      this.samplerFailed = true;
      this.log.warn('cannot read /proc/stat; CPU usage is not available', { error: err });
    });
  }

  start(): void {
    this.host ??= this.detectContext();
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.sampler.start();
    // Read once in the background (lscpu takes ~20 ms) so the first CPU screen does not wait.
    void this.loadStaticCpu();
  }

  stop(): void {
    this.sampler.stop();
    this.abort.abort();
  }

  context(): HostScope {
    return (this.host ??= this.detectContext());
  }

  /** Kernel threads (kthreadd is pid 2) are visible only in the host's pid namespace. */
  private detectContext(): HostScope {
    const cgroup = this.fs.tryReadSync('proc/1/cgroup') ?? '';
    const inContainer =
      this.fs.exists('.dockerenv') ||
      this.fs.exists('run/.containerenv') ||
      /\/(docker|kubepods|containerd|libpod|lxc)[/-]/.test(cgroup);
    if (!inContainer) return { inContainer, hostProcesses: true, hostNetwork: true };
    const hostProcesses = this.fs.tryReadSync('proc/2/comm')?.trim() === 'kthreadd';
    let hostNetwork: boolean | undefined;
    if (hostProcesses) {
      const init = this.fs.readLink('proc/1/ns/net');
      const self = this.fs.readLink('proc/self/ns/net');
      hostNetwork = init !== undefined && self !== undefined ? init === self : undefined;
    }
    return { inContainer, hostProcesses, hostNetwork };
  }

  private loadStaticCpu(): Promise<StaticCpu | undefined> {
    this.staticCpu ??= (this.options.staticCpu ?? siStaticCpu)().catch((err: unknown) => {
      this.log.warn('cannot read static CPU facts (model, clock limits)', { error: err });
      return undefined;
    });
    return this.staticCpu;
  }

  loadAverage(): Promise<LoadAverage> {
    return this.cache.get('load', METRIC_TTL_MS.load, () => {
      const avg = parseLoadavg(this.fs.readSync('proc/loadavg'));
      if (avg === undefined) throw new Error('/proc/loadavg is unreadable');
      return Promise.resolve({
        one: avg[0],
        five: avg[1],
        fifteen: avg[2],
        cores: this.sampler.cores() ?? 1,
      });
    });
  }

  async cpu(): Promise<CpuInfo> {
    const usage = this.sampler.usage();
    if (usage === undefined) throw new Error('/proc/stat is unreadable');
    const [facts, mhz] = await Promise.all([
      withTimeout(this.clock, this.loadStaticCpu(), 3000),
      this.cache.get('cpuClock', METRIC_TTL_MS.cpuClock, () => Promise.resolve(this.currentMhz())),
    ]);
    return {
      model: facts?.model,
      logicalCores: usage.perCore.length,
      physicalCores: facts?.physicalCores,
      mhzCurrent: mhz,
      mhzMin: facts?.mhzMin,
      mhzMax: facts?.mhzMax,
      usage,
    };
  }

  /** Average clock: cpufreq when the kernel exposes it, else /proc/cpuinfo (x86 VMs have no cpufreq). */
  private currentMhz(): number | undefined {
    const cpus = this.fs.list('sys/devices/system/cpu').filter((n) => /^cpu\d+$/.test(n));
    const khz = cpus
      .map((c) =>
        Number(this.fs.tryReadSync(`sys/devices/system/cpu/${c}/cpufreq/scaling_cur_freq`)),
      )
      .filter((n) => Number.isFinite(n) && n > 0);
    if (khz.length > 0) return Math.round(khz.reduce((a, b) => a + b, 0) / khz.length / 1000);
    const info = this.fs.tryReadSync('proc/cpuinfo') ?? '';
    const mhz = [...info.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)]
      .map((m) => Number(m[1]))
      .filter((n) => n > 0);
    return mhz.length > 0 ? Math.round(mhz.reduce((a, b) => a + b, 0) / mhz.length) : undefined;
  }

  memory(): Promise<MemoryInfo> {
    return this.cache.get('memory', METRIC_TTL_MS.memory, () => {
      const figures = memoryFromMeminfo(parseMeminfo(this.fs.readSync('proc/meminfo')));
      return Promise.resolve({
        ...figures,
        containerLimit: this.containerMemory(figures.totalBytes),
      });
    });
  }

  /** The container's own cgroup limit (v2, then v1); only inside a container and only when it binds. */
  private containerMemory(totalBytes: number): MemoryInfo['containerLimit'] {
    if (!this.context().inContainer) return undefined;
    const pairs: [string, string][] = [
      ['sys/fs/cgroup/memory.max', 'sys/fs/cgroup/memory.current'],
      ['sys/fs/cgroup/memory/memory.limit_in_bytes', 'sys/fs/cgroup/memory/memory.usage_in_bytes'],
    ];
    for (const [limitFile, usageFile] of pairs) {
      const limit = Number(this.fs.tryReadSync(limitFile)?.trim());
      const usage = Number(this.fs.tryReadSync(usageFile)?.trim());
      if (Number.isFinite(limit) && Number.isFinite(usage) && limit > 0 && limit < totalBytes) {
        return { limitBytes: limit, usageBytes: usage };
      }
    }
    return undefined;
  }

  processMemoryLimit(): Promise<number | undefined> {
    const cgroups = this.fs.tryReadSync('proc/self/cgroup');
    if (cgroups === undefined) return Promise.resolve(undefined);
    for (const file of cgroupMemoryLimitFiles(cgroups)) {
      const text = this.fs.tryReadSync(file);
      // The first file that exists decides, as the kernel exposes only one of them.
      if (text !== undefined) return Promise.resolve(parseMemoryLimit(text));
    }
    return Promise.resolve(undefined);
  }

  sensors(): Promise<SensorInfo> {
    return this.cache.get('sensors', METRIC_TTL_MS.sensors, () => this.readSensors());
  }

  /** hwmon as psutil reads it; thermal zones when there is no hwmon. Async: some hwmon drivers talk to hardware on read. */
  private async readSensors(): Promise<SensorInfo> {
    const temperatures: TemperatureReading[] = [];
    const fans: FanReading[] = [];
    const sane = (c: number): boolean =>
      Number.isFinite(c) && c > SANE_CELSIUS.min && c < SANE_CELSIUS.max;
    const milli = async (file: string): Promise<number | undefined> => {
      const text = (await this.fs.tryRead(file))?.trim();
      const v = Number(text);
      return text !== undefined && text !== '' && Number.isFinite(v) ? v / 1000 : undefined;
    };
    const hwmons = (await this.fs.listAsync('sys/class/hwmon'))
      .filter((n) => /^hwmon\d+$/.test(n))
      .sort(byNumber);
    for (const hw of hwmons) {
      const dir = `sys/class/hwmon/${hw}`;
      const chip = (await this.fs.tryRead(`${dir}/name`))?.trim() || hw;
      // Older drivers keep their attributes under device/.
      for (const base of [dir, `${dir}/device`]) {
        const files = await this.fs.listAsync(base);
        for (const f of files.filter((x) => /^temp\d+_input$/.test(x)).sort(byNumber)) {
          const n = f.slice(4, -6);
          const celsius = await milli(`${base}/${f}`);
          if (celsius === undefined || !sane(celsius)) continue;
          const label = (await this.fs.tryRead(`${base}/temp${n}_label`))?.trim() || `temp${n}`;
          const high = await milli(`${base}/temp${n}_max`);
          const crit = await milli(`${base}/temp${n}_crit`);
          temperatures.push({
            chip,
            label,
            celsius,
            highCelsius: high !== undefined && sane(high) ? high : undefined,
            criticalCelsius: crit !== undefined && sane(crit) ? crit : undefined,
          });
        }
        for (const f of files.filter((x) => /^fan\d+_input$/.test(x)).sort(byNumber)) {
          const n = f.slice(3, -6);
          const rpm = Number((await this.fs.tryRead(`${base}/${f}`))?.trim());
          if (!Number.isFinite(rpm) || rpm < 0) continue;
          const label = (await this.fs.tryRead(`${base}/fan${n}_label`))?.trim() || `fan${n}`;
          fans.push({ chip, label, rpm });
        }
      }
    }
    if (temperatures.length === 0) {
      const zones = (await this.fs.listAsync('sys/class/thermal'))
        .filter((n) => /^thermal_zone\d+$/.test(n))
        .sort(byNumber);
      for (const zone of zones) {
        const celsius = await milli(`sys/class/thermal/${zone}/temp`);
        if (celsius === undefined || !sane(celsius)) continue;
        const chip = (await this.fs.tryRead(`sys/class/thermal/${zone}/type`))?.trim() || zone;
        temperatures.push({
          chip,
          label: zone,
          celsius,
          highCelsius: undefined,
          criticalCelsius: undefined,
        });
      }
    }
    return { temperatures, fans };
  }

  processes(): Promise<ProcessCounts> {
    return this.cache.get('processes', METRIC_TTL_MS.processes, async () => {
      const scan = await this.scan();
      const byState: Record<string, number> = {};
      for (const p of scan.rows.values()) {
        const state = PROCESS_STATES[p.state] ?? 'other';
        byState[state] = (byState[state] ?? 0) + 1;
      }
      return { total: scan.rows.size, byState };
    });
  }

  /**
   * Reads /proc/<pid>/stat for every pid, synchronously but in chunks with a
   * yield between them: 255 pids take ~9 ms in total yet never hold the event
   * loop for more than ~2 ms (si.processes() takes 104–379 ms and one `cat` per pid).
   */
  private async scan(): Promise<ProcScan> {
    const pids = this.fs.list('proc').filter((n) => /^\d+$/.test(n));
    if (pids.length === 0) throw new Error('/proc lists no processes');
    const rows = new Map<number, PidStat>();
    for (let i = 0; i < pids.length; i += SCAN_CHUNK) {
      if (i > 0) await yieldToLoop();
      for (const pid of pids.slice(i, i + SCAN_CHUNK)) {
        // A process can exit between readdir and read; it is simply gone.
        const text = this.fs.tryReadSync(`proc/${pid}/stat`);
        const row = text === undefined ? undefined : parsePidStat(text);
        if (row !== undefined) rows.set(row.pid, row);
      }
    }
    const scan = { at: this.clock.now(), rows };
    this.lastScan = scan;
    return scan;
  }

  topProcesses(limit: number): Promise<TopProcesses> {
    return this.cache.get(`top:${limit}`, METRIC_TTL_MS.top, async () => {
      let base = this.lastScan;
      if (base === undefined || this.clock.now() - base.at > SCAN_BASE_MAX_AGE_MS)
        base = await this.scan();
      const wait = this.windowMs - (this.clock.now() - base.at);
      if (wait > 0) await this.clock.sleep(wait, this.abort.signal);
      const current = await this.scan();
      const windowMs = Math.max(0, current.at - base.at);
      const totalMem = memoryFromMeminfo(parseMeminfo(this.fs.readSync('proc/meminfo'))).totalBytes;
      const page = this.getPageSize();
      const rows: ProcessRow[] = [];
      for (const p of current.rows.values()) {
        if (p.state === 'Z' || p.state === 'X') continue;
        const before = base.rows.get(p.pid);
        // A pid absent from (or reused since) the first scan started during the window.
        const ticks =
          before !== undefined && before.startTicks === p.startTicks
            ? p.ticks - before.ticks
            : p.ticks;
        const cpuPercent =
          windowMs > 0 ? Math.max(0, (ticks / CLK_TCK / (windowMs / 1000)) * 100) : 0;
        const rssBytes = p.rssPages * page;
        rows.push({
          pid: p.pid,
          name: p.comm,
          cpuPercent,
          memPercent: (rssBytes / totalMem) * 100,
          rssBytes,
        });
      }
      const byCpu = rows
        .filter((r) => r.cpuPercent > 0)
        .sort((a, b) => b.cpuPercent - a.cpuPercent || b.rssBytes - a.rssBytes)
        .slice(0, limit);
      const byMemory = rows
        .filter((r) => r.rssBytes > 0)
        .sort((a, b) => b.rssBytes - a.rssBytes)
        .slice(0, limit);
      return {
        byCpu: byCpu.map((r) => this.withFullName(r)),
        byMemory: byMemory.map((r) => this.withFullName(r)),
        total: current.rows.size,
        windowMs,
      };
    });
  }

  /**
   * The name people know a process by: argv[0] without its directory (the
   * kernel's comm is cut at 15 characters, and Node renames its main thread
   * "MainThread"). Programs that rewrite their title ("sshd: root@pts/0") keep
   * it. Kernel threads and zombies have no command line and keep comm.
   */
  private withFullName(row: ProcessRow): ProcessRow {
    const argv0 = (this.fs.tryReadSync(`proc/${row.pid}/cmdline`) ?? '').split('\0')[0] ?? '';
    const [program = '', ...rest] = argv0.split(' ');
    const name = [basename(program), ...rest].join(' ').trim();
    return name === '' ? row : { ...row, name };
  }

  /** The page size RSS is counted in, from the kernel's own report (no getconf child process). */
  private getPageSize(): number {
    if (this.pageSize === undefined) {
      const head = this.fs.readHeadSync('proc/self/smaps', 4096) ?? '';
      const kb = Number(/^KernelPageSize:\s+(\d+) kB/m.exec(head)?.[1]);
      this.pageSize = Number.isFinite(kb) && kb > 0 ? kb * 1024 : 4096;
    }
    return this.pageSize;
  }

  uptime(): Promise<UptimeInfo> {
    return new Promise((resolve) => {
      const seconds = parseUptime(this.fs.readSync('proc/uptime'));
      if (seconds === undefined) throw new Error('/proc/uptime is unreadable');
      resolve({ seconds, bootTime: Math.round((this.clock.now() - seconds * 1000) / 1000) * 1000 });
    });
  }

  users(): Promise<readonly LoggedInUser[]> {
    return this.cache.get('users', METRIC_TTL_MS.users, () => (this.options.users ?? siUsers)());
  }

  filesystems(): Promise<readonly FilesystemUsage[]> {
    return this.cache.get('filesystems', METRIC_TTL_MS.filesystems, async () => {
      const mounts = realMounts(
        parseMounts(this.fs.readSync('proc/self/mounts')),
        parseFilesystemTypes(this.fs.tryReadSync('proc/filesystems') ?? ''),
      );
      const rows = await Promise.all(
        mounts.map(async (m): Promise<FilesystemUsage> => {
          const s = await withTimeout(
            this.clock,
            this.fs.statfs(m.mountPoint),
            STATFS_TIMEOUT_MS,
          ).catch(() => undefined);
          return {
            device: m.device,
            type: m.type,
            mountPoint: m.mountPoint,
            sizeBytes: s?.sizeBytes,
            usedBytes: s?.usedBytes,
            freeBytes: s?.freeBytes,
          };
        }),
      );
      // Like df: a filesystem of size 0 is a placeholder, not storage.
      return rows.filter((r) => r.sizeBytes !== 0);
    });
  }

  diskIo(): Promise<readonly DiskIo[]> {
    return this.cache.get('diskIo', METRIC_TTL_MS.diskIo, () => {
      const disks = new Set(this.fs.list('sys/block'));
      const rows = parseDiskstats(this.fs.readSync('proc/diskstats'))
        .filter((r) => (disks.size === 0 || disks.has(r.name)) && !/^(loop|ram)\d+$/.test(r.name))
        .filter((r) => r.reads + r.writes > 0)
        .map(({ name, ...rest }) => ({ device: name, ...rest }));
      return Promise.resolve(rows);
    });
  }

  networkTotals(): Promise<NetworkTotals> {
    return this.cache.get('network', METRIC_TTL_MS.network, () => {
      const rows = parseNetDev(this.fs.readSync('proc/net/dev')).filter((r) => r.name !== 'lo');
      const add = (a: NetworkCounters, b: NetworkCounters): NetworkCounters => ({
        bytes: a.bytes + b.bytes,
        packets: a.packets + b.packets,
        errors: a.errors + b.errors,
        drops: a.drops + b.drops,
      });
      const zero: NetworkCounters = { bytes: 0, packets: 0, errors: 0, drops: 0 };
      return Promise.resolve({
        received: rows.reduce((acc, r) => add(acc, r.rx), zero),
        sent: rows.reduce((acc, r) => add(acc, r.tx), zero),
        interfaces: rows.length,
        byInterface: rows.map((r) => ({ name: r.name, rxBytes: r.rx.bytes, txBytes: r.tx.bytes })),
      });
    });
  }

  interfaces(): Promise<readonly NetInterface[]> {
    return this.cache.get('interfaces', METRIC_TTL_MS.interfaces, () => {
      const addresses = (this.options.addresses ?? os.networkInterfaces)();
      const fromSys = this.fs
        .list('sys/class/net')
        .filter((n) => !n.includes('/') && n !== '.' && n !== '..');
      const names = fromSys.length > 0 ? fromSys.sort() : Object.keys(addresses).sort();
      return Promise.resolve(
        names.map((name): NetInterface => {
          const attr = (a: string): string | undefined =>
            this.fs.tryReadSync(`sys/class/net/${name}/${a}`)?.trim();
          const addrs = addresses[name] ?? [];
          const pick = (family: string): string[] =>
            addrs.filter((a) => a.family === family).map((a) => a.cidr ?? a.address);
          return {
            name,
            state: attr('operstate') || 'unknown',
            speedMbps: positive(Number(attr('speed'))),
            mtu: positive(Number(attr('mtu'))),
            ipv4: pick('IPv4'),
            ipv6: pick('IPv6'),
          };
        }),
      );
    });
  }

  connections(): Promise<ConnectionSummary> {
    return this.cache.get('connections', METRIC_TTL_MS.connections, async () => {
      const summary = this.socketSummary();
      if (summary !== undefined && summary.total > SOCKET_TABLE_LIMIT) return summary;
      const tcpByState: Record<string, number> = {};
      let tcp = 0;
      let udp = 0;
      // Streamed: a busy host's socket tables run to megabytes and take the kernel a while to produce.
      const read = await Promise.all([
        ...['proc/net/tcp', 'proc/net/tcp6'].map((f) =>
          this.fs.streamLines(f, (text) => {
            for (const st of parseSocketStates(text)) {
              const name = TCP_STATES[st] ?? `0x${st}`;
              tcpByState[name] = (tcpByState[name] ?? 0) + 1;
              tcp++;
            }
          }),
        ),
        ...['proc/net/udp', 'proc/net/udp6'].map((f) =>
          this.fs.streamLines(f, (text) => (udp += parseSocketStates(text).length)),
        ),
      ]);
      if (!read.some(Boolean)) throw new Error('/proc/net socket tables are unreadable');
      return { total: tcp + udp, tcp, udp, tcpByState, detailed: true };
    });
  }

  /** Socket counts from /proc/net/sockstat{,6}: constant cost however many sockets exist. */
  private socketSummary(): ConnectionSummary | undefined {
    const v4 = this.fs.tryReadSync('proc/net/sockstat');
    if (v4 === undefined) return undefined;
    const s = {
      ...parseSockstat(v4),
      ...parseSockstat(this.fs.tryReadSync('proc/net/sockstat6') ?? ''),
    };
    const timeWait = s.TCP?.tw ?? 0;
    const otherTcp = (s.TCP?.inuse ?? 0) + (s.TCP6?.inuse ?? 0);
    const udp = (s.UDP?.inuse ?? 0) + (s.UDP6?.inuse ?? 0);
    return {
      total: timeWait + otherTcp + udp,
      tcp: timeWait + otherTcp,
      udp,
      tcpByState: { TIME_WAIT: timeWait, OTHER: otherTcp },
      detailed: false,
    };
  }
}

/** Sorts names like hwmon10 after hwmon9. */
function byNumber(a: string, b: string): number {
  const na = Number(/\d+/.exec(a)?.[0]);
  const nb = Number(/\d+/.exec(b)?.[0]);
  return na - nb || a.localeCompare(b);
}
