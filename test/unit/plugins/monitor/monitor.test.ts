import type {
  FanReading,
  FilesystemUsage,
  SensorInfo,
  SystemPort,
} from '../../../../src/adapters/system/system-port';
import {
  ALERT_ACK,
  ALERT_MUTE,
  ALERT_MUTES,
  ALERT_SNOOZE,
  ALERT_UNMUTE,
} from '../../../../src/alerts/views';
import { ManualClock } from '../../../../src/clock';
import type { AlertsConfig } from '../../../../src/config/types';
import { MONITOR_CONFIG, alertsConfig, unusedDocker } from '../../../support/monitor-fixtures';
import { silentLogger } from '../../../support/silent-logger';
import { temperatureThreshold } from '../../../../src/plugins/monitor/rules';
import { createAlerting } from '../../../../src/app-alerts';
import { createMonitorPlugin } from '../../../../src/plugins/monitor/plugin';
import type { ActionButton, View } from '../../../../src/views/view';
import * as d from '../../../fixtures/server-data';
import { FakeSender } from '../../../support/fake-sender';
import { MemoryStore } from '../../../support/memory-store';
import { Pipeline } from '../../../support/pipeline';

const CHAT = 500;
const ADMIN = 500;
const USER = 7;
const GiB = 1024 ** 3;

/** Host readings the test sets directly; `failing` names methods that reject. */
class FakeSystem implements SystemPort {
  cpuTotal = 10;
  memUsedPercent = 10;
  swapUsedPercent = 0;
  loadOne = 1;
  disks: FilesystemUsage[] = [];
  temps: SensorInfo['temperatures'] = [];
  fans: FanReading[] = [];
  failing = new Set<string>();
  private answer<T>(name: string, value: T): Promise<T> {
    return this.failing.has(name) ? Promise.reject(new Error(name)) : Promise.resolve(value);
  }
  start(): void {}
  stop(): void {}
  context = () => d.onHost;
  loadAverage = () => this.answer('loadAverage', { ...d.load, one: this.loadOne, cores: 4 });
  cpu = () => this.answer('cpu', { ...d.cpu, usage: { ...d.cpu.usage, total: this.cpuTotal } });
  memory = () =>
    this.answer('memory', {
      ...d.memory,
      totalBytes: 100 * GiB,
      usedBytes: this.memUsedPercent * GiB,
      swap: { totalBytes: 10 * GiB, usedBytes: (this.swapUsedPercent / 10) * GiB, freeBytes: 0 },
    });
  sensors = () => this.answer('sensors', { temperatures: this.temps, fans: this.fans });
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
  processRss = () => this.answer('processRss', 64 * 1024 * 1024);
}

/** Docker is off in these tests (monitor_docker: false); the plugin never calls it. */
const noDocker = unusedDocker([{ index: 0, label: 'unix:///run/docker.sock' }]);

const monitorConfig = MONITOR_CONFIG;

function setup(
  over: Partial<AlertsConfig> = {},
  store = new MemoryStore(),
  clock = new ManualClock(),
) {
  const system = new FakeSystem();
  const sender = new FakeSender();
  // The engine is the core's (src/app-alerts.ts): built beside the plugin, as createApp does.
  const alerting = createAlerting({
    monitor: monitorConfig,
    alerts: alertsConfig(over),
    globalChatIds: [CHAT],
    adminIds: [ADMIN],
    sender,
    store,
    clock,
    log: silentLogger,
  });
  const monitor = createMonitorPlugin({
    monitor: monitorConfig,
    alerts: alertsConfig(over),
    globalChatIds: [CHAT],
    adminIds: [ADMIN],
    system,
    docker: noDocker,
    sender,
    engine: alerting.engine,
    store,
    clock,
    log: silentLogger,
    sanitise: (t) => t,
  });
  const plugin = {
    features: [alerting.feature, monitor.feature],
    components: [alerting.component, ...monitor.components],
  };
  const texts = (): string[] => sender.sent.filter((s) => s.kind === 'send').map((s) => s.text);
  /** One check interval (5 s) with the engine's timers. */
  const tick = (): Promise<void> => clock.advanceAsync(5000);
  const start = async (): Promise<void> => {
    for (const c of plugin.components) await c.start?.();
  };
  const stop = async (): Promise<void> => {
    for (const c of [...plugin.components].reverse()) await c.stop?.();
  };
  return { features: plugin.features, start, stop, system, sender, clock, store, texts, tick };
}

const buttons = (v: View | undefined): ActionButton[] =>
  v?.keyboard?.kind === 'inline'
    ? v.keyboard.rows.flat().filter((b): b is ActionButton => 'action' in b)
    : [];

