import type {
  ContainerDetails,
  ContainerSummary,
  DockerPort,
  ImageDetails,
  ImageSummary,
} from '../../../../src/adapters/docker/port';
import type {
  FilesystemUsage,
  SensorInfo,
  SystemPort,
} from '../../../../src/adapters/system/system-port';
import { ManualClock } from '../../../../src/clock';
import type { MonitorConfig } from '../../../../src/config/types';
import { silentLogger } from '../../../support/silent-logger';
import { DOCKER_STATE_FILE } from '../../../../src/plugins/monitor/docker-watch';
import { monitorFeature } from '../../../../src/plugins/monitor/feature';
import { Monitor } from '../../../../src/plugins/monitor/monitor';
import { temperatureThreshold } from '../../../../src/plugins/monitor/rules';
import { monitorStatusView } from '../../../../src/plugins/monitor/views';
import { visibleText } from '../../../../src/views/html';
import { TELEGRAM_LIMITS, type ActionButton } from '../../../../src/views/view';
import { Pipeline } from '../../../support/pipeline';
import * as d from '../../../fixtures/server-data';
import { FakeSender } from '../../../support/fake-sender';
import { MemoryStore } from '../../../support/memory-store';
import { details, imageDetails, summary } from '../../views/docker-fixtures';

const CHAT = 500;
const GiB = 1024 ** 3;

/** Host readings the test sets directly; `failing` names methods that reject. */
class FakeSystem implements SystemPort {
  cpuTotal = 10;
  memUsedPercent = 10;
  disks: FilesystemUsage[] = [];
  temps: SensorInfo['temperatures'] = [];
  failing = new Set<string>();
  private answer<T>(name: string, value: T): Promise<T> {
    return this.failing.has(name) ? Promise.reject(new Error(name)) : Promise.resolve(value);
  }
  start(): void {}
  stop(): void {}
  context = () => d.onHost;
  loadAverage = () => this.answer('loadAverage', d.load);
  cpu = () => this.answer('cpu', { ...d.cpu, usage: { ...d.cpu.usage, total: this.cpuTotal } });
  memory = () =>
    this.answer('memory', {
      ...d.memory,
      totalBytes: 100 * GiB,
      usedBytes: this.memUsedPercent * GiB,
    });
  sensors = () => this.answer('sensors', { temperatures: this.temps, fans: [] });
  processes = () => this.answer('processes', d.processes);
  topProcesses = () => this.answer('topProcesses', d.top);
  uptime = () => this.answer('uptime', d.uptime);
  users = () => this.answer('users', d.users);
  filesystems = () => this.answer('filesystems', this.disks);
  diskIo = () => this.answer('diskIo', d.diskIo);
  networkTotals = () => this.answer('networkTotals', d.network);
  interfaces = () => this.answer('interfaces', d.interfaces);
  connections = () => this.answer('connections', d.connections);
  processMemoryLimit = () => this.answer('processMemoryLimit', undefined);
}

/** One engine in memory: the monitor only lists and inspects. */
class FakeDocker implements DockerPort {
  readonly hosts = [{ index: 0, label: 'unix:///run/docker.sock' }];
  containers: ContainerDetails[] = [];
  images: ImageSummary[] = [];
  down = false;
  private up(): void {
    if (this.down) throw new Error('connection refused');
  }
  ping = () => Promise.reject(new Error('unused'));
  summary = () => Promise.reject(new Error('unused'));
  listContainers(): Promise<ContainerSummary[]> {
    this.up();
    return Promise.resolve(
      this.containers.map((c) =>
        summary(c.name, {
          id: c.id,
          state: c.state,
          health: c.health,
          status: c.state === 'restarting' ? 'Restarting (1) 2 seconds ago' : 'Up',
        }),
      ),
    );
  }
  inspectContainer(_h: number, id: string): Promise<ContainerDetails | undefined> {
    return Promise.resolve(this.containers.find((c) => c.id === id));
  }
  containerStats = () => Promise.reject(new Error('unused'));
  logs = () => Promise.reject(new Error('unused'));
  act = () => Promise.reject(new Error('unused'));
  listImages(): Promise<ImageSummary[]> {
    this.up();
    return Promise.resolve(this.images);
  }
  inspectImage(_h: number, id: string): Promise<ImageDetails | undefined> {
    const i = this.images.find((x) => x.id === id);
    return Promise.resolve(i && imageDetails({ ...i, os: 'linux', architecture: 'arm64' }));
  }
  imageHistory = () => Promise.reject(new Error('unused'));
  assertReachable = () => Promise.resolve();
}

