import { AlertEngine } from '../../../src/alerts/engine';
import { MaintenanceControl } from '../../../src/alerts/maintenance-control';
import { ALERT_KINDS, type AlertKind, type Severity } from '../../../src/alerts/types';
import { parseArgs } from '../../../src/cli/args';
import { parseMaintenanceArgs, runMaintenance } from '../../../src/cli/maintenance';
import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { MemoryStore } from '../../support/memory-store';

function daemon(store: MemoryStore, clock: ManualClock) {
  const engine = new AlertEngine({
    policy: {
      severity: Object.fromEntries(ALERT_KINDS.map((k) => [k, 'warning'])) as Record<
        AlertKind,
        Severity
      >,
      maxNotifications: 5,
      budgetWindowMs: 60_000,
      settleMs: 0,
      groupWindowMs: 0,
      quietHours: undefined,
      targets: [],
    },
    clock,
    store,
    messenger: { send: () => Promise.resolve(1), edit: () => Promise.resolve() },
    log: silentLogger,
  });
  const control = new MaintenanceControl({ store, engine, clock, log: silentLogger });
  control.start();
  return { engine, control };
}

describe('tmbot maintenance', () => {
  it('parses on DURATION | off | status, with flags after it', () => {
    expect(parseArgs(['maintenance', 'on', '30m', '--config', '/x.yaml'])).toMatchObject({
      command: { kind: 'maintenance', request: { op: 'on', durationMs: 1_800_000 } },
      config: '/x.yaml',
    });
    expect(parseMaintenanceArgs(['off'])).toEqual({ op: 'off' });
    expect(parseMaintenanceArgs(['status'])).toEqual({ op: 'status' });
    for (const bad of [[], ['on'], ['on', 'soon'], ['on', '8d'], ['off', 'now'], ['pause']])
      expect(() => parseMaintenanceArgs(bad)).toThrow(/usage: tmbot maintenance/);
  });

  it('switches the running daemon through the state dir and reports its answer', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const { engine } = daemon(store, clock);
    const out: string[] = [];
    const done = runMaintenance(store, { op: 'on', durationMs: 1_800_000 }, clock, (l) =>
      out.push(l),
    );
    await clock.advanceAsync(3000);
    expect(await done).toBe(0);
    expect(engine.maintenance()?.until).toBe(Date.UTC(2026, 0, 1) + 1_800_000 + 1000);
    expect(out[0]).toMatch(/^maintenance: on until 2026-01-01T00:30:01/);
    await runMaintenance(store, { op: 'status' }, clock, (l) => out.push(l));
    expect(out[1]).toMatch(/maintenance: on until .*command line/);
    const off = runMaintenance(store, { op: 'off' }, clock, (l) => out.push(l));
    await clock.advanceAsync(3000);
    expect(await off).toBe(0);
    expect(engine.maintenance()).toBeUndefined();
  });

  it('says so when no daemon answers, and a restarted daemon ignores an old request', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const out: string[] = [];
    const alone = runMaintenance(store, { op: 'on', durationMs: 60_000 }, clock, (l) =>
      out.push(l),
    );
    await clock.advanceAsync(11_000);
    expect(await alone).toBe(1);
    expect(out[0]).toMatch(/no answer from the daemon/);
    await clock.advanceAsync(120_000);
    const { engine } = daemon(store, clock);
    await clock.advanceAsync(3000);
    expect(engine.maintenance()).toBeUndefined();
  });
});
