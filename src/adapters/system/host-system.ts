import * as os from 'node:os';
import { withTimeout, type Clock } from '../../clock';
import type { Logger } from '../../log/logger';
import { cgroupMemoryLimitFiles, parseMemoryLimit } from './cgroup-parsers';
import { CpuSampler } from './cpu-sampler';
import { HostFs } from './host-fs';
import { ProcessTable } from './process-table';
import { ReadGuard } from './read-guard';
import {
  memoryFromMeminfo,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseFilesystemTypes,
  parseUptime,
  PROCESS_STATES,
  realMounts,
} from './proc-parsers';
import { readSensors } from './sensors';
import { readCpuFacts } from './cpu-facts';
import { siStaticCpu, type StaticCpu } from './si-readers';
import { readUtmp } from './utmp';
import { readConnections } from './sockets';
import type {
  ConnectionSummary,
  CpuInfo,
  DiskIo,
  FilesystemUsage,
  HostScope,
  LoadAverage,
  LoggedInUser,
  MemoryInfo,
  NetInterface,
  NetworkCounters,
  NetworkTotals,
  ProcessCounts,
  SensorInfo,
  SystemPort,
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

/**
 * How long a caller waits for a read that can hang before the screen says "not available"
 * (pyTMBot guarded psutil with the same 2 s): statfs of a hung network mount, a hwmon
 * driver, `who`, a huge socket table.
 */
export const READ_TIMEOUT_MS = 2000;

export interface HostSystemOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** Where /proc and /sys live: '/' on a host, a fixture tree in tests. */
  readonly root?: string;
  /** Static CPU facts; /proc/cpuinfo by default, else systeminformation's cpu() (lscpu, read once). */
  readonly staticCpu?: () => Promise<StaticCpu>;
  /** Logged-in users; the host's utmp (`<root>/var/run/utmp`, what `who` reads) by default. */
  readonly users?: () => Promise<LoggedInUser[]>;
  /** Interface addresses; os.networkInterfaces() by default (51 µs, unlike si's 84 ms execSync scan). */
  readonly addresses?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** How long processes are watched for CPU % when no recent scan exists. */
  readonly processWindowMs?: number;
  /** The process environment; `DOCKER_CONTAINER` set (any value) means "in a container", as in pyTMBot. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const positive = (n: number): number | undefined => (Number.isFinite(n) && n > 0 ? n : undefined);

/**
 * The real SystemPort. Hot metrics are direct reads of /proc and /sys (tens of
 * µs, no child processes); logged-in users come from utmp; systeminformation supplies only CPU
 * facts when /proc/cpuinfo does not name the model. docs/performance.md
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
  private readonly table: ProcessTable;
  private readonly guard: ReadGuard;
  private staticCpu: Promise<StaticCpu | undefined> | undefined;
  private abort = new AbortController();
  private samplerFailed = false;

  constructor(private readonly options: HostSystemOptions) {
    this.fs = new HostFs(options.root ?? '/');
    this.clock = options.clock;
    this.log = options.log;
    this.cache = new TtlCache(options.clock);
    this.guard = new ReadGuard(options.clock);
    this.table = new ProcessTable(this.fs, options.clock, options.processWindowMs ?? 1000);
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
    // Read once in the background (lscpu, when needed, takes ~20 ms) so the first CPU screen does not wait.
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
      this.options.env?.DOCKER_CONTAINER !== undefined ||
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
    const read = this.options.staticCpu ?? (() => this.defaultStaticCpu());
    this.staticCpu ??= read().catch((err: unknown) => {
      this.log.warn('cannot read static CPU facts (model, clock limits)', { error: err });
      return undefined;
    });
    return this.staticCpu;
  }

  private defaultStaticCpu(): Promise<StaticCpu> {
    const facts = readCpuFacts(this.fs);
    return facts !== undefined ? Promise.resolve(facts) : siStaticCpu();
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

  async processRss(): Promise<number> {
    const pages = Number((await this.fs.read('proc/self/statm')).split(' ')[1]);
    if (!Number.isFinite(pages)) throw new Error('/proc/self/statm has no resident size');
    return pages * this.table.pageBytes();
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
    return this.cache.get('sensors', METRIC_TTL_MS.sensors, () =>
      this.guard.run('sensors', 'the sensors', READ_TIMEOUT_MS, () => readSensors(this.fs)),
    );
  }

  processes(): Promise<ProcessCounts> {
    return this.cache.get('processes', METRIC_TTL_MS.processes, async () => {
      const scan = await this.table.scan();
      const byState: Record<string, number> = {};
      for (const p of scan.rows.values()) {
        const state = PROCESS_STATES[p.state] ?? 'other';
        byState[state] = (byState[state] ?? 0) + 1;
      }
      return { total: scan.rows.size, byState };
    });
  }

  topProcesses(limit: number): Promise<TopProcesses> {
    return this.cache.get(`top:${limit}`, METRIC_TTL_MS.top, () =>
      this.table.top(limit, this.abort.signal),
    );
  }

  uptime(): Promise<UptimeInfo> {
    return new Promise((resolve) => {
      const seconds = parseUptime(this.fs.readSync('proc/uptime'));
      if (seconds === undefined) throw new Error('/proc/uptime is unreadable');
      resolve({ seconds, bootTime: Math.round((this.clock.now() - seconds * 1000) / 1000) * 1000 });
    });
  }

  users(): Promise<readonly LoggedInUser[]> {
    return this.cache.get('users', METRIC_TTL_MS.users, () =>
      this.guard.run(
        'users',
        'the user list',
        READ_TIMEOUT_MS,
        this.options.users ?? (() => readUtmp(this.fs.path('var/run/utmp'))),
      ),
    );
  }

  filesystems(): Promise<readonly FilesystemUsage[]> {
    return this.cache.get('filesystems', METRIC_TTL_MS.filesystems, async () => {
      const mounts = realMounts(
        parseMounts(this.fs.readSync('proc/self/mounts')),
        parseFilesystemTypes(this.fs.tryReadSync('proc/filesystems') ?? ''),
      );
      const rows = await Promise.all(
        mounts.map(async (m): Promise<FilesystemUsage> => {
          const s = await this.guard
            .run(`statfs:${m.mountPoint}`, `statfs ${m.mountPoint}`, READ_TIMEOUT_MS, () =>
              this.fs.statfs(m.mountPoint),
            )
            .catch(() => undefined);
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
    return this.cache.get('connections', METRIC_TTL_MS.connections, () =>
      this.guard.run('connections', 'the socket tables', READ_TIMEOUT_MS, () =>
        readConnections(this.fs),
      ),
    );
  }
}