function config(over: Partial<MonitorConfig> = {}): MonitorConfig {
  return {
    thresholds: {
      cpu: 80,
      memory: 80,
      disk: 80,
      cpuTemperature: 85,
      gpuTemperature: 90,
      diskTemperature: 60,
    },
    maxNotifications: 3,
    checkIntervalSeconds: 5,
    resetNotificationMinutes: 5,
    retryAttempts: 3,
    retryIntervalSeconds: 10,
    monitorDocker: false,
    ...over,
  };
}

function setup(
  over: Partial<MonitorConfig> = {},
  store = new MemoryStore(),
  docker = new FakeDocker(),
) {
  const system = new FakeSystem();
  const sender = new FakeSender();
  const clock = new ManualClock();
  const monitor = new Monitor({
    config: config(over),
    system,
    docker,
    sender,
    chatIds: [CHAT],
    store,
    clock,
    log: silentLogger,
  });
  const texts = (): string[] => sender.textsTo(CHAT);
  const tick = async (): Promise<void> => {
    clock.advance(5000);
    await monitor.check();
  };
  return { monitor, system, sender, clock, texts, tick, docker, store };
}

describe('thresholds', () => {
  it('alerts only after two consecutive checks over the threshold', async () => {
    const t = setup();
    t.system.cpuTotal = 95;
    await t.tick();
    expect(t.texts()).toEqual([]);
    t.system.cpuTotal = 50;
    await t.tick();
    t.system.cpuTotal = 95;
    await t.tick();
    expect(t.texts()).toEqual([]);
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    expect(t.texts()[0]).toContain('High CPU usage');
    expect(t.texts()[0]).toContain('95.0 %');
    // The busiest processes come with a CPU alert (names escaped, not markup).
    expect(t.sender.sent[0]?.view.html.value).toContain('&lt;i&gt;');
    await t.tick();
    expect(t.texts()).toHaveLength(1);
  });

  it('resolves only below threshold − 5 points (hysteresis)', async () => {
    const t = setup();
    t.system.memUsedPercent = 90;
    await t.tick();
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    t.system.memUsedPercent = 78;
    await t.tick();
    t.system.memUsedPercent = 81;
    await t.tick();
    t.system.memUsedPercent = 75;
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    t.system.memUsedPercent = 74.9;
    await t.tick();
    expect(t.texts()).toHaveLength(2);
    expect(t.texts()[1]).toContain('Memory has normalised');
  });

  it('watches each filesystem and temperature sensor with the mapped threshold', async () => {
    const t = setup();
    t.system.disks = [
      {
        device: '/dev/sda1',
        type: 'ext4',
        mountPoint: '/',
        sizeBytes: 100,
        usedBytes: 90,
        freeBytes: 10,
      },
      {
        device: '/dev/sdb1',
        type: 'ext4',
        mountPoint: '/data',
        sizeBytes: 100,
        usedBytes: 10,
        freeBytes: 90,
      },
    ];
    t.system.temps = [
      {
        chip: 'nvme-pci-0100',
        label: 'Composite',
        celsius: 65,
        highCelsius: undefined,
        criticalCelsius: undefined,
      },
      {
        chip: 'coretemp',
        label: 'Core 0',
        celsius: 65,
        highCelsius: undefined,
        criticalCelsius: undefined,
      },
    ];
    await t.tick();
    await t.tick();
    const all = t.texts().join('\n');
    expect(all).toContain('High disk usage — Disk /');
    expect(all).not.toContain('/data');
    expect(all).toContain('nvme-pci-0100 Composite');
    expect(all).not.toContain('coretemp');
  });

  it('maps sensor names as pyTMBot did', () => {
    const th = config().thresholds;
    const t = (chip: string, label = '') =>
      temperatureThreshold(
        { chip, label, celsius: 1, highCelsius: undefined, criticalCelsius: undefined },
        th,
      );
    expect(t('amdgpu', 'edge')).toBe(90);
    expect(t('nvidia')).toBe(90);
    expect(t('nvme-pci-0100')).toBe(60);
    expect(t('drivetemp', 'ssd')).toBe(60);
    expect(t('pch_cannonlake')).toBe(85);
    expect(t('acpitz')).toBe(85);
  });

  it('reports a vanished sensor as resolved, but not when the read merely failed', async () => {
    const t = setup();
    t.system.temps = [
      {
        chip: 'coretemp',
        label: 'Core 0',
        celsius: 99,
        highCelsius: undefined,
        criticalCelsius: undefined,
      },
    ];
    await t.tick();
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    t.system.failing.add('sensors');
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    expect(t.monitor.status().active).toHaveLength(1);
    t.system.failing.clear();
    t.system.temps = [];
    await t.tick();
    expect(t.texts()[1]).toContain('no longer reported');
    expect(t.monitor.status().active).toHaveLength(0);
  });
});

