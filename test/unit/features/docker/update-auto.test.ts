import type { ContainerDetails } from '../../../../src/adapters/docker/port';
import { ALERTS_STATE_FILE, emptyDoc } from '../../../../src/alerts/state';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../src/clock';
import {
  AUTO_UPDATE_EVERY_MS,
  AutoUpdater,
  persistedMaintenance,
  type MaintenanceWindow,
} from '../../../../src/features/docker/update-auto';
import { keptName, UpdateRunner } from '../../../../src/features/docker/update-run';
import { UPDATES_FILE, UpdateState } from '../../../../src/features/docker/update-state';
import { JsonStateStore, type StateStore } from '../../../../src/state/json-store';
import type { AuditEntry } from '../../../../src/security/second-factor';
import type { View } from '../../../../src/views/view';
import { MemoryStore } from '../../../support/memory-store';
import { silentLogger } from '../../../support/silent-logger';
import { details } from '../../views/docker-fixtures';
import { FakeEngine, HOST, NEW_IMAGE, OLD_IMAGE, REF } from './update-fakes';

const labelled = (name: string, policy?: string): ContainerDetails => {
  const c = details(name, { imageId: OLD_IMAGE, image: REF, state: 'running', health: 'none' });
  const labels = policy === undefined ? [] : [{ key: 'tmbot.update', value: policy }];
  return { ...c, config: { ...c.config, labels } };
};

interface SetupOptions {
  maintenance?: boolean;
  /** A restart: the same engine, clock and state (dir) as an earlier setup. */
  over?: { engine: FakeEngine; clock: ManualClock; store: StateStore };
}

function setup(opts: SetupOptions = {}) {
  const clock = opts.over?.clock ?? new ManualClock();
  const engine = opts.over?.engine ?? new FakeEngine();
  const store = opts.over?.store ?? new MemoryStore();
  const state = new UpdateState(store, clock);
  if (opts.over === undefined)
    for (const c of [
      labelled('auto-app', 'auto'),
      labelled('notify-app', 'notify'),
      labelled('plain-app'),
      labelled('pinned-app', 'AUTO'),
    ])
      engine.add(c);
  const runner = new UpdateRunner({
    docker: engine,
    ops: engine,
    state,
    clock,
    log: silentLogger,
    expected: undefined,
    startTimeoutMs: 10_000,
    minUpMs: 2000,
  });
  void state.setPin({ host: HOST, name: 'pinned-app', digest: 'sha256:old', at: 0, by: 1 });
  let window: MaintenanceWindow | undefined =
    opts.maintenance === true
      ? { startedAt: STARTED_AT, until: STARTED_AT + 3_600_000 }
      : undefined;
  const audits: AuditEntry[] = [];
  const sent: View[] = [];
  const statusAsked: string[] = [];
  const busy = new Set<string>();
  const auto = new AutoUpdater({
    docker: engine,
    apply: { ops: engine, state, runner, clock, log: silentLogger, keepMs: 86_400_000 },
    statusOf: (_h, c) => {
      statusAsked.push(c.name);
      return Promise.resolve(
        c.imageId === engine.remoteImage
          ? { kind: 'up-to-date' }
          : { kind: 'update', localDigest: 'sha256:old', remoteDigest: 'sha256:new' },
      );
    },
    maintenance: () => (window !== undefined && window.until > clock.now() ? window : undefined),
    audit: { record: (e) => Promise.resolve(void audits.push(e)) },
    notify: (v) => Promise.resolve(void sent.push(v)),
    ctx: (host) => ({ host, hostLabel: undefined }),
    busy,
    clock,
    log: silentLogger,
  });
  const setWindow = (w: MaintenanceWindow | undefined): void => {
    window = w;
  };
  return { clock, engine, store, state, auto, audits, sent, statusAsked, setWindow, busy };
}

/**
 * Moves the manual clock while the updater waits on it (the runner polls on the clock) until
 * its look is over; while it waits on the state dir instead, real I/O is let run.
 */
async function settle(s: ReturnType<typeof setup>, tick: Promise<number>): Promise<number> {
  let done: number | undefined;
  void tick.then((n) => (done = n));
  const deadline = Date.now() + 20_000;
  for (let moved = 0; done === undefined && moved < 400 && Date.now() < deadline;) {
    if (s.clock.timerCount > 0) {
      await s.clock.advanceAsync(250);
      moved++;
    } else await new Promise((r) => setImmediate(r));
  }
  if (done === undefined) throw new Error('the unattended update never finished');
  return done;
}

/** When the maintenance window of the tests begins (the manual clock's start). */
const STARTED_AT = new ManualClock().now();

