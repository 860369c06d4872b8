import { ManualClock } from '../../../src/clock';
import type { AlertMessenger, AlertPolicy } from '../../../src/alerts/delivery';
import { AlertEngine } from '../../../src/alerts/engine';
import { ALERTS_STATE_FILE } from '../../../src/alerts/state';
import {
  ALERT_KINDS,
  type AlertInput,
  type AlertKind,
  type AlertTarget,
  type Severity,
} from '../../../src/alerts/types';
import { ALERT_ACK, ALERT_MUTE, ALERT_SNOOZE } from '../../../src/alerts/views';
import { silentLogger } from '../../support/silent-logger';
import { visibleText } from '../../../src/views/html';
import type { ActionButton, View } from '../../../src/views/view';
import { MemoryStore } from '../../support/memory-store';

interface Msg {
  target: AlertTarget;
  id: number;
  text: string;
  view: View;
  silent: boolean;
}

class FakeMessenger implements AlertMessenger {
  readonly sent: Msg[] = [];
  readonly edits: { chatId: number; messageId: number; text: string; view: View }[] = [];
  failing = false;
  private next = 1;
  send(target: AlertTarget, view: View, silent: boolean): Promise<number> {
    if (this.failing) return Promise.reject(new Error('telegram down'));
    const id = this.next++;
    this.sent.push({ target, id, text: visibleText(view.html.value), view, silent });
    return Promise.resolve(id);
  }
  edit(chatId: number, messageId: number, view: View): Promise<void> {
    this.edits.push({ chatId, messageId, text: visibleText(view.html.value), view });
    return Promise.resolve();
  }
}

const severity = Object.fromEntries(ALERT_KINDS.map((k) => [k, 'warning'])) as Record<
  AlertKind,
  Severity
>;
severity.container_died = 'critical';
severity.container_created = 'info';

function policy(over: Partial<AlertPolicy> = {}): AlertPolicy {
  return {
    severity,
    maxNotifications: 10,
    budgetWindowMs: 300_000,
    settleMs: 300,
    groupWindowMs: 5000,
    quietHours: undefined,
    targets: [{ chatId: 500 }],
    ...over,
  };
}

const died = (target: string, host = 'unix:///a.sock'): AlertInput => ({
  target,
  host,
  facts: {
    kind: 'container_died',
    image: 'local/busybox:test',
    exitCode: 137,
    signal: 'SIGKILL',
    ranMs: 65_000,
    restartCount: 0,
    logLines: ['hello', 'password=[REDACTED]'],
  },
});
const created = (target: string): AlertInput => ({
  target,
  host: 'h',
  facts: { kind: 'container_created', image: 'x' },
  oneShot: true,
});
const unhealthy = (target: string): AlertInput => ({
  target,
  host: 'h',
  facts: { kind: 'container_unhealthy', lastOutput: 'check failed' },
});

function setup(
  over: Partial<AlertPolicy> = {},
  store = new MemoryStore(),
  clock = new ManualClock(),
) {
  const messenger = new FakeMessenger();
  const engine = new AlertEngine({
    policy: policy(over),
    clock,
    store,
    messenger,
    log: silentLogger,
  });
  engine.start();
  return { engine, messenger, clock, store };
}

const buttons = (v: View): ActionButton[] =>
  v.keyboard?.kind === 'inline'
    ? v.keyboard.rows.flat().filter((b): b is ActionButton => 'action' in b)
    : [];

