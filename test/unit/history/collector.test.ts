import { PNG } from 'pngjs';
import type {
  ContainerLiveStats,
  ContainerSummary,
  DockerPort,
} from '../../../src/adapters/docker/port';
import type { SystemPort } from '../../../src/adapters/system/system-port';
import { ManualClock } from '../../../src/clock';
import { ChartRenderer } from '../../../src/history/chart';
import { HistoryCollector } from '../../../src/history/collector';
import { containerKey, fsKey, hostKey, netKey, tempKey } from '../../../src/history/series';
import { HistoryService } from '../../../src/history/service';
import { HistoryStore } from '../../../src/history/store';
import { silentLogger } from '../../support/silent-logger';
import * as d from '../../fixtures/server-data';
import { summary } from '../views/docker-fixtures';

const START = Date.UTC(2026, 0, 1, 12);

/** Host readings from the fixtures; eth0's byte counters grow by `rxStep` per read. */
class FakeSystem implements SystemPort {
  rx = 1_000_000;
  rxStep = 50_000;
  start(): void {}
  stop(): void {}
  context = () => d.onHost;
  loadAverage = () => Promise.resolve(d.load);
  cpu = () => Promise.resolve(d.cpu);
  memory = () => Promise.resolve(d.memory);
  sensors = () => Promise.resolve(d.sensors);
  processes = () => Promise.resolve(d.processes);
  topProcesses = () => Promise.resolve(d.top);
  uptime = () => Promise.resolve(d.uptime);
  users = () => Promise.resolve(d.users);
  filesystems = () => Promise.resolve(d.filesystems);
  diskIo = () => Promise.reject(new Error('unused'));
  processMemoryLimit = () => Promise.resolve(undefined);
  processRss = () => Promise.resolve(64 * 1024 * 1024);
  networkTotals = () => {
    this.rx += this.rxStep;
    return Promise.resolve({
      ...d.network,
      byInterface: [{ name: 'eth0', rxBytes: this.rx, txBytes: 5 }],
    });
  };
  interfaces = () => Promise.resolve(d.interfaces);
  connections = () => Promise.resolve(d.connections);
}

/** One engine with a running and a stopped container; memory set by the test. */
class FakeDocker implements DockerPort {
  readonly hosts = [{ index: 0, label: 'unix:///run/docker.sock' }];
  memory = 64 * 1024 * 1024;
  statsCalls: string[] = [];
  listContainers(): Promise<ContainerSummary[]> {
    return Promise.resolve([
      summary('web', { id: 'a'.repeat(64), state: 'running' }),
      summary('old', { id: 'b'.repeat(64), state: 'exited' }),
    ]);
  }
  containerStats(_host: number, id: string): Promise<ContainerLiveStats | undefined> {
    this.statsCalls.push(id);
    return Promise.resolve({
      memoryUsed: this.memory,
      memoryLimit: 1024 ** 3,
      cpuPercent: 150,
      netRx: 0,
      netTx: 0,
      rxErrors: 0,
      txErrors: 0,
      throttledPeriods: 0,
      pids: 3,
    });
  }
  ping = () => Promise.reject(new Error('unused'));
  summary = () => Promise.reject(new Error('unused'));
  inspectContainer = () => Promise.reject(new Error('unused'));
  logs = () => Promise.reject(new Error('unused'));
  act = () => Promise.reject(new Error('unused'));
  listImages = () => Promise.reject(new Error('unused'));
  inspectImage = () => Promise.reject(new Error('unused'));
  imageHistory = () => Promise.reject(new Error('unused'));
  assertReachable = () => Promise.resolve();
}

function setup() {
  const clock = new ManualClock(START);
  const store = new HistoryStore({
    path: undefined,
    intervalS: 10,
    maxBytes: 8 * 1024 * 1024,
    maxSeries: 500,
    clock,
    log: silentLogger,
  });
  store.open();
  const system = new FakeSystem();
  const docker = new FakeDocker();
  const pushed: ReadonlyMap<string, number>[] = [];
  const collector = new HistoryCollector({
    system,
    docker,
    sink: store,
    exporter: { push: (values) => pushed.push(values) },
    clock,
    log: silentLogger,
    intervalMs: 10_000,
    maxContainers: 50,
  });
  const service = new HistoryService(store, new ChartRenderer(clock), clock, 'UTC');
  return { clock, store, system, docker, collector, service, pushed };
}