describe('notification budget', () => {
  it('holds notices over budget and folds them into one summary when the window resets', async () => {
    const t = setup({ maxNotifications: 2, resetNotificationMinutes: 1 });
    t.system.cpuTotal = 95;
    t.system.memUsedPercent = 95;
    t.system.disks = [
      {
        device: '/dev/sda1',
        type: 'ext4',
        mountPoint: '/',
        sizeBytes: 100,
        usedBytes: 95,
        freeBytes: 5,
      },
      {
        device: '/dev/sdb1',
        type: 'ext4',
        mountPoint: '/data',
        sizeBytes: 100,
        usedBytes: 95,
        freeBytes: 5,
      },
    ];
    await t.tick();
    await t.tick();
    expect(t.texts()).toHaveLength(2);
    expect(t.monitor.status().held).toBe(2);
    expect(visibleText(monitorStatusView(t.monitor.status()).html.value)).toContain(
      '2 notification(s) held back',
    );
    // Still inside the window: nothing more is sent, nothing is lost.
    await t.tick();
    expect(t.texts()).toHaveLength(2);
    t.clock.advance(60_000);
    await t.monitor.check();
    expect(t.texts()).toHaveLength(3);
    const summary = t.texts()[2] ?? '';
    expect(summary).toContain('Monitoring summary: 2 notification(s)');
    expect(summary).toContain('Disk /');
    expect(summary).toContain('Disk /data');
    expect(t.monitor.status().held).toBe(0);
  });

  it('keeps a folded summary within Telegram limits however many notices pile up', async () => {
    const t = setup({ maxNotifications: 1, resetNotificationMinutes: 1 });
    t.system.disks = Array.from({ length: 300 }, (_, i) => ({
      device: `/dev/x${i}`,
      type: 'ext4',
      mountPoint: `/mnt/${'<b>'.repeat(30)}${i}`,
      sizeBytes: 100,
      usedBytes: 99,
      freeBytes: 1,
    }));
    await t.tick();
    await t.tick();
    t.clock.advance(60_000);
    await t.monitor.check();
    const summary = t.sender.sent[1];
    expect(summary?.text).toContain('299 notification(s)');
    expect(summary?.text).toContain('…and 274 more');
    expect(summary?.text.length ?? 0).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    const status = visibleText(monitorStatusView(t.monitor.status()).html.value);
    expect(status.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
  });
});

describe('docker', () => {
  const running = (name: string, over: Partial<ContainerDetails> = {}) =>
    details(name, { state: 'running', health: 'none', exitCode: 0, oomKilled: false, ...over });

  it('baselines silently, then reports new containers and images with real fields', async () => {
    const t = setup({ monitorDocker: true });
    t.docker.containers = [running('web')];
    t.docker.images = [
      { id: `sha256:${'1'.repeat(64)}`, tags: ['web:1'], digests: [], size: 1, createdAt: 0 },
    ];
    await t.tick();
    expect(t.texts()).toEqual([]);
    t.docker.containers.push(running('intruder'));
    t.docker.images.push({
      id: `sha256:${'3'.repeat(64)}`,
      tags: ['miner:latest'],
      digests: [],
      size: 5 * 1024 * 1024,
      createdAt: Date.UTC(2026, 0, 2),
    });
    await t.tick();
    const [container, image] = t.texts();
    expect(container).toContain('New Docker container');
    expect(container).toContain('intruder');
    expect(container).not.toContain('N/A');
    expect(image).toContain('miner:latest');
    expect(image).toContain('Size: 5.0 MiB');
    expect(image).toContain('linux/arm64');
  });

  it('reports unexpected exits, unhealthy, recovery and restart loops (debounced)', async () => {
    const t = setup({ monitorDocker: true, maxNotifications: 10 });
    t.docker.containers = [running('job'), running('db'), running('api'), running('flappy')];
    await t.tick();
    const set = (name: string, over: Partial<ContainerDetails>) => {
      t.docker.containers = t.docker.containers.map((c) =>
        c.name === name ? { ...c, ...over } : c,
      );
    };
    set('job', { state: 'exited', exitCode: 0 });
    set('db', { state: 'exited', exitCode: 137, oomKilled: true });
    set('api', {
      health: 'unhealthy',
      lastHealthCheck: { at: 0, exitCode: 1, output: 'curl: (7) refused <x>' },
    });
    set('flappy', { state: 'restarting' });
    await t.tick();
    let all = t.texts().join('\n');
    expect(all).not.toContain('job');
    expect(all).toContain('Container stopped unexpectedly');
    expect(all).toContain('Exit code: 137');
    expect(all).toContain('out of memory');
    expect(all).toContain('curl: (7) refused <x>');
    expect(all).not.toContain('flappy');
    await t.tick();
    all = t.texts().join('\n');
    expect(all).toContain('restart loop');
    expect(all).toContain('flappy');
    const active = visibleText(monitorStatusView(t.monitor.status()).html.value);
    expect(active).toContain('Container api is unhealthy');
    expect(active).toContain('Container flappy keeps restarting');
    set('api', { health: 'healthy' });
    await t.tick();
    expect(t.texts().at(-1)).toContain('Container healthy again');
  });

  it('remembers known containers across a restart and announces only what changed meanwhile', async () => {
    const store = new MemoryStore();
    const docker = new FakeDocker();
    docker.containers = [running('web')];
    const first = setup({ monitorDocker: true }, store, docker);
    await first.tick();
    expect(store.files.has(DOCKER_STATE_FILE)).toBe(true);

    docker.containers.push(running('added-while-down'));
    const second = setup({ monitorDocker: true }, store, docker);
    await second.tick();
    expect(second.texts()).toHaveLength(1);
    expect(second.texts()[0]).toContain('added-while-down');
    expect(second.texts()[0]).not.toContain('web');
  });

  it('keeps watching the host when the engine is down, and says so on the status screen', async () => {
    const t = setup({ monitorDocker: true });
    t.docker.down = true;
    t.system.cpuTotal = 99;
    await t.tick();
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    expect(visibleText(monitorStatusView(t.monitor.status()).html.value)).toContain(
      'Docker: engine unavailable',
    );
  });
});

describe('status screen', () => {
  it('opens from the Plugins button; Refresh edits in place or says "Already up to date"', async () => {
    const t = setup();
    const USER = 7;
    const p = new Pipeline({ userIds: [USER] }, [monitorFeature({ monitor: t.monitor })]);
    t.system.cpuTotal = 95;
    await t.tick();
    await p.text(USER, '📈 Monitoring');
    const screen = p.sender.sent[0]!;
    expect(screen.text).toContain('🟡 CPU: 95.0 % / 80 %');
    expect(screen.text).toContain('Active alerts\nNone.');
    const refresh =
      screen.view.keyboard?.kind === 'inline'
        ? (screen.view.keyboard.rows[0]![0] as ActionButton)
        : undefined;
    const token = p.callbacks.issue(USER, refresh!.action, refresh!.args ?? []);
    const same = await p.press(USER, token, screen.messageId);
    expect(p.sender.answers.find((a) => a.id === same)?.text).toBe('Already up to date');

    await t.tick();
    const changed = await p.press(USER, token, screen.messageId);
    expect(p.sender.answers.find((a) => a.id === changed)?.text).toBeUndefined();
    expect(p.sender.sent.at(-1)).toMatchObject({ kind: 'edit', messageId: screen.messageId });
    expect(p.sender.sent.at(-1)?.text).toContain('🔴 CPU: 95.0 % / 80 %');
  });
});