describe('AlertEngine lifecycle', () => {
  it('sends one alert with Ack, Snooze and Mute buttons once the settle delay has passed', async () => {
    const { engine, messenger, clock } = setup();
    engine.fire(died('web'));
    await clock.advanceAsync(200);
    expect(messenger.sent).toHaveLength(0);
    await clock.advanceAsync(200);
    expect(messenger.sent).toHaveLength(1);
    const m = messenger.sent[0];
    expect(m?.text).toContain('web died, exit 137 (SIGKILL)');
    expect(m?.text).toContain('unix:///a.sock');
    expect(m?.text).toContain('Ran for: 1 min');
    expect(m?.text).toContain('password=[REDACTED]');
    expect(m?.silent).toBe(false);
    expect(buttons(m?.view ?? { html: null as never }).map((b) => [b.action, b.args?.[1]])).toEqual(
      [
        [ALERT_ACK.name, undefined],
        [ALERT_SNOOZE.name, '1'],
        [ALERT_SNOOZE.name, '4'],
        [ALERT_SNOOZE.name, '24'],
        [ALERT_MUTE.name, undefined],
      ],
    );
  });

  it('keeps one alert per identity: firing again while open sends nothing', async () => {
    const { engine, messenger, clock } = setup();
    engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    engine.fire(unhealthy('db'));
    await clock.advanceAsync(60_000);
    expect(messenger.sent).toHaveLength(1);
    expect(engine.active()).toHaveLength(1);
  });

  it('edits the original message on resolution and sends a short note when nobody acked', async () => {
    const { engine, messenger, clock } = setup();
    engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    await clock.advanceAsync(12 * 60_000);
    expect(engine.resolve('container_unhealthy', 'h', 'db')).toBe(true);
    await clock.advanceAsync(10_000);
    expect(messenger.edits).toHaveLength(1);
    expect(messenger.edits[0]?.messageId).toBe(messenger.sent[0]?.id);
    expect(messenger.edits[0]?.text).toContain('✅ resolved after 12 min');
    expect(messenger.edits[0]?.view.keyboard).toBeUndefined();
    expect(messenger.sent).toHaveLength(2);
    expect(messenger.sent[1]?.text).toMatch(/Resolved after 12 min: .*db is unhealthy/);
  });

  it('after Ack the resolution only edits the message', async () => {
    const { engine, messenger, clock } = setup();
    const r = engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    expect(engine.ack(`a:${r.id}`, 7)).toEqual({ ok: true, count: 1 });
    await clock.advanceAsync(1000);
    expect(messenger.edits.at(-1)?.text).toContain('acknowledged by 7');
    expect(
      buttons(messenger.edits.at(-1)?.view ?? { html: null as never }).map((b) => b.action),
    ).not.toContain(ALERT_ACK.name);
    engine.resolve('container_unhealthy', 'h', 'db');
    await clock.advanceAsync(10_000);
    expect(messenger.sent).toHaveLength(1);
    expect(messenger.edits.at(-1)?.text).toContain('resolved after');
  });

  it('refuses unknown and closed references', async () => {
    const { engine, clock } = setup();
    const r = engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    expect(engine.ack('a:forged', 1)).toEqual({ ok: false, reason: 'unknown' });
    expect(engine.snooze('x:whatever', 1, 1)).toEqual({ ok: false, reason: 'unknown' });
    engine.resolve('container_unhealthy', 'h', 'db');
    expect(engine.ack(`a:${r.id}`, 1)).toEqual({ ok: false, reason: 'closed' });
  });

  it('a snoozed alert notifies again when the snooze ends if still firing', async () => {
    const { engine, messenger, clock } = setup();
    const r = engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    engine.snooze(`a:${r.id}`, 1, 7);
    await clock.advanceAsync(1000);
    expect(messenger.edits.at(-1)?.text).toContain('snoozed until');
    await clock.advanceAsync(3600_000);
    expect(messenger.sent).toHaveLength(2);
    expect(messenger.sent[1]?.text).toContain('db is unhealthy');
    expect(engine.find('container_unhealthy', 'h', 'db')?.state).toBe('firing');
  });

  it('mute makes a rule: the same kind for the same target is recorded silently until unmuted', async () => {
    const { engine, messenger, clock } = setup();
    const r = engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    expect(engine.mute(`a:${r.id}`, 7).ok).toBe(true);
    expect(engine.mutes()).toEqual([
      expect.objectContaining({ kind: 'container_unhealthy', target: 'db', host: 'h', by: 7 }),
    ]);
    engine.resolve('container_unhealthy', 'h', 'db');
    engine.fire(unhealthy('db'));
    engine.fire(unhealthy('other'));
    await clock.advanceAsync(10_000);
    expect(messenger.sent.map((m) => m.text).join('\n')).not.toMatch(
      /Resolved|db is unhealthy[\s\S]*db is unhealthy/,
    );
    expect(messenger.sent.at(-1)?.text).toContain('other is unhealthy');
    expect(engine.find('container_unhealthy', 'h', 'db')?.state).toBe('muted');
    expect(engine.unmute(engine.mutes()[0]?.id ?? '')).toBe(true);
    expect(engine.unmute('nope')).toBe(false);
  });
});

