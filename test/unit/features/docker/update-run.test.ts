import type { ContainerDetails } from '../../../../src/adapters/docker/port';
import { ExpectedChanges } from '../../../../src/alerts/expected';
import { ManualClock } from '../../../../src/clock';
import {
  keptName,
  UpdateRunner,
  type UpdateOutcome,
} from '../../../../src/features/docker/update-run';
import { UpdateState, UPDATES_FILE } from '../../../../src/features/docker/update-state';
import { MemoryStore } from '../../../support/memory-store';
import { silentLogger } from '../../../support/silent-logger';
import { details } from '../../views/docker-fixtures';

import { FakeEngine, HOST, NEW_IMAGE, OLD_IMAGE, REF } from './update-fakes';

function setup(state: ContainerDetails['state'] = 'running') {
  const clock = new ManualClock();
  const engine = new FakeEngine();
  const store = new MemoryStore();
  const updates = new UpdateState(store, clock);
  const expected = new ExpectedChanges(clock);
  const old = details('web', { imageId: OLD_IMAGE, image: REF, state, health: 'none' });
  engine.add(old);
  const runner = new UpdateRunner({
    docker: engine,
    ops: engine,
    state: updates,
    clock,
    log: silentLogger,
    expected,
    startTimeoutMs: 10_000,
    minUpMs: 2000,
  });
  return { clock, engine, store, updates, expected, old, runner };
}

/** Runs the replacement, moving the manual clock until it settles. */
async function run(
  s: ReturnType<typeof setup>,
  pull = true,
): Promise<{ outcome: UpdateOutcome; steps: string[] }> {
  const steps: string[] = [];
  let outcome: UpdateOutcome | undefined;
  void s.runner
    .replace({ host: 0, container: s.old, ref: REF, pull }, (p) => {
      if (steps[steps.length - 1] !== p.step) steps.push(p.step);
    })
    .then((o) => (outcome = o));
  for (let i = 0; i < 200 && outcome === undefined; i++) await s.clock.advanceAsync(250);
  if (outcome === undefined) throw new Error('the replacement never finished');
  return { outcome, steps };
}

