import { PNG } from 'pngjs';
import type { SystemPort } from '../../../src/adapters/system/system-port';
import type { AlertKind } from '../../../src/alerts/types';
import { ManualClock } from '../../../src/clock';
import type { HistoryConfig } from '../../../src/config/types';
import { alertChartTarget } from '../../../src/history/alert-chart';
import { CHART_HEIGHT, CHART_WIDTH } from '../../../src/history/chart';
import { HistoryRuntime } from '../../../src/history/runtime';
import { createAlerting } from '../../../src/app-alerts';
import { createMonitorPlugin } from '../../../src/plugins/monitor/plugin';
import * as d from '../../fixtures/server-data';
import { FakeSender } from '../../support/fake-sender';
import { MemoryStore } from '../../support/memory-store';
import { MONITOR_CONFIG, alertsConfig, unusedDocker } from '../../support/monitor-fixtures';
import { silentLogger } from '../../support/silent-logger';

const CHAT = 500;
const DOCKER_HOSTS = [
  { index: 0, label: 'unix:///run/docker.sock' },
  { index: 1, label: 'tcp://10.0.0.2:2376' },
];

describe('alertChartTarget', () => {
  const subject = (
    kind: AlertKind,
    over: { host?: string; local?: boolean; target?: string } = {},
  ) => ({
    kind,
    target: over.target ?? 'web',
    host: over.host ?? 'this host',
    local: over.local ?? true,
  });

  it('maps host conditions of this host to its metric charts, and nothing for other machines or fans', () => {
    expect(alertChartTarget(subject('cpu'), DOCKER_HOSTS)).toEqual({ kind: 'host', metric: 'cpu' });
    expect(alertChartTarget(subject('swap'), DOCKER_HOSTS)).toEqual({
      kind: 'host',
      metric: 'mem',
    });
    expect(alertChartTarget(subject('disk'), DOCKER_HOSTS)).toEqual({
      kind: 'host',
      metric: 'disk',
    });
    expect(alertChartTarget(subject('temperature'), DOCKER_HOSTS)).toEqual({
      kind: 'host',
      metric: 'temp',
    });
    expect(
      alertChartTarget(subject('cpu', { local: false, host: 'db1' }), DOCKER_HOSTS),
    ).toBeUndefined();
    expect(alertChartTarget(subject('fan'), DOCKER_HOSTS)).toBeUndefined();
  });

  it('maps container alerts to the container on its Docker host: memory for OOM, CPU otherwise', () => {
    const c = (kind: AlertKind, host: string) =>
      alertChartTarget(subject(kind, { host, local: false, target: 'api' }), DOCKER_HOSTS);
    expect(c('container_oom', 'tcp://10.0.0.2:2376')).toEqual({
      kind: 'container',
      host: 1,
      name: 'api',
      metric: 'mem',
    });
    expect(c('restart_loop', 'unix:///run/docker.sock')).toMatchObject({ host: 0, metric: 'cpu' });
    expect(c('container_died', 'tcp://gone:2376')).toBeUndefined();
    expect(c('container_created', 'unix:///run/docker.sock')).toBeUndefined();
    expect(c('image_new', 'unix:///run/docker.sock')).toBeUndefined();
  });
});

/** This host at 95 % CPU; everything else calm. */
class BusySystem implements SystemPort {
  start(): void {}
  stop(): void {}
  context = () => d.onHost;
  loadAverage = () => Promise.resolve({ ...d.load, one: 0.1, cores: 4 });
  cpu = () => Promise.resolve({ ...d.cpu, usage: { ...d.cpu.usage, total: 95 } });
  memory = () => Promise.resolve({ ...d.memory, totalBytes: 100, usedBytes: 10, swap: undefined });
  sensors = () => Promise.resolve({ temperatures: [], fans: [] });
  processes = () => Promise.resolve(d.processes);
  topProcesses = () => Promise.resolve(d.top);
  uptime = () => Promise.resolve(d.uptime);
  users = () => Promise.resolve(d.users);
  filesystems = () => Promise.resolve([]);
  diskIo = () => Promise.reject(new Error('unused'));
  networkTotals = () => Promise.resolve(d.network);
  interfaces = () => Promise.resolve(d.interfaces);
  connections = () => Promise.resolve(d.connections);
  processMemoryLimit = () => Promise.resolve(undefined);
  processRss = () => Promise.resolve(64 * 1024 * 1024);
}