describe('AutoUpdater: tmbot.update=auto during maintenance', () => {
  it('without maintenance nothing is looked at, even on the timer', async () => {
    const s = setup();
    s.auto.start();
    await s.clock.advanceAsync(3 * AUTO_UPDATE_EVERY_MS);
    s.auto.stop();
    expect(await s.auto.tick()).toBe(0);
    expect(s.engine.calls).toEqual([]);
    expect(s.statusAsked).toEqual([]);
    expect(s.audits).toEqual([]);
    expect(s.sent).toEqual([]);
  });

  it('in maintenance: the auto container is updated once; notify, unlabelled and pinned ones are not', async () => {
    const s = setup({ maintenance: true });
    expect(await settle(s, s.auto.tick())).toBe(1);
    expect(s.engine.byName('auto-app')?.imageId).toBe(NEW_IMAGE);
    for (const name of ['notify-app', 'plain-app', 'pinned-app'])
      expect(s.engine.byName(name)?.imageId).toBe(OLD_IMAGE);
    expect(s.engine.calls.filter((c) => c.startsWith('create'))).toEqual(['create auto-app']);
    expect(s.audits).toEqual([
      expect.objectContaining({ userId: 0, action: 'container.update', outcome: 'ok' }),
    ]);
    expect(s.audits[0]?.target).toContain('auto-app');
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]?.html.value).toContain('Unattended update');
    expect(s.sent[0]?.html.value).toContain('Update of auto-app done');
    // Sent to the admin chats on behalf of no user: no (user-signed) buttons.
    expect(s.sent[0]?.keyboard).toBeUndefined();
    expect(s.state.rollback(HOST, 'auto-app')?.oldImageId).toBe(OLD_IMAGE);

    // A newer image again in the same window: the container is not touched twice.
    s.engine.remoteImage = `sha256:${'3'.repeat(64)}`;
    const calls = s.engine.calls.length;
    expect(await settle(s, s.auto.tick())).toBe(0);
    expect(s.engine.calls.length).toBe(calls);
    expect(s.sent).toHaveLength(1);

    // The next maintenance window may update it again.
    s.setWindow({ startedAt: s.clock.now(), until: s.clock.now() + 3_600_000 });
    expect(await settle(s, s.auto.tick())).toBe(1);
    expect(s.engine.byName('auto-app')?.imageId).toBe(s.engine.remoteImage);
  });

  it('a restart inside the window does not update again (state dir); the next window does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-auto-'));
    try {
      const clock = new ManualClock();
      const open = async (): Promise<StateStore> => {
        const store = new JsonStateStore(dir, silentLogger, clock);
        await store.open();
        return store;
      };
      const first = setup({
        maintenance: true,
        over: { engine: new FakeEngine(), clock, store: await open() },
      });
      first.engine.add(labelled('auto-app', 'auto'));
      expect(await settle(first, first.auto.tick())).toBe(1);
      expect(first.engine.byName('auto-app')?.imageId).toBe(NEW_IMAGE);
      await first.store.flush();
      expect(statSync(join(dir, UPDATES_FILE)).mode & 0o777).toBe(0o600);

      // Upstream moves again; the daemon restarts (new store, state and updater over the dir).
      first.engine.remoteImage = `sha256:${'3'.repeat(64)}`;
      clock.advance(10 * 60_000);
      const second = setup({
        maintenance: true,
        over: { engine: first.engine, clock, store: await open() },
      });
      const calls = first.engine.calls.length;
      expect(await settle(second, second.auto.tick())).toBe(0);
      expect(first.engine.calls.length).toBe(calls);
      expect(first.engine.byName('auto-app')?.imageId).toBe(NEW_IMAGE);
      expect(second.sent).toEqual([]);

      // The next window (after one more restart) updates it again.
      clock.advance(24 * 3_600_000);
      const third = setup({ over: { engine: first.engine, clock, store: await open() } });
      third.setWindow({ startedAt: clock.now(), until: clock.now() + 3_600_000 });
      expect(await settle(third, third.auto.tick())).toBe(1);
      expect(first.engine.byName('auto-app')?.imageId).toBe(first.engine.remoteImage);
      expect(third.sent).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a container an admin is updating right now (the Update button) is skipped', async () => {
    const s = setup({ maintenance: true });
    s.busy.add('0/auto-app');
    expect(await settle(s, s.auto.tick())).toBe(0);
    expect(s.engine.calls).toEqual([]);
    s.busy.clear();
    expect(await settle(s, s.auto.tick())).toBe(1);
  });

  it('the timer runs the look through the injected clock while maintenance is on', async () => {
    const s = setup({ maintenance: true });
    s.auto.start();
    for (let i = 0; i < 200 && s.sent.length === 0; i++) await s.clock.advanceAsync(5000);
    s.auto.stop();
    expect(s.engine.byName('auto-app')?.imageId).toBe(NEW_IMAGE);
    expect(s.sent).toHaveLength(1);
  });

  it('a failing new image is rolled back, audited as failed and reported', async () => {
    const s = setup({ maintenance: true });
    s.engine.behaviour.set(NEW_IMAGE, 'exits');
    expect(await settle(s, s.auto.tick())).toBe(1);
    const now = s.engine.byName('auto-app');
    expect(now?.imageId).toBe(OLD_IMAGE);
    expect(now?.state).toBe('running');
    expect(s.engine.byName(keptName('auto-app'))).toBeUndefined();
    expect(s.audits).toEqual([
      expect.objectContaining({ userId: 0, action: 'container.update', outcome: 'failed' }),
    ]);
    expect(s.audits[0]?.detail).toContain('exit code 3');
    expect(s.sent[0]?.html.value).toContain('Update of auto-app failed');
    expect(s.sent[0]?.html.value).toContain('Rolled back');
    expect(s.state.journals()).toEqual([]);
  });

  it('maintenance is read from the alert state the engine persists', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    expect(persistedMaintenance(store, clock)).toBeUndefined();
    const m = { startedAt: clock.now(), until: clock.now() + 60_000, by: 'x', alertIds: [] };
    await store.write(ALERTS_STATE_FILE, { ...emptyDoc(), maintenance: m });
    expect(persistedMaintenance(store, clock)).toMatchObject({ startedAt: m.startedAt });
    clock.advance(60_000);
    expect(persistedMaintenance(store, clock)).toBeUndefined();
  });
});