describe('AlertEngine persistence', () => {
  it('after a restart nothing fires twice and a later resolution still edits and notifies', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const first = setup({}, store, clock);
    first.engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    await first.engine.stop();
    expect(store.files.get(ALERTS_STATE_FILE)).toContain('db');

    const second = setup({}, store, clock);
    second.engine.fire(unhealthy('db'));
    await clock.advanceAsync(60_000);
    expect(second.messenger.sent).toHaveLength(0);
    second.engine.resolve('container_unhealthy', 'h', 'db');
    await clock.advanceAsync(10_000);
    expect(second.messenger.edits[0]?.messageId).toBe(first.messenger.sent[0]?.id);
    expect(second.messenger.sent[0]?.text).toContain('Resolved after 1 min');
  });

  it('resolved alerts pruned after 48 h are still counted for 8 days, across a restart', async () => {
    const DAY = 86_400_000;
    const store = new MemoryStore();
    const clock = new ManualClock();
    const first = setup({}, store, clock);
    const r = first.engine.fire(unhealthy('db'));
    await clock.advanceAsync(1000);
    first.engine.resolve('container_unhealthy', 'h', 'db');
    await clock.advanceAsync(10_000);
    const times = [r.firedAt, r.resolvedAt];
    expect(first.engine.pastAlerts()).toEqual([]);
    // Three days on, the next flush prunes it from the records; its times stay.
    clock.advance(3 * DAY);
    first.engine.fire(unhealthy('cache'));
    await clock.advanceAsync(1000);
    expect(first.engine.records().map((a) => a.target)).toEqual(['cache']);
    expect(first.engine.pastAlerts()).toEqual([times]);
    await first.engine.stop();

    const second = setup({}, store, clock);
    expect(second.engine.pastAlerts()).toEqual([times]);
    // Past 8 days they go.
    clock.advance(5 * DAY + 1);
    second.engine.fire(unhealthy('web'));
    await clock.advanceAsync(1000);
    expect(second.engine.pastAlerts()).toEqual([]);
  });

  it('ack and mutes survive a restart', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const first = setup({}, store, clock);
    const r = first.engine.fire(unhealthy('db'));
    const s = first.engine.fire(died('web'));
    await clock.advanceAsync(10_000);
    first.engine.ack(`a:${r.id}`, 1);
    first.engine.mute(`a:${s.id}`, 1);
    await first.engine.stop();
    const second = setup({}, store, clock);
    expect(second.engine.find('container_unhealthy', 'h', 'db')?.state).toBe('acked');
    expect(second.engine.mutes()).toHaveLength(1);
  });

  it('drops damaged entries of the state file but keeps the rest', () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const good = setup({}, store, clock);
    good.engine.fire(unhealthy('db'));
    const doc = JSON.parse(store.files.get(ALERTS_STATE_FILE) ?? '{}') as { alerts: unknown[] };
    doc.alerts.push({ id: 5, junk: true }, null, 'x');
    store.files.set(ALERTS_STATE_FILE, JSON.stringify(doc));
    const again = setup({}, store, clock);
    expect(again.engine.active()).toHaveLength(1);
  });

  it('a queued alert that no chat accepted is kept and sent later', async () => {
    const { engine, messenger, clock } = setup();
    messenger.failing = true;
    engine.fire(died('web'));
    await clock.advanceAsync(1000);
    expect(messenger.sent).toHaveLength(0);
    messenger.failing = false;
    await clock.advanceAsync(31_000);
    expect(messenger.sent).toHaveLength(1);
  });
});

