import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostSystem, type HostSystemOptions } from '../../../../src/adapters/system/host-system';
import { ManualClock, systemClock } from '../../../../src/clock';
import { silentLogger } from '../../../support/silent-logger';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');
const KiB = 1024;

function system(
  root: string,
  extra: Partial<HostSystemOptions> = {},
): { sys: HostSystem; clock: ManualClock } {
  const clock = new ManualClock();
  const sys = new HostSystem({
    clock,
    log: silentLogger,
    root,
    processWindowMs: 0,
    staticCpu: () =>
      Promise.resolve({ model: 'Test CPU', physicalCores: 1, mhzMin: 800, mhzMax: 3600 }),
    users: () =>
      Promise.resolve([
        { name: 'ann', tty: 'pts/0', host: '10.0.0.9', since: Date.UTC(2026, 0, 1) },
      ]),
    addresses: () => ({
      eth0: [
        {
          address: '10.0.0.2',
          netmask: '255.255.255.0',
          family: 'IPv4',
          mac: '00:00:00:00:00:01',
          internal: false,
          cidr: '10.0.0.2/24',
        },
        {
          address: 'fe80::1',
          netmask: 'ffff:ffff:ffff:ffff::',
          family: 'IPv6',
          mac: '00:00:00:00:00:01',
          internal: false,
          cidr: 'fe80::1/64',
          scopeid: 2,
        },
      ],
    }),
    ...extra,
  });
  return { sys, clock };
}