describe('host conditions', () => {
  it('alerts after debounce_checks consecutive checks over the threshold, with the busiest processes', async () => {
    const t = setup({
      conditions: { ...alertsConfig().conditions, cpu: { debounceChecks: 3, hysteresis: 5 } },
    });
    t.system.cpuTotal = 95;
    await t.start();
    await t.tick();
    expect(t.texts()).toEqual([]);
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    expect(t.texts()[0]).toContain('CPU 95 % over 80 % · this host');
    expect(t.sender.sent[0]?.view.html.value).toContain('&lt;i&gt;');
    await t.tick();
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    await t.stop();
  });

  it('resolves only below threshold − hysteresis, editing the alert in place', async () => {
    const t = setup({
      conditions: { ...alertsConfig().conditions, memory: { debounceChecks: 2, hysteresis: 10 } },
    });
    t.system.memUsedPercent = 90;
    await t.start();
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    t.system.memUsedPercent = 75;
    for (let i = 0; i < 12; i++) await t.tick();
    expect(t.sender.sent.filter((s) => s.kind === 'edit')).toEqual([]);
    t.system.memUsedPercent = 69;
    await t.tick();
    const edit = t.sender.sent.find((s) => s.kind === 'edit');
    expect(edit?.messageId).toBe(t.sender.sent[0]?.messageId);
    expect(edit?.text).toContain('✅ resolved after 1 min');
    expect(t.texts()[1]).toContain('Resolved after 1 min');
    await t.stop();
  });

  it('watches swap, load per core and fans that stopped after spinning', async () => {
    const t = setup();
    t.system.swapUsedPercent = 90;
    t.system.loadOne = 12;
    t.system.fans = [
      { chip: 'nct6775', label: 'fan2', rpm: 900 },
      { chip: 'nct6775', label: 'fan3', rpm: 0 },
    ];
    await t.start();
    await t.tick();
    t.system.fans = [
      { chip: 'nct6775', label: 'fan2', rpm: 0 },
      { chip: 'nct6775', label: 'fan3', rpm: 0 },
    ];
    await t.tick();
    await t.tick();
    const all = t.texts().join('\n');
    expect(all).toContain('Swap 90 % over 80 %');
    expect(all).toContain('Load (1 min) 3 per core over 2 per core');
    expect(all).toContain('fan Fan nct6775 fan2 stopped (0 RPM)');
    expect(all).not.toContain('fan3');
    await t.stop();
  });

  it('maps sensor names as pyTMBot did', () => {
    const th = monitorConfig.thresholds;
    const t = (chip: string, label = '') =>
      temperatureThreshold(
        { chip, label, celsius: 50, highCelsius: undefined, criticalCelsius: undefined },
        th,
      );
    expect(t('amdgpu', 'edge')).toBe(90);
    expect(t('nvme', 'Composite')).toBe(60);
    expect(t('coretemp', 'Package id 0')).toBe(85);
    expect(t('pch_cannonlake')).toBe(85);
  });

  it('a vanished sensor resolves quietly, a failed read does not resolve', async () => {
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
    await t.start();
    await t.tick();
    expect(t.texts()).toHaveLength(1);
    t.system.failing.add('sensors');
    await t.tick();
    expect(t.sender.sent.filter((s) => s.kind === 'edit')).toEqual([]);
    t.system.failing.clear();
    t.system.temps = [];
    await t.tick();
    expect(t.sender.sent.filter((s) => s.kind === 'edit')).toHaveLength(1);
    expect(t.texts()).toHaveLength(1);
    await t.stop();
  });

  it('an ongoing breach is not announced again after a restart; its end still edits and notifies', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const first = setup({}, store, clock);
    first.system.cpuTotal = 95;
    await first.start();
    await first.tick();
    await first.stop();
    const second = setup({}, store, clock);
    second.system.cpuTotal = 95;
    await second.start();
    await second.tick();
    await second.tick();
    expect(second.texts()).toEqual([]);
    second.system.cpuTotal = 10;
    await second.tick();
    expect(second.sender.sent[0]).toMatchObject({
      kind: 'edit',
      messageId: first.sender.sent[0]?.messageId,
    });
    expect(second.texts()[0]).toContain('Resolved');
    await second.stop();
  });
});