describe('AlertEngine noise control', () => {
  it('groups events that arrive together: 30 stops give one message listing all 30', async () => {
    const { engine, messenger, clock } = setup();
    for (let i = 0; i < 30; i++) engine.fire(died(`c${i}`));
    await clock.advanceAsync(10_000);
    expect(messenger.sent).toHaveLength(1);
    for (let i = 0; i < 30; i++) expect(messenger.sent[0]?.text).toContain(`c${i} died`);
    expect(
      buttons(messenger.sent[0]?.view ?? { html: null as never }).map((b) => b.action),
    ).toEqual([ALERT_ACK.name, ALERT_SNOOZE.name, ALERT_SNOOZE.name, ALERT_SNOOZE.name]);
  });

  it('a stack restarting over 3 s: the first alert at once, the rest as one group', async () => {
    const { engine, messenger, clock } = setup();
    for (let i = 0; i < 8; i++) {
      engine.fire(died(`s${i}`));
      await clock.advanceAsync(400);
    }
    await clock.advanceAsync(10_000);
    expect(messenger.sent).toHaveLength(2);
    expect(messenger.sent[1]?.text).toContain('7 alerts');
  });

  it('Ack on a grouped message acknowledges every alert in it', async () => {
    const { engine, messenger, clock } = setup();
    engine.fire(died('a'));
    engine.fire(died('b'));
    await clock.advanceAsync(1000);
    const ack = buttons(messenger.sent[0]?.view ?? { html: null as never })[0];
    expect(engine.ack(ack?.args?.[0] ?? '', 3)).toEqual({ ok: true, count: 2 });
  });

  it('over the budget the rest is folded into one digest, nothing dropped', async () => {
    const { engine, messenger, clock } = setup({ maxNotifications: 2, budgetWindowMs: 60_000 });
    for (let i = 0; i < 6; i++) {
      engine.fire(unhealthy(`u${i}`));
      await clock.advanceAsync(6000);
    }
    expect(messenger.sent).toHaveLength(2);
    expect(engine.heldCount()).toBe(4);
    await clock.advanceAsync(60_000);
    expect(messenger.sent).toHaveLength(3);
    const digest = messenger.sent[2]?.text ?? '';
    expect(digest).toContain('Digest: 4 notifications');
    for (let i = 2; i < 6; i++) expect(digest).toContain(`u${i} is unhealthy`);
  });

  it('lists the most severe first, so a cut-off digest hides news of created containers, not deaths', async () => {
    const { engine, messenger, clock } = setup({ maxNotifications: 1, budgetWindowMs: 60_000 });
    engine.fire(unhealthy('first'));
    await clock.advanceAsync(6000);
    // 60 created containers (info), then 5 deaths (critical): more than one message lists.
    for (let i = 0; i < 60; i++) engine.fire(created(`new${i}`));
    for (let i = 0; i < 5; i++) engine.fire(died(`dead${i}`));
    await clock.advanceAsync(6000);
    expect(messenger.sent).toHaveLength(1);
    await clock.advanceAsync(60_000);
    const digest = messenger.sent[1]?.text ?? '';
    expect(digest).toContain('Digest: 65 notifications');
    for (let i = 0; i < 5; i++) expect(digest).toContain(`dead${i} died`);
    expect(digest).toContain('…and 25 more');
    expect(digest.indexOf('dead0 died')).toBeLessThan(digest.indexOf('new0'));
  });

  it('a container that died and was removed before any message left is still reported', async () => {
    const { engine, messenger, clock } = setup();
    engine.fire(died('gone'));
    engine.fire(died('gone2'));
    engine.resolve('container_died', 'unix:///a.sock', 'gone', true);
    engine.resolve('container_died', 'unix:///a.sock', 'gone2', true);
    await clock.advanceAsync(6000);
    expect(messenger.sent).toHaveLength(1);
    const text = messenger.sent[0]?.text ?? '';
    expect(text).toContain('gone died, exit 137 (SIGKILL)');
    expect(text).toContain('gone2 died');
    expect(text).toContain('resolved after');
  });

  it('a flap resolved by its own recovery before any message left stays quiet', async () => {
    const { engine, messenger, clock } = setup();
    engine.fire(unhealthy('flappy'));
    engine.resolve('container_unhealthy', 'h', 'flappy');
    await clock.advanceAsync(6000);
    expect(messenger.sent).toHaveLength(0);
  });

  it('a group longer than one message starts with the most severe alerts', async () => {
    const { engine, messenger, clock } = setup();
    for (let i = 0; i < 45; i++) engine.fire(created(`new${i}`));
    engine.fire(died('dead'));
    await clock.advanceAsync(6000);
    expect(messenger.sent).toHaveLength(2);
    expect(messenger.sent[0]?.text).toContain('dead died');
    expect(messenger.sent[0]?.silent).toBe(false);
  });

  it('maintenance records alerts without sending and summarises when it ends', async () => {
    const { engine, messenger, clock } = setup();
    engine.maintenanceOn(30 * 60_000, 'cli');
    engine.fire(died('web'));
    engine.fire(unhealthy('db'));
    await clock.advanceAsync(60_000);
    engine.resolve('container_unhealthy', 'h', 'db');
    await clock.advanceAsync(60_000);
    expect(messenger.sent).toHaveLength(0);
    await clock.advanceAsync(30 * 60_000);
    expect(engine.maintenance()).toBeUndefined();
    expect(messenger.sent).toHaveLength(1);
    expect(messenger.sent[0]?.text).toContain('Maintenance ended');
    expect(messenger.sent[0]?.text).toContain('web died');
    expect(messenger.sent[0]?.text).toContain('db is unhealthy · h — resolved after 1 min');
  });

  it('maintenance off ends it at once with the summary', async () => {
    const { engine, messenger, clock } = setup();
    engine.maintenanceOn(3600_000, 'user 1');
    expect(engine.maintenanceOff()).toBe(true);
    expect(engine.maintenanceOff()).toBe(false);
    await clock.advanceAsync(1000);
    expect(messenger.sent[0]?.text).toContain('0 alerts recorded');
  });

  it('quiet hours silence below-critical alerts; info is always silent', async () => {
    const clock = new ManualClock(new Date(2026, 0, 1, 23, 0).getTime());
    const { engine, messenger } = setup(
      { quietHours: { startMinute: 22 * 60, endMinute: 7 * 60 } },
      new MemoryStore(),
      clock,
    );
    engine.fire(unhealthy('db'));
    await clock.advanceAsync(6000);
    engine.fire(died('web'));
    await clock.advanceAsync(6000);
    expect(messenger.sent.map((m) => m.silent)).toEqual([true, false]);
    clock.advance(10 * 3600_000);
    engine.fire({
      target: 'new',
      host: 'h',
      facts: { kind: 'container_created', image: 'x' },
      oneShot: true,
    });
    engine.fire({
      target: 'new',
      host: 'h',
      facts: { kind: 'container_created', image: 'x' },
      oneShot: true,
    });
    await clock.advanceAsync(6000);
    expect(messenger.sent.slice(2).map((m) => m.silent)).toEqual([true]);
    expect(messenger.sent[2]?.view.keyboard).toBeUndefined();
  });

  it('routes to every target, with the forum topic of the alert chat', async () => {
    const { engine, messenger, clock } = setup({
      targets: [{ chatId: 1 }, { chatId: 2 }, { chatId: -100, threadId: 9 }],
    });
    engine.fire(died('web'));
    await clock.advanceAsync(1000);
    expect(messenger.sent.map((m) => m.target)).toEqual([
      { chatId: 1 },
      { chatId: 2 },
      { chatId: -100, threadId: 9 },
    ]);
    engine.resolve('container_died', 'unix:///a.sock', 'web');
    await clock.advanceAsync(10_000);
    expect(messenger.edits.map((e) => e.chatId)).toEqual([1, 2, -100]);
  });
});

