/**
 * Remote fleet hosts alert through the core's alert engine: the same lifecycle, buttons,
 * persistence and resolution as this host's alerts, each alert named by its host.
 */
import YAML from 'yaml';
import { createAlerting } from '../../../src/app-alerts';
import { ALERT_ACK, ALERT_MUTE, ALERT_SNOOZE } from '../../../src/alerts/views';
import { ManualClock } from '../../../src/clock';
import { parseConfig } from '../../../src/config/load';
import type { HostStatus, RemoteSnapshot } from '../../../src/fleet/port';
import { FleetWatch } from '../../../src/fleet/watch';
import type { ActionButton } from '../../../src/views/view';
import { FakeSender } from '../../support/fake-sender';
import { MemoryStore } from '../../support/memory-store';
import { Pipeline } from '../../support/pipeline';
import { silentLogger } from '../../support/silent-logger';

const CHAT = 500;
const ADMIN = 500;
const USER = 7;
const SCRAPE_MS = 30_000;
const GiB = 1024 ** 3;

/** The daemon's config as loaded: schema defaults for alerts (debounce 2, hysteresis 5, host_unreachable critical). */
const config = parseConfig({
  text: YAML.stringify({
    bot_token: { prod_token: '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr' },
    access_control: {
      allowed_user_ids: [ADMIN, USER],
      allowed_admins_ids: [ADMIN],
      auth_salt: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    },
    chat_id: { global_chat_id: [CHAT] },
    // Each scrape's alert goes out at once, so it is visible right after the scrape.
    alerts: { settle_ms: 0, group_window_seconds: 0 },
  }),
  origin: 'pytmbot.yaml',
  env: {},
  mode: 'prod',
}).config;

const snap = (cpu: number, disks: Record<string, number> = { '/': 10 }): RemoteSnapshot => ({
  cpu: { cores: 1, busyPercent: cpu },
  memory: { totalBytes: 8 * GiB, availableBytes: 6 * GiB },
  filesystems: Object.entries(disks).map(([mount, used]) => ({
    mount,
    device: 'sda1',
    fstype: 'ext4',
    sizeBytes: 100 * GiB,
    availBytes: (100 - used) * GiB,
  })),
  network: [],
  temperatures: [],
});
const up = (name: string, cpu = 10, disks?: Record<string, number>): HostStatus => ({
  name,
  source: 'node_exporter',
  state: 'ok',
  snapshot: snap(cpu, disks),
});
const down = (name: string): HostStatus => ({
  name,
  source: 'node_exporter',
  state: 'down',
  error: 'cannot connect (ECONNREFUSED)',
});

/** One daemon's worth: engine + watch on a store that outlives it (a restart keeps the store). */
function daemon(store: MemoryStore, clock: ManualClock, sender = new FakeSender()) {
  let current: HostStatus[] = [];
  const counted: string[] = [];
  const alerting = createAlerting({
    monitor: config.plugins.monitor,
    alerts: config.alerts,
    globalChatIds: config.adminChatIds,
    adminIds: config.access.adminIds,
    sender,
    store,
    clock,
    log: silentLogger,
  });
  const watch = new FleetWatch({
    read: () => Promise.resolve(current),
    clock,
    intervalMs: SCRAPE_MS,
    unreachableAfter: 3,
    thresholds: { cpu: 80, memory: 90, disk: 90 },
    conditions: config.alerts.conditions,
    engine: alerting.engine,
    counted: (severity, state) => counted.push(`${severity}/${state}`),
    log: silentLogger,
  });
  const pipeline = new Pipeline(
    { userIds: [ADMIN, USER], adminIds: [ADMIN] },
    [alerting.feature],
    store,
  );
  return {
    sender,
    counted,
    engine: alerting.engine,
    set: (s: HostStatus[]) => {
      current = s;
    },
    /** One scrape interval, with the engine's timers. */
    scrape: () => clock.advanceAsync(SCRAPE_MS),
    start: () => {
      alerting.engine.start();
      watch.start();
    },
    stop: async () => {
      watch.stop();
      await alerting.engine.stop();
    },
    sends: () => sender.sent.filter((s) => s.kind === 'send'),
    edits: () => sender.sent.filter((s) => s.kind === 'edit'),
    press: async (user: number, b: ActionButton | undefined, messageId: number | undefined) => {
      const id = await pipeline.press(
        user,
        pipeline.callbacks.issue(user, b?.action ?? '', b?.args ?? []),
        messageId,
      );
      return pipeline.sender.answers.find((a) => a.id === id)?.text;
    },
  };
}

