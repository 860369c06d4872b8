import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  busyPercent,
  memoryFromMeminfo,
  parseCpuStat,
  parseDiskstats,
  parseFilesystemTypes,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parsePidStat,
  parseSocketStates,
  parseUptime,
  realMounts,
  timesPercent,
  unescapeMountField,
} from '../../../../src/adapters/system/proc-parsers';
import {
  cgroupMemoryLimitFiles,
  parseMemoryLimit,
} from '../../../../src/adapters/system/cgroup-parsers';

const HOST_A = join(__dirname, '..', '..', '..', 'fixtures', 'host-a');
const BARE = join(__dirname, '..', '..', '..', 'fixtures', 'host-bare');
const read = (root: string, rel: string): string => readFileSync(join(root, rel), 'utf8');
const KiB = 1024;

describe('/proc parsers', () => {
  it('reads meminfo in bytes and computes used as total − available', () => {
    const info = parseMeminfo(read(HOST_A, 'proc/meminfo'));
    expect(info.get('MemTotal')).toBe(8_000_000 * KiB);
    expect(info.get('HugePages_Total')).toBe(0);
    const m = memoryFromMeminfo(info);
    expect(m.usedBytes).toBe(3_000_000 * KiB);
    expect(m.cachedBytes).toBe(2_800_000 * KiB); // Cached + SReclaimable
    expect(m.sharedBytes).toBe(100_000 * KiB);
    expect([m.activeBytes, m.inactiveBytes]).toEqual([3_000_000 * KiB, 2_000_000 * KiB]);
    expect(m.swap).toEqual({
      totalBytes: 2_000_000 * KiB,
      freeBytes: 1_500_000 * KiB,
      usedBytes: 500_000 * KiB,
    });
  });

  it('estimates available memory on old kernels and reports no swap when there is none', () => {
    const m = memoryFromMeminfo(parseMeminfo(read(BARE, 'proc/meminfo')));
    expect(m.availableBytes).toBe(700_000 * KiB); // free + buffers + cached
    expect(m.swap).toBeUndefined();
    expect(() => memoryFromMeminfo(parseMeminfo('garbage'))).toThrow(/MemTotal/);
  });

  it('reads /proc/stat per CPU and turns tick deltas into percentages', () => {
    const stat = parseCpuStat(read(HOST_A, 'proc/stat'));
    expect(stat?.cores).toHaveLength(2);
    expect(stat?.total).toEqual([1000, 0, 500, 8000, 300, 0, 200, 0]);
    // Since boot: busy = (10000 − 8000 idle − 300 iowait) / 10000.
    expect(busyPercent(undefined, stat!.total)).toBeCloseTo(17, 5);
    const later = [1100, 0, 550, 8100, 300, 0, 250, 0];
    expect(busyPercent(stat!.total, later)).toBeCloseTo(((100 + 50 + 50) / 300) * 100, 5);
    const t = timesPercent(stat!.total, later);
    expect(t.user + t.system + t.idle + t.softirq).toBeCloseTo(100, 5);
    expect(busyPercent(later, later)).toBe(0);
    expect(parseCpuStat('intr 1 2 3')).toBeUndefined();
  });

  it('reads loadavg and uptime, refusing garbage', () => {
    expect(parseLoadavg(read(HOST_A, 'proc/loadavg'))).toEqual([0.5, 1.25, 2]);
    expect(parseLoadavg('x y z')).toBeUndefined();
    expect(parseUptime(read(HOST_A, 'proc/uptime'))).toBeCloseTo(93784.52);
    expect(parseUptime('')).toBeUndefined();
  });

  it('reads a pid stat whose name holds parentheses, spaces and markup', () => {
    const p = parsePidStat(read(HOST_A, 'proc/42/stat'));
    expect(p).toEqual({
      pid: 42,
      comm: '<i>*_x) (y',
      state: 'R',
      ticks: 500,
      startTicks: 5000,
      rssPages: 25000,
    });
    expect(parsePidStat('not a stat line')).toBeUndefined();
    expect(parsePidStat('12 (x) S 1')).toBeUndefined();
  });

  it('reads /proc/net/dev, including names glued to their first counter', () => {
    const rows = parseNetDev(read(HOST_A, 'proc/net/dev'));
    expect(rows.map((r) => r.name)).toEqual(['lo', 'eth0', '<b>x']);
    expect(rows[1]).toEqual({
      name: 'eth0',
      rx: { bytes: 1_048_576, packets: 1000, errors: 1, drops: 2 },
      tx: { bytes: 524_288, packets: 800, errors: 3, drops: 4 },
    });
  });

  it('reads diskstats with 512-byte sectors', () => {
    const sda = parseDiskstats(read(HOST_A, 'proc/diskstats')).find((r) => r.name === 'sda');
    expect(sda).toEqual({
      name: 'sda',
      reads: 1000,
      readBytes: 20000 * 512,
      readTimeMs: 500,
      writes: 2000,
      writeBytes: 40000 * 512,
      writeTimeMs: 1500,
    });
  });

  it('decodes mount escapes and keeps only real storage, each device once', () => {
    expect(unescapeMountField('/mnt/a\\040b\\011c\\134d')).toBe('/mnt/a b\tc\\d');
    const mounts = parseMounts(read(HOST_A, 'proc/self/mounts'));
    const real = realMounts(mounts, parseFilesystemTypes(read(HOST_A, 'proc/filesystems')));
    expect(real.map((m) => m.mountPoint)).toEqual(['/', '/mnt/<b>data disk</b>', '/mnt/nfs']);
  });

  it('keeps a container overlay root and falls back to /dev/ devices when /proc/filesystems is missing', () => {
    const mounts = parseMounts(
      'overlay / overlay rw 0 0\n/dev/vda1 /etc/hosts ext4 rw 0 0\nshm /dev/shm tmpfs rw 0 0\n',
    );
    expect(realMounts(mounts, parseFilesystemTypes('')).map((m) => m.mountPoint)).toEqual([
      '/',
      '/etc/hosts',
    ]);
  });

  it('reads socket states from the socket tables, skipping the header', () => {
    expect(parseSocketStates(read(HOST_A, 'proc/net/tcp'))).toEqual(['0A', '01', '01', '06']);
    expect(parseSocketStates(read(HOST_A, 'proc/net/udp'))).toEqual(['07']);
    expect(parseSocketStates('')).toEqual([]);
  });

  it('finds where the cgroup v2 and v1 memory limits are, and "max" means none', () => {
    expect(cgroupMemoryLimitFiles('0::/system.slice/tmbot.service\n')).toEqual([
      'sys/fs/cgroup/system.slice/tmbot.service/memory.max',
      'sys/fs/cgroup/memory.max',
    ]);
    expect(cgroupMemoryLimitFiles('0::/\n')).toEqual([
      'sys/fs/cgroup/memory.max',
      'sys/fs/cgroup/memory.max',
    ]);
    expect(cgroupMemoryLimitFiles('5:cpu,cpuacct:/\n4:memory:/docker/abc\n')).toEqual([
      'sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes',
      'sys/fs/cgroup/memory/memory.limit_in_bytes',
    ]);
    expect(cgroupMemoryLimitFiles('garbage\n1:name=systemd\n')).toEqual([]);
    expect(parseMemoryLimit('268435456\n')).toBe(268435456);
    expect(parseMemoryLimit('max\n')).toBeUndefined();
    expect(parseMemoryLimit('9223372036854771712')).toBeUndefined();
    expect(parseMemoryLimit('0')).toBeUndefined();
  });
});