describe('AlertEngine at stop', () => {
  it('sends what the budget held back as one digest instead of keeping it for a window it will not see', async () => {
    const { engine, messenger, clock, store } = setup({
      maxNotifications: 2,
      budgetWindowMs: 60_000,
    });
    for (let i = 0; i < 5; i++) {
      engine.fire(unhealthy(`u${i}`));
      await clock.advanceAsync(6000);
    }
    expect(messenger.sent).toHaveLength(2);
    expect(engine.heldCount()).toBe(3);
    // And one more, still inside its settle time when the stop comes.
    engine.fire(unhealthy('late'));
    await engine.stop();
    expect(messenger.sent).toHaveLength(3);
    const digest = messenger.sent[2]?.text ?? '';
    expect(digest).toContain('Digest: 4 notifications');
    for (const name of ['u2', 'u3', 'u4', 'late']) expect(digest).toContain(`${name} is unhealthy`);
    expect(engine.heldCount()).toBe(0);
    const saved = store.read(
      ALERTS_STATE_FILE,
      (v): v is { digest: unknown[]; outbox: unknown[] } => typeof v === 'object',
    );
    expect(saved?.digest).toEqual([]);
    expect(saved?.outbox).toEqual([]);
  });

  it('keeps in the state file what cannot be sent at stop, for the next start', async () => {
    const { engine, messenger, clock, store } = setup({
      maxNotifications: 1,
      budgetWindowMs: 60_000,
    });
    engine.fire(unhealthy('a'));
    await clock.advanceAsync(6000);
    engine.fire(unhealthy('b'));
    await clock.advanceAsync(6000);
    expect(engine.heldCount()).toBe(1);
    messenger.failing = true;
    await engine.stop();
    const saved = store.read(
      ALERTS_STATE_FILE,
      (v): v is { outbox: { alertId: string }[] } => typeof v === 'object',
    );
    expect(saved?.outbox).toHaveLength(1);
  });
});