describe('UpdateRunner: replace a container, roll back on failure', () => {
  it('success: stop, keep renamed, create, start, stay up, remove the old one', async () => {
    const s = setup();
    const { outcome, steps } = await run(s);
    expect(outcome).toMatchObject({ ok: true, oldImageId: OLD_IMAGE, newImageId: NEW_IMAGE });
    expect(steps).toEqual(['pull', 'stop', 'create', 'start', 'verify', 'cleanup']);
    expect(s.engine.calls).toEqual([
      `pull ${REF}`,
      'stop web',
      `rename web → ${keptName('web')}`,
      'create web',
      'start web',
      `remove ${keptName('web')}`,
    ]);
    const now = s.engine.byName('web');
    expect(now?.imageId).toBe(NEW_IMAGE);
    expect(now?.state).toBe('running');
    expect(s.engine.containers.size).toBe(1);
    expect(s.updates.journals()).toEqual([]);
  });

  it('alerts are told: the names and the image stay quiet during the update and a grace period after', async () => {
    const s = setup();
    await run(s);
    for (const t of ['web', keptName('web'), REF])
      expect(s.expected.isExpected(HOST, t)).toBe(true);
    expect(s.expected.isExpected(HOST, 'other')).toBe(false);
    await s.clock.advanceAsync(31_000);
    expect(s.expected.isExpected(HOST, 'web')).toBe(false);
  });

  it('a new image that exits: the new container goes, the old one is renamed back and started', async () => {
    const s = setup();
    s.engine.behaviour.set(NEW_IMAGE, 'exits');
    const { outcome } = await run(s);
    expect(outcome).toMatchObject({
      ok: false,
      failedAt: 'verify',
      why: { kind: 'exited', exitCode: 3 },
      restored: true,
    });
    expect(s.engine.calls.slice(-3)).toEqual([
      'remove web',
      `rename ${keptName('web')} → web`,
      'start web',
    ]);
    expect([...s.engine.containers.keys()]).toEqual([s.old.id]);
    expect(s.engine.byName('web')?.state).toBe('running');
    expect(s.updates.journals()).toEqual([]);
  });

  it('a new container its restart policy already restarted counts as exited', async () => {
    const s = setup();
    s.engine.behaviour.set(NEW_IMAGE, 'restarted');
    expect((await run(s)).outcome).toMatchObject({
      ok: false,
      why: { kind: 'exited', exitCode: undefined },
      restored: true,
    });
  });

  it('unhealthy at once, or never healthy within the timeout: rolled back with the reason', async () => {
    const sick = setup();
    sick.engine.behaviour.set(NEW_IMAGE, 'unhealthy');
    expect((await run(sick)).outcome).toMatchObject({ ok: false, why: { kind: 'unhealthy' } });
    const slow = setup();
    slow.engine.behaviour.set(NEW_IMAGE, 'never-healthy');
    const { outcome } = await run(slow);
    expect(outcome).toMatchObject({
      ok: false,
      why: { kind: 'timeout', state: 'running', health: 'starting' },
      restored: true,
    });
    expect(slow.engine.byName('web')?.id).toBe(slow.old.id);
  });

  it('with a health check, healthy counts at once; without one the container must stay up minUpMs', async () => {
    const s = setup();
    s.engine.healthCheck = true;
    expect((await run(s)).outcome.ok).toBe(true);
  });

  it('an engine that misses a deadline while the new container starts is asked again, not rolled back', async () => {
    const s = setup();
    s.engine.slowInspects = 3;
    expect((await run(s)).outcome.ok).toBe(true);
    expect(s.engine.slowInspects).toBe(0);
  });

  it('a failed pull changes nothing', async () => {
    const s = setup();
    s.engine.pullFails = true;
    const { outcome } = await run(s);
    expect(outcome).toMatchObject({ ok: false, failedAt: 'pull', restored: true });
    expect(s.engine.calls).toEqual([`pull ${REF}`]);
  });

  it('the tag already names the running image: unchanged, nothing touched', async () => {
    const s = setup();
    s.engine.remoteImage = OLD_IMAGE;
    expect((await run(s)).outcome).toEqual({ ok: 'unchanged', imageId: OLD_IMAGE });
    expect(s.engine.calls).toEqual([`pull ${REF}`]);
  });

  it('a stopped container is re-created but not started', async () => {
    const s = setup('exited');
    const { outcome, steps } = await run(s);
    expect(outcome.ok).toBe(true);
    expect(steps).toEqual(['pull', 'stop', 'create', 'cleanup']);
    expect(s.engine.byName('web')?.state).toBe('created');
  });

  it('recover(): an update a crash interrupted is rolled back from its journal', async () => {
    const s = setup();
    await s.engine.act(0, s.old.id, 'stop');
    await s.engine.renameContainer(0, s.old.id, keptName('web'));
    const half = await s.engine.cloneContainer(0, s.old.id, { name: 'web', image: REF });
    await s.updates.setJournal({
      host: HOST,
      name: 'web',
      oldId: s.old.id,
      keptAs: keptName('web'),
      wasRunning: true,
      at: s.clock.now(),
    });
    // Written again by a new state object: what survives a restart is the file.
    const fresh = new UpdateState(s.store, s.clock);
    expect(fresh.journals()).toHaveLength(1);
    const runner = new UpdateRunner({
      docker: s.engine,
      ops: s.engine,
      state: fresh,
      clock: s.clock,
      log: silentLogger,
      expected: undefined,
      startTimeoutMs: 10_000,
      minUpMs: 2000,
    });
    expect(await runner.recover()).toBe(1);
    expect(s.engine.containers.has(half)).toBe(false);
    expect(s.engine.byName('web')?.id).toBe(s.old.id);
    expect(s.engine.byName('web')?.state).toBe('running');
    expect(JSON.parse(s.store.files.get(UPDATES_FILE) ?? '{}')).toMatchObject({ running: [] });
  });
});
