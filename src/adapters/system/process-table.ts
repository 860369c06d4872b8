import { basename } from 'node:path';
import type { Clock } from '../../clock';
import type { HostFs } from './host-fs';
import { memoryFromMeminfo, parseMeminfo, parsePidStat, type PidStat } from './proc-parsers';
import type { ProcessRow, TopProcesses } from './system-port';

/** USER_HZ: the unit of /proc tick counters, 100 on every mainstream architecture. */
const CLK_TCK = 100;
/** Pids read per turn of the event loop during a process scan (~35 µs each). */
const SCAN_CHUNK = 64;
/** A previous process scan older than this is too stale to measure CPU % against. */
const SCAN_BASE_MAX_AGE_MS = 30_000;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface ProcScan {
  readonly at: number;
  readonly rows: ReadonlyMap<number, PidStat>;
}

/** The process table from /proc/<pid>/stat: counted by state, and ranked by CPU over a window. */
export class ProcessTable {
  private lastScan: ProcScan | undefined;
  private pageSize: number | undefined;

  constructor(
    private readonly fs: HostFs,
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /**
   * Reads /proc/<pid>/stat for every pid, synchronously but in chunks with a
   * yield between them: 255 pids take ~9 ms in total yet never hold the event
   * loop for more than ~2 ms (si.processes() takes 104–379 ms and one `cat` per pid).
   */
  async scan(): Promise<ProcScan> {
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

  /** The top `limit` by CPU over at least `windowMs` (measured between two scans), and by memory. */
  async top(limit: number, signal: AbortSignal): Promise<TopProcesses> {
    let base = this.lastScan;
    if (base === undefined || this.clock.now() - base.at > SCAN_BASE_MAX_AGE_MS)
      base = await this.scan();
    const wait = this.windowMs - (this.clock.now() - base.at);
    if (wait > 0) await this.clock.sleep(wait, signal);
    const current = await this.scan();
    const windowMs = Math.max(0, current.at - base.at);
    const totalMem = memoryFromMeminfo(parseMeminfo(this.fs.readSync('proc/meminfo'))).totalBytes;
    const page = this.pageBytes();
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
  pageBytes(): number {
    if (this.pageSize === undefined) {
      const head = this.fs.readHeadSync('proc/self/smaps', 4096) ?? '';
      const kb = Number(/^KernelPageSize:\s+(\d+) kB/m.exec(head)?.[1]);
      this.pageSize = Number.isFinite(kb) && kb > 0 ? kb * 1024 : 4096;
    }
    return this.pageSize;
  }
}