describe('HistoryCollector', () => {
  it('samples host figures, per-interface rates and running containers each interval', async () => {
    const { clock, store, docker, collector, pushed } = setup();
    collector.start();
    await clock.advanceAsync(10_000);
    await collector.stop();
    expect(store.latest(hostKey('cpu'))?.v).toBe(37.5);
    expect(store.latest(hostKey('mem'))?.v).toBe(25);
    expect(store.latest(hostKey('swap'))?.v).toBe(25);
    expect(store.latest(hostKey('load5'))?.v).toBe(0.75);
    expect(store.latest(fsKey('pct', '/'))?.v).toBe(40);
    expect(store.latest(fsKey('used', '/'))?.v).toBe(40 * d.GiB);
    expect(store.keys('fs.pct:')).not.toContain('/mnt/nfs'); // no statfs answer, no point
    expect(store.latest(netKey('rx', 'eth0'))?.v).toBe(5_000); // 50 000 B in 10 s
    const sensor = d.sensors.temperatures[0];
    expect(store.latest(tempKey(`${sensor?.chip}/${sensor?.label}`))?.v).toBe(sensor?.celsius);
    expect(store.latest(containerKey('mem', 0, 'web'))?.v).toBe(64 * 1024 * 1024);
    expect(store.latest(containerKey('cpu', 0, 'web'))?.v).toBe(150);
    expect(store.keys('ctr.mem:')).toEqual(['ctr.mem:0/web']); // the stopped one is not sampled
    expect(docker.statsCalls.every((id) => id === 'a'.repeat(64))).toBe(true);
    expect(pushed).toHaveLength(2);
  });
});

describe('HistoryCollector recent stats', () => {
  it("keeps each running container's last stats for the screens, and forgets them when stale", async () => {
    const { clock, docker, collector } = setup();
    const web = 'a'.repeat(64);
    expect(collector.recentStats(0, web, 20_000)).toBeUndefined();
    await collector.tick();
    expect(collector.recentStats(0, web, 20_000)).toMatchObject({ cpuPercent: 150, pids: 3 });
    expect(collector.recentStats(0, 'b'.repeat(64), 20_000)).toBeUndefined(); // stopped
    expect(collector.recentStats(1, web, 20_000)).toBeUndefined(); // other host
    docker.memory = 128 * 1024 * 1024;
    clock.advance(10_000);
    await collector.tick();
    expect(collector.recentStats(0, web, 20_000)?.memoryUsed).toBe(128 * 1024 * 1024);
    clock.advance(20_001);
    expect(collector.recentStats(0, web, 20_000)).toBeUndefined(); // too old for the caller
  });

  it('does not keep stats without a CPU figure (the screen then asks the engine)', async () => {
    const { docker, collector } = setup();
    const inner = docker.containerStats.bind(docker);
    docker.containerStats = async (host, id) => {
      const s = await inner(host, id);
      return s === undefined ? undefined : { ...s, cpuPercent: undefined };
    };
    await collector.tick();
    expect(collector.recentStats(0, 'a'.repeat(64), 20_000)).toBeUndefined();
  });
});

describe('HistoryService charts', () => {
  it('draws a container memory chart that follows the steps, and says empty for a vanished one', async () => {
    const { clock, docker, collector, service } = setup();
    for (let step = 1; step <= 3; step++) {
      docker.memory = step * 32 * 1024 * 1024;
      for (let i = 0; i < 6; i++) {
        await collector.tick();
        clock.advance(10_000);
      }
    }
    const result = await service.chart(
      { kind: 'container', host: 0, name: 'web', metric: 'mem' },
      '1h',
      'web',
    );
    if (result.kind !== 'chart') throw new Error('expected a chart');
    const values = result.series[0]?.points.map((p) => p.v) ?? [];
    expect([...new Set(values)]).toEqual([32, 64, 96].map((m) => m * 1024 * 1024));
    const png = PNG.sync.read(result.png);
    expect(png.width).toBe(800);
    expect(
      await service.chart({ kind: 'container', host: 0, name: 'gone', metric: 'mem' }, '1h', 'x'),
    ).toEqual({
      kind: 'empty',
    });
  });

  it('forecasts a filling disk from the stored trend', async () => {
    const { clock, system, store, service } = setup();
    system.rxStep = 0;
    // Feed /data growing 1 GiB per hour for 3 hours into a 100 GiB disk, 50 GiB used at the end.
    for (let i = 0; i <= 180; i++) {
      store.record(new Map([[fsKey('used', '/data'), (47 + i / 60) * d.GiB]]));
      clock.advance(60_000);
    }
    const f = service.forecast('/data', 100 * d.GiB);
    expect(f.day?.kind).toBe('fills');
    if (f.day?.kind !== 'fills') return;
    expect(f.day.days).toBeCloseTo(50 / 24, 1);
  });
});