const buttons = (v: { keyboard?: unknown } | undefined): ActionButton[] => {
  const k = v?.keyboard as { kind?: string; rows?: ActionButton[][] } | undefined;
  return k?.kind === 'inline' ? (k.rows ?? []).flat().filter((b) => 'action' in b) : [];
};

describe('fleet alerts through the alert engine', () => {
  it('"unreachable" after N failed scrapes, once, with Ack / Snooze / Mute; resolved in place when the host answers', async () => {
    const clock = new ManualClock();
    const d = daemon(new MemoryStore(), clock);
    d.start();
    d.set([down('<i>web</i>')]);
    await d.scrape();
    await d.scrape();
    expect(d.sends()).toEqual([]);
    await d.scrape();
    expect(d.sends()).toHaveLength(1);
    expect(d.sends()[0]?.text).toMatch(
      /^📡 <i>web<\/i> is unreachable: 3 scrapes in a row failed \(cannot connect \(ECONNREFUSED\)\)\n\n🔔 firing since /,
    );
    const alert = d.sends()[0];
    expect(buttons(alert?.view).map((b) => b.action)).toEqual([
      ALERT_ACK.name,
      ALERT_SNOOZE.name,
      ALERT_SNOOZE.name,
      ALERT_SNOOZE.name,
      ALERT_MUTE.name,
    ]);
    expect(d.engine.find('host_unreachable', '<i>web</i>', '<i>web</i>')?.severity).toBe(
      'critical',
    );
    // Still down: nothing more.
    await d.scrape();
    await d.scrape();
    expect(d.sends()).toHaveLength(1);

    d.set([up('<i>web</i>')]);
    await d.scrape();
    const edit = d.edits().find((e) => e.messageId === alert?.messageId);
    expect(edit?.text).toMatch(/^📡 <i>web<\/i> is unreachable: .*\n\n✅ resolved after 1 min$/s);
    expect(buttons(edit?.view)).toEqual([]);
    expect(d.sends()[1]?.text).toMatch(/^✅ Resolved after 1 min: 📡 <i>web<\/i> is unreachable/);
    expect(d.counted).toEqual(['critical/firing', 'critical/resolved']);
    await d.stop();
  });

  it('Ack from the alert acknowledges it; the recovery then edits the message and sends no note', async () => {
    const clock = new ManualClock();
    const d = daemon(new MemoryStore(), clock);
    d.start();
    d.set([down('db')]);
    for (let i = 0; i < 3; i++) await d.scrape();
    const alert = d.sends()[0];
    const [ack] = buttons(alert?.view);
    expect(await d.press(USER, ack, alert?.messageId)).toBe('Acknowledged');
    await clock.advanceAsync(100);
    expect(d.edits().at(-1)?.text).toContain(`acknowledged by ${USER}`);
    d.set([up('db')]);
    await d.scrape();
    expect(d.edits().at(-1)?.text).toMatch(/✅ resolved after/);
    expect(d.sends()).toHaveLength(1);
    await d.stop();
  });

  it('thresholds per host and rule: debounce, hysteresis; Snooze and Mute act on one host and one rule', async () => {
    const clock = new ManualClock();
    const d = daemon(new MemoryStore(), clock);
    d.start();
    d.set([up('a', 95), up('b', 95)]);
    await d.scrape();
    expect(d.sends()).toEqual([]); // debounce: 2 checks
    await d.scrape();
    const texts = d.sends().map((s) => s.text.split('\n')[0]);
    expect(texts).toEqual(['🚨 2 alerts']);
    expect(d.sends()[0]?.text).toContain('🔥 CPU 95 % over 80 % · a');
    expect(d.sends()[0]?.text).toContain('🔥 CPU 95 % over 80 % · b');

    // Mute a's CPU from a's own alert (a single alert: its message has Mute).
    const alertA = d.engine.find('cpu', 'a', 'CPU');
    const mute = ALERT_MUTE.button('🔇 Mute this', { ref: `a:${alertA?.id ?? ''}` });
    expect(await d.press(USER, mute, d.sends()[0]?.messageId)).toBe(
      'Only admins can mute or unmute alerts.',
    );
    expect(await d.press(ADMIN, mute, d.sends()[0]?.messageId)).toBe(
      'Muted: this kind for this target',
    );
    expect(d.engine.mutes()).toEqual([
      expect.objectContaining({ kind: 'cpu', host: 'a', target: 'CPU' }),
    ]);
    // Snooze b's CPU for 1 h.
    const alertB = d.engine.find('cpu', 'b', 'CPU');
    const snooze = ALERT_SNOOZE.button('😴 1 h', { ref: `a:${alertB?.id ?? ''}`, hours: '1' });
    expect(await d.press(USER, snooze, d.sends()[0]?.messageId)).toBe('Snoozed for 1 h');

    // Within the hysteresis (over 75 %): both stay open.
    d.set([up('a', 77), up('b', 77)]);
    await d.scrape();
    expect(d.engine.find('cpu', 'a', 'CPU')?.state).toBe('muted');
    expect(d.engine.find('cpu', 'b', 'CPU')?.state).toBe('snoozed');
    // Below it: both resolve (muted and snoozed ones edit only their message).
    d.set([up('a', 5), up('b', 5)]);
    await d.scrape();
    expect(d.engine.active()).toEqual([]);
    const before = d.sends().length;
    // a's CPU again: muted for host a, so nothing is sent; b's CPU alerts anew.
    d.set([up('a', 95), up('b', 95)]);
    await d.scrape();
    await d.scrape();
    const after = d
      .sends()
      .slice(before)
      .map((s) => s.text);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/^🔥 CPU 95 % over 80 % · b\n/);
    expect(d.engine.find('cpu', 'a', 'CPU')?.state).toBe('muted');
    await d.stop();
  });

  it('each file system alerts on its own; one that goes away resolves quietly', async () => {
    const clock = new ManualClock();
    const d = daemon(new MemoryStore(), clock);
    d.start();
    d.set([up('nas', 10, { '/': 10, '/data': 97 })]);
    await d.scrape();
    await d.scrape();
    expect(d.sends().map((s) => s.text.split('\n')[0])).toEqual([
      '💽 Disk /data 97 % over 90 % · nas',
    ]);
    d.set([up('nas', 10, { '/': 10 })]);
    await d.scrape();
    expect(d.engine.active()).toEqual([]);
    expect(d.edits().at(-1)?.text).toMatch(/✅ resolved after/);
    expect(d.sends()).toHaveLength(1);
    await d.stop();
  });

  it('a host that leaves the fleet has its alerts resolved quietly, once every listed host answers', async () => {
    const clock = new ManualClock();
    const d = daemon(new MemoryStore(), clock);
    d.start();
    d.set([down('old'), up('keep')]);
    for (let i = 0; i < 3; i++) await d.scrape();
    const alert = d.sends()[0];
    expect(alert?.text).toMatch(/^📡 old is unreachable/);
    // Gone from the list, but another host is down: nothing is certain, the alert stays.
    d.set([up('keep'), down('flaky')]);
    await d.scrape();
    expect(d.engine.find('host_unreachable', 'old', 'old')).toBeDefined();
    d.set([up('keep'), up('flaky')]);
    await d.scrape();
    expect(d.engine.active()).toEqual([]);
    expect(d.edits().at(-1)).toMatchObject({ messageId: alert?.messageId });
    expect(d.edits().at(-1)?.text).toMatch(/✅ resolved after/);
    expect(d.sends()).toHaveLength(1);
    await d.stop();
  });

  it('survives a restart: an open alert is not repeated, and a recovery after it edits the original message', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const first = daemon(store, clock);
    first.start();
    first.set([down('edge')]);
    for (let i = 0; i < 3; i++) await first.scrape();
    const alert = first.sends()[0];
    expect(alert).toBeDefined();
    await first.stop();

    const sender = new FakeSender();
    const second = daemon(store, clock, sender);
    second.start();
    second.set([down('edge')]);
    for (let i = 0; i < 5; i++) await second.scrape();
    expect(second.sends()).toEqual([]);
    second.set([up('edge')]);
    await second.scrape();
    expect(second.edits().map((e) => e.messageId)).toEqual([alert?.messageId]);
    expect(second.edits()[0]?.text).toMatch(/✅ resolved after 3 min/);
    expect(second.sends()[0]?.text).toMatch(/^✅ Resolved after 3 min: 📡 edge is unreachable/);
    await second.stop();
  });
});