const noDocker = unusedDocker();

const monitorConfig = MONITOR_CONFIG;

const historyConfig: HistoryConfig = {
  enabled: true,
  intervalSeconds: 5,
  maxBytes: 8 * 1024 * 1024,
  maxContainers: 10,
  maxSeries: 100,
  timeZone: 'UTC',
  forecastAlertDays: 0,
  alertCharts: true,
};

/** The monitor plugin and a real history (store, collector, chart worker) on one busy host. */
function setup(withCharts: boolean) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const system = new BusySystem();
  const history = new HistoryRuntime({
    config: historyConfig,
    influxdb: { url: '', token: '', org: '', bucket: '', debugMode: false, version: 2 },
    stateDir: undefined,
    system,
    docker: undefined,
    clock,
    log: silentLogger,
    notify: () => Promise.resolve(),
  });
  const sender = new FakeSender();
  const pngs: Buffer[] = [];
  const sendPhoto = sender.sendPhoto.bind(sender);
  sender.sendPhoto = (chatId, png, caption, options) => {
    pngs.push(png);
    return sendPhoto(chatId, png, caption, options);
  };
  const store = new MemoryStore();
  // The engine is the core's (src/app-alerts.ts), which draws the charts: built as createApp does.
  const alerting = createAlerting({
    monitor: monitorConfig,
    alerts: alertsConfig(),
    globalChatIds: [CHAT],
    adminIds: [CHAT],
    sender,
    alertChart: withCharts ? history.alertChart.bind(history) : undefined,
    store,
    clock,
    log: silentLogger,
  });
  const monitor = createMonitorPlugin({
    monitor: monitorConfig,
    alerts: alertsConfig(),
    globalChatIds: [CHAT],
    adminIds: [CHAT],
    system,
    docker: noDocker,
    sender,
    engine: alerting.engine,
    store,
    clock,
    log: silentLogger,
    sanitise: (t) => t,
  });
  const plugin = { components: [alerting.component, ...monitor.components] };
  return { clock, history, sender, pngs, plugin };
}

/** Polls (real time, bounded) until `done`: the chart renders in a worker thread. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('alert charts', () => {
  it("a CPU alert is followed by the last hour's CPU chart, a PNG replying to the alert", async () => {
    const t = setup(true);
    t.history.start();
    try {
      for (const c of t.plugin.components) await c.start?.();
      const alerts = () => t.sender.sent.filter((s) => s.kind === 'send');
      for (let i = 0; i < 6 && alerts().length === 0; i++) await t.clock.advanceAsync(5000);
      expect(alerts()).toHaveLength(1);
      expect(alerts()[0]?.text).toContain('CPU');
      await until(() => t.pngs.length > 0, 'the chart');
      const photo = t.sender.sent.find((s) => s.kind === 'photo');
      expect(photo).toMatchObject({ chatId: CHAT, options: { replyTo: alerts()[0]?.messageId } });
      expect(photo?.text).toContain('CPU · last 1 h');
      expect(photo?.text).toContain('CPU: now 95 %');
      const png = PNG.sync.read(t.pngs[0] as Buffer);
      expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
      for (const c of [...t.plugin.components].reverse()) await c.stop?.();
    } finally {
      await t.history.stop();
    }
  });

  it('without alert charts (history off or alert_charts: false) the alert goes alone', async () => {
    const t = setup(false);
    t.history.start();
    try {
      for (const c of t.plugin.components) await c.start?.();
      const alerts = () => t.sender.sent.filter((s) => s.kind === 'send');
      for (let i = 0; i < 6 && alerts().length === 0; i++) await t.clock.advanceAsync(5000);
      expect(alerts()).toHaveLength(1);
      for (const c of [...t.plugin.components].reverse()) await c.stop?.();
      expect(t.sender.sent.filter((s) => s.kind === 'photo')).toEqual([]);
    } finally {
      await t.history.stop();
    }
  });
});