describe('HostSystem on a fixture host', () => {
  const root = join(FIXTURES, 'host-a');

  it('tells a container sharing the host pid namespace apart', () => {
    expect(system(root).sys.context()).toEqual({
      inContainer: true,
      hostProcesses: true,
      hostNetwork: undefined,
    });
    expect(system(join(FIXTURES, 'host-bare')).sys.context()).toEqual({
      inContainer: false,
      hostProcesses: true,
      hostNetwork: true,
    });
  });

  it('takes DOCKER_CONTAINER in the environment (any value) as a container, as pyTMBot did', () => {
    const bare = join(FIXTURES, 'host-bare');
    expect(system(bare, { env: { DOCKER_CONTAINER: '1' } }).sys.context().inContainer).toBe(true);
    expect(system(bare, { env: { DOCKER_CONTAINER: '' } }).sys.context().inContainer).toBe(true);
    expect(system(bare, { env: { HOME: '/root' } }).sys.context().inContainer).toBe(false);
  });

  it('reads its own resident memory from /proc/self/statm, in the kernel page size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-statm-'));
    try {
      mkdirSync(join(dir, 'proc', 'self'), { recursive: true });
      writeFileSync(join(dir, 'proc/self/statm'), '250000 19000 3000 1 0 60000 0\n');
      writeFileSync(join(dir, 'proc/self/smaps'), 'KernelPageSize:        4 kB\n');
      expect(await system(dir).sys.processRss()).toBe(19000 * 4096);
      writeFileSync(join(dir, 'proc/self/statm'), 'garbage\n');
      await expect(system(dir).sys.processRss()).rejects.toThrow('no resident size');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the resident memory of this very process on the host', async () => {
    const sys = new HostSystem({ clock: systemClock, log: silentLogger });
    const before = process.memoryUsage.rss();
    const rss = await sys.processRss();
    const after = process.memoryUsage.rss();
    // RSS moves while it is read: bounds taken before and after, with a page of slack for rounding.
    expect(rss).toBeGreaterThanOrEqual(Math.min(before, after) - 4 * 1024 * 1024);
    expect(rss).toBeLessThanOrEqual(Math.max(before, after) + 4 * 1024 * 1024);
  });

  it("reads its own cgroup's memory limit, the first limit file that exists deciding", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-cgroup-'));
    try {
      const put = (rel: string, text: string): void => {
        mkdirSync(join(dir, rel, '..'), { recursive: true });
        writeFileSync(join(dir, rel), text);
      };
      const { sys } = system(dir);
      expect(await sys.processMemoryLimit()).toBeUndefined();
      put('proc/self/cgroup', '0::/system.slice/tmbot.service\n');
      put('sys/fs/cgroup/memory.max', 'max\n');
      expect(await sys.processMemoryLimit()).toBeUndefined();
      put('sys/fs/cgroup/system.slice/tmbot.service/memory.max', '268435456\n');
      expect(await sys.processMemoryLimit()).toBe(268435456);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads load, memory, uptime and CPU facts', async () => {
    const { sys, clock } = system(root);
    expect(await sys.loadAverage()).toEqual({ one: 0.5, five: 1.25, fifteen: 2, cores: 2 });
    const mem = await sys.memory();
    expect(mem.totalBytes).toBe(8_000_000 * KiB);
    expect(mem.swap?.usedBytes).toBe(500_000 * KiB);
    const up = await sys.uptime();
    expect(up.seconds).toBeCloseTo(93784.52);
    expect(up.bootTime).toBe(Math.round((clock.now() - 93784.52 * 1000) / 1000) * 1000);
    const cpu = await sys.cpu();
    expect(cpu).toMatchObject({
      model: 'Test CPU',
      logicalCores: 2,
      physicalCores: 1,
      mhzCurrent: 2000,
      mhzMin: 800,
      mhzMax: 3600,
    });
    expect(cpu.usage.windowMs).toBeUndefined(); // one sample: average since boot
    expect(cpu.usage.total).toBeCloseTo(17, 5);
  });

  it('reads sensors per chip, dropping impossible temperatures, with fans under device/', async () => {
    const s = await system(root).sys.sensors();
    expect(s.temperatures).toEqual([
      {
        chip: 'coretemp',
        label: 'Package id 0',
        celsius: 45.5,
        highCelsius: 80,
        criticalCelsius: 100,
      },
      {
        chip: 'coretemp',
        label: 'temp3',
        celsius: 43,
        highCelsius: undefined,
        criticalCelsius: undefined,
      },
    ]);
    expect(s.fans).toEqual([{ chip: '<b>nct</b>', label: 'CPU fan', rpm: 1200 }]);
  });

  it('counts processes by state and ranks them, taking names from argv[0]', async () => {
    const { sys } = system(root);
    expect(await sys.processes()).toEqual({
      total: 4,
      byState: { sleeping: 2, running: 1, zombie: 1 },
    });
    const top = await sys.topProcesses(10);
    expect(top.total).toBe(4);
    expect(top.byMemory.map((p) => [p.pid, p.name])).toEqual([
      [42, '<i>*_x) (y'],
      [1, 'init'],
    ]);
    expect(top.byMemory[0]?.memPercent).toBeCloseTo(((25000 * 4096) / (8_000_000 * KiB)) * 100, 5);
  });

  it('measures process CPU between two scans', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-host-'));
    try {
      cpSync(root, dir, { recursive: true });
      const { sys, clock } = system(dir);
      await sys.processes(); // first scan
      writeFileSync(
        join(dir, 'proc/42/stat'),
        '42 (<i>*_x) (y) R 1 42 42 0 -1 4194304 10 0 0 0 450 150 0 0 20 0 1 0 5000 50000000 25000 18446744073709551615 1 1 0',
      );
      clock.advance(2000);
      const top = await sys.topProcesses(10);
      expect(top.windowMs).toBe(2000);
      expect(top.byCpu).toHaveLength(1);
      // 100 ticks in 2 s at 100 ticks/s = 50 % of one core.
      expect(top.byCpu[0]).toMatchObject({ pid: 42, cpuPercent: 50 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists real mounts (statfs failing on fixture paths shows as unknown sizes)', async () => {
    const fs = await system(root).sys.filesystems();
    expect(fs.map((f) => [f.mountPoint, f.device, f.type])).toEqual([
      ['/', '/dev/sda1', 'ext4'],
      ['/mnt/<b>data disk</b>', '/dev/sdb1', 'xfs'],
      ['/mnt/nfs', 'server:/export', 'nfs4'],
    ]);
    expect(fs.slice(1).every((f) => f.sizeBytes === undefined)).toBe(true);
  });

  it('reads disk I/O of whole, active disks only', async () => {
    expect((await system(root).sys.diskIo()).map((d) => d.device)).toEqual(['sda']);
  });

  it('sums network counters without loopback and lists interfaces with addresses', async () => {
    const { sys } = system(root);
    const net = await sys.networkTotals();
    expect(net.interfaces).toBe(2);
    expect(net.received).toEqual({ bytes: 1_048_676, packets: 1010, errors: 1, drops: 2 });
    expect(net.byInterface?.map((i) => i.name)).toHaveLength(2);
    expect(net.byInterface?.reduce((sum, i) => sum + i.rxBytes, 0)).toBe(1_048_676);
    const ifs = await sys.interfaces();
    expect(ifs).toEqual([
      {
        name: 'eth0',
        state: 'up',
        speedMbps: 1000,
        mtu: 1500,
        ipv4: ['10.0.0.2/24'],
        ipv6: ['fe80::1/64'],
      },
      { name: 'lo', state: 'unknown', speedMbps: undefined, mtu: 65536, ipv4: [], ipv6: [] },
    ]);
  });

  it('counts connections by protocol and TCP state, without IPv6 tables', async () => {
    expect(await system(root).sys.connections()).toEqual({
      total: 5,
      tcp: 4,
      udp: 1,
      tcpByState: { LISTEN: 1, ESTABLISHED: 2, TIME_WAIT: 1 },
      detailed: true,
    });
  });

  it('counts from /proc/net/sockstat instead of listing 100,000 sockets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-sock-'));
    try {
      cpSync(root, dir, { recursive: true });
      writeFileSync(
        join(dir, 'proc/net/sockstat'),
        'sockets: used 9\nTCP: inuse 40 orphan 0 tw 100000 alloc 45 mem 9\nUDP: inuse 2 mem 0\n',
      );
      writeFileSync(join(dir, 'proc/net/sockstat6'), 'TCP6: inuse 5\nUDP6: inuse 1\n');
      expect(await system(dir).sys.connections()).toEqual({
        total: 100_048,
        tcp: 100_045,
        udp: 3,
        tcpByState: { TIME_WAIT: 100_000, OTHER: 45 },
        detailed: false,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads logged-in users from the host's utmp under its root by default", async () => {
    const root = mkdtempSync(join(tmpdir(), 'tmbot-root-'));
    try {
      mkdirSync(join(root, 'var', 'run'), { recursive: true });
      const rec = Buffer.alloc(384);
      rec.writeInt16LE(7, 0);
      rec.write('pts/3', 8);
      rec.write('dana', 44);
      rec.write('192.0.2.7', 76);
      rec.writeInt32LE(1_767_225_600, 340);
      writeFileSync(join(root, 'var', 'run', 'utmp'), rec);
      const sys = new HostSystem({ clock: new ManualClock(), log: silentLogger, root });
      expect(await sys.users()).toEqual([
        { name: 'dana', tty: 'pts/3', host: '192.0.2.7', since: 1_767_225_600_000 },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('passes users through', async () => {
    expect(await system(root).sys.users()).toHaveLength(1);
  });
});

describe('HostSystem on a bare host', () => {
  const root = join(FIXTURES, 'host-bare');

  it('reports what is missing instead of failing', async () => {
    const { sys } = system(root, { staticCpu: () => Promise.reject(new Error('no lscpu')) });
    expect((await sys.memory()).swap).toBeUndefined();
    expect(await sys.sensors()).toEqual({ temperatures: [], fans: [] });
    expect(await sys.filesystems()).toEqual([]);
    expect(await sys.diskIo()).toEqual([]);
    expect((await sys.networkTotals()).interfaces).toBe(0);
    await expect(sys.connections()).rejects.toThrow(/socket tables/);
    const cpu = await sys.cpu();
    expect(cpu).toMatchObject({
      model: undefined,
      physicalCores: undefined,
      mhzCurrent: undefined,
      logicalCores: 1,
    });
    expect((await sys.topProcesses(10)).byCpu).toEqual([]);
  });

  it('rejects (never throws) when /proc itself is missing', async () => {
    const { sys } = system(join(FIXTURES, 'does-not-exist'));
    await expect(sys.loadAverage()).rejects.toThrow();
    await expect(sys.uptime()).rejects.toThrow();
    await expect(sys.memory()).rejects.toThrow();
    await expect(sys.processes()).rejects.toThrow(/no processes/);
    await expect(sys.cpu()).rejects.toThrow(/stat/);
  });
});

describe('CPU sampler', () => {
  it('starts, measures the window between samples, and stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-cpu-'));
    try {
      cpSync(join(FIXTURES, 'host-bare'), dir, { recursive: true });
      const { sys, clock } = system(dir);
      sys.start();
      writeFileSync(
        join(dir, 'proc/stat'),
        'cpu  150 0 100 900 0 0 0 0\ncpu0 150 0 100 900 0 0 0 0\n',
      );
      clock.advance(999);
      expect((await sys.cpu()).usage.windowMs).toBeUndefined();
      clock.advance(1);
      const cpu = await sys.cpu();
      sys.stop();
      expect(cpu.usage.windowMs).toBe(1000);
      expect(cpu.usage.total).toBeCloseTo(50, 5); // 100 busy of 200 ticks
      expect(cpu.usage.perCore).toEqual([cpu.usage.total]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