describe('alert buttons, screens and /maintenance', () => {
  async function withPipeline() {
    const t = setup();
    const p = new Pipeline({ userIds: [ADMIN, USER], adminIds: [ADMIN] }, t.features);
    t.system.cpuTotal = 95;
    await t.start();
    await t.tick();
    const alert = t.sender.sent[0];
    const [ack, snooze1, , , mute] = buttons(alert?.view);
    const token = (user: number, b: ActionButton | undefined) =>
      p.callbacks.issue(user, b?.action ?? '', b?.args ?? []);
    const toast = (id: string) => p.sender.answers.find((a) => a.id === id);
    return { t, p, alert, ack, snooze1, mute, token, toast };
  }

  it('Ack from the alert acknowledges it and edits the message', async () => {
    const { t, p, alert, ack, token, toast } = await withPipeline();
    expect(ack?.action).toBe(ALERT_ACK.name);
    const id = await p.press(USER, token(USER, ack), alert?.messageId);
    expect(toast(id)?.text).toBe('Acknowledged');
    await t.clock.advanceAsync(100);
    const edit = t.sender.sent.find((s) => s.kind === 'edit');
    expect(edit?.text).toContain(`acknowledged by ${USER}`);
    await t.stop();
  });

  it('Snooze shows until when; forged and foreign tokens are refused', async () => {
    const { t, p, alert, snooze1, token, toast } = await withPipeline();
    expect(snooze1).toMatchObject({ action: ALERT_SNOOZE.name, args: [expect.any(String), '1'] });
    const ok = await p.press(USER, token(USER, snooze1), alert?.messageId);
    expect(toast(ok)?.text).toBe('Snoozed for 1 h');
    const forged = await p.press(USER, 'AAAAAAAAAAAA', alert?.messageId);
    expect(toast(forged)?.text).toMatch(/expired/);
    const foreign = await p.press(USER, token(ADMIN, snooze1), alert?.messageId);
    expect(toast(foreign)?.text).toMatch(/another user/);
    const stale = await p.press(USER, p.callbacks.issue(USER, ALERT_ACK.name, ['a:nosuchid']));
    expect(toast(stale)?.text).toMatch(/not valid/);
    const badHours = await p.press(
      USER,
      p.callbacks.issue(USER, ALERT_SNOOZE.name, [snooze1?.args?.[0] ?? '', '999']),
    );
    expect(toast(badHours)).toMatchObject({ alert: true });
    const malformed = await p.press(USER, p.callbacks.issue(USER, ALERT_ACK.name, ['<b>x</b>']));
    expect(toast(malformed)).toMatchObject({ alert: true });
    await t.stop();
  });

  it('Mute is for admins; the rule is listed on the Mutes screen and can be removed', async () => {
    const { t, p, alert, mute, token, toast } = await withPipeline();
    expect(mute?.action).toBe(ALERT_MUTE.name);
    const refused = await p.press(USER, token(USER, mute), alert?.messageId);
    expect(toast(refused)).toMatchObject({
      text: 'Only admins can mute or unmute alerts.',
      alert: true,
    });
    const ok = await p.press(ADMIN, token(ADMIN, mute), alert?.messageId);
    expect(toast(ok)?.text).toBe('Muted: this kind for this target');
    await p.press(ADMIN, p.callbacks.issue(ADMIN, ALERT_MUTES.name, []));
    const screen = p.sender.sent.at(-1);
    expect(screen?.text).toContain('1. cpu · CPU · this host');
    const unmute = buttons(screen?.view).find((b) => b.action === ALERT_UNMUTE.name);
    const denied = await p.press(USER, token(USER, unmute));
    expect(toast(denied)?.alert).toBe(true);
    await p.text(USER, '/mutes');
    expect(p.sender.sent.at(-1)?.text).toContain('1. cpu · CPU · this host');
    await p.press(ADMIN, token(ADMIN, unmute));
    expect(p.sender.sent.at(-1)?.text).toContain('No mute rules');
    await t.stop();
  });

  it('the status screen lists active alerts per host with their state', async () => {
    const { t, p } = await withPipeline();
    await p.text(USER, '/monitor');
    const text = p.sender.sent.at(-1)?.text ?? '';
    expect(text).toContain('🔴 CPU: 95.0 % / 80.0 %');
    expect(text).toContain('this host\n  • 🔥 CPU 95 % over 80 % · this host — 🔔 firing since');
    expect(text).toContain('Docker: off');
    await t.stop();
  });

  it('/maintenance is for admins, takes a duration, and ends with a summary', async () => {
    const { t, p } = await withPipeline();
    await p.text(USER, '/maintenance 30m');
    expect(p.sender.sent.at(-1)?.text).toBe('Only admins can switch maintenance mode.');
    await p.text(ADMIN, '/maintenance soon');
    expect(p.sender.sent.at(-1)?.text).toContain('Usage: /maintenance 30m');
    await p.text(ADMIN, '/maintenance 30m');
    expect(p.sender.sent.at(-1)?.text).toContain('Maintenance is on until');
    t.system.memUsedPercent = 95;
    await t.tick();
    await t.tick();
    const before = t.texts().length;
    await p.text(ADMIN, '/maintenance off');
    await t.clock.advanceAsync(100);
    expect(t.texts()).toHaveLength(before + 1);
    expect(t.texts().at(-1)).toContain('Maintenance ended: 1 alerts recorded');
    expect(t.texts().at(-1)).toContain('Memory 95 % over 80 %');
    await t.stop();
  });
});
