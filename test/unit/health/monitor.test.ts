import { ManualClock } from '../../../src/clock';
import { HealthMonitor } from '../../../src/health/monitor';
import { healthTimings } from '../../../src/health/timings';
import type { CheckOutcome, HealthChecker, HealthLevel } from '../../../src/health/types';
import { overallLevel, worst } from '../../../src/health/types';
import { type Logger } from '../../../src/log/logger';
import { silentLogger } from '../../support/silent-logger';

/** A checker whose next outcome the test sets; counts its runs. */
function scripted(name: string, intervalMs: number, level: HealthLevel = 'healthy', label = name) {
  const state = { outcome: { level, summary: `${name} is ${level}` } as CheckOutcome, runs: 0 };
  const checker: HealthChecker = {
    name,
    label,
    intervalMs,
    check: () => {
      state.runs++;
      return Promise.resolve(state.outcome);
    },
  };
  return { checker, state };
}

describe('health levels', () => {
  it('takes the worst level, healthy when there is nothing', () => {
    expect(worst([])).toBe('healthy');
    expect(worst(['healthy', 'degraded'])).toBe('degraded');
    expect(worst(['critical', 'unhealthy', 'healthy'])).toBe('critical');
  });

  it("softens an unhealthy overall to degraded while ≥ 70 % of components are operational (pyTMBot's rule)", () => {
    const ok = (n: number): HealthLevel[] => Array<HealthLevel>(n).fill('healthy');
    // 7 of 10 operational: degraded; 6 of 10: unhealthy stays.
    expect(overallLevel([...ok(6), 'degraded', 'unhealthy', 'unhealthy', 'unhealthy'])).toBe(
      'degraded',
    );
    expect(overallLevel([...ok(6), 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy'])).toBe(
      'unhealthy',
    );
    expect(overallLevel([...ok(4), 'unhealthy'])).toBe('degraded');
    expect(overallLevel(['unhealthy'])).toBe('unhealthy');
    // Critical is never softened; the lowest rules otherwise.
    expect(overallLevel([...ok(9), 'critical'])).toBe('critical');
    expect(overallLevel([...ok(2), 'degraded'])).toBe('degraded');
    expect(overallLevel([])).toBe('healthy');
  });
});

describe('health timings', () => {
  it('scales every timing, within bounds', () => {
    expect(healthTimings().heartbeatMs).toBe(15_000);
    expect(healthTimings(0.05)).toMatchObject({
      heartbeatMs: 750,
      staleAfterMs: 3000,
      scale: 0.05,
    });
    expect(healthTimings(0).heartbeatMs).toBe(150);
    expect(healthTimings(5).heartbeatMs).toBe(15_000);
    expect(healthTimings(Number.NaN).scale).toBe(1);
  });
});

describe('HealthMonitor', () => {
  let clock: ManualClock;
  let monitor: HealthMonitor;
  let warnings: string[];

  beforeEach(() => {
    clock = new ManualClock();
    warnings = [];
    const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    monitor = new HealthMonitor({ clock, log });
  });

  it('refuses duplicate and malformed checker names', () => {
    monitor.register(scripted('telegram', 1000).checker);
    expect(() => monitor.register(scripted('telegram', 1000).checker)).toThrow(/twice/);
    expect(() => monitor.register(scripted('Bad Name', 1000).checker)).toThrow(/invalid/);
    expect(() => monitor.register(scripted('zero', 0).checker)).toThrow(/interval/);
    expect(monitor.names).toEqual(['telegram']);
  });

  it('runs each checker on its own interval', async () => {
    const fast = scripted('fast', 1000);
    const slow = scripted('slow', 5000);
    monitor.register(fast.checker);
    monitor.register(slow.checker);
    await monitor.runDue();
    expect([fast.state.runs, slow.state.runs]).toEqual([1, 1]);
    clock.advance(999);
    await monitor.runDue();
    expect([fast.state.runs, slow.state.runs]).toEqual([1, 1]);
    clock.advance(1);
    await monitor.runDue();
    expect([fast.state.runs, slow.state.runs]).toEqual([2, 1]);
    clock.advance(4000);
    await monitor.runDue();
    expect([fast.state.runs, slow.state.runs]).toEqual([3, 2]);
  });

  it('reports the worst component as overall, with reasons worst first', async () => {
    const a = scripted('a', 1000, 'healthy', 'Alpha');
    const b = scripted('b', 1000, 'degraded', 'Beta');
    const c = scripted('c', 1000, 'critical', 'Gamma');
    for (const s of [a, b, c]) monitor.register(s.checker);
    expect(monitor.snapshot()).toMatchObject({ overall: 'healthy', reasons: [], checkedAt: 0 });
    await monitor.runDue();
    const snap = monitor.snapshot();
    expect(snap.overall).toBe('critical');
    expect(snap.reasons).toEqual(['Gamma: c is critical', 'Beta: b is degraded']);
    expect(snap.components.map((x) => [x.name, x.level])).toEqual([
      ['a', 'healthy'],
      ['b', 'degraded'],
      ['c', 'critical'],
    ]);
    expect(snap.checkedAt).toBe(clock.now());
  });

  it('turns a throwing check into unhealthy without its message, and logs the error', async () => {
    monitor.register({
      name: 'boom',
      label: 'Boom',
      intervalMs: 1000,
      check: () =>
        Promise.reject(new Error('https://api.telegram.org/bot123456:SECRET/getMe failed')),
    });
    await monitor.runDue();
    const [c] = monitor.snapshot().components;
    expect(c).toMatchObject({
      level: 'unhealthy',
      summary: 'the check itself failed (details in the log)',
    });
    expect(JSON.stringify(monitor.snapshot())).not.toContain('SECRET');
    expect(warnings).toContain('health check boom failed');
  });

  it('bounds a hung check by its timeout and aborts it', async () => {
    let aborted = false;
    monitor.register({
      name: 'hang',
      label: 'Hang',
      intervalMs: 1000,
      timeoutMs: 20,
      check: (signal) =>
        new Promise<CheckOutcome>(() => {
          signal.addEventListener('abort', () => (aborted = true));
        }),
    });
    const round = monitor.runDue();
    await clock.advanceAsync(19);
    expect(aborted).toBe(false);
    await clock.advanceAsync(1);
    await round;
    expect(monitor.snapshot().components[0]).toMatchObject({
      level: 'unhealthy',
      summary: 'no answer within 20 ms',
    });
    expect(aborted).toBe(true);
  });

  it('refresh re-runs only results older than the limit', async () => {
    const x = scripted('x', 60_000);
    const y = scripted('y', 60_000);
    monitor.register(x.checker);
    await monitor.runDue();
    clock.advance(5_000);
    monitor.register(y.checker);
    await monitor.refresh(10_000, 1000);
    expect([x.state.runs, y.state.runs]).toEqual([1, 1]);
    clock.advance(6_000);
    await monitor.refresh(10_000, 1000);
    expect([x.state.runs, y.state.runs]).toEqual([2, 1]);
  });

  it('refresh returns after waitMs even when a check is still running', async () => {
    monitor.register({
      name: 'slow',
      label: 'Slow',
      intervalMs: 1000,
      timeoutMs: 200,
      check: () => new Promise<CheckOutcome>(() => undefined),
    });
    const refreshed = monitor.refresh(0, 10);
    await clock.advanceAsync(10);
    const snap = await refreshed;
    expect(snap.components[0]?.checkedAt).toBe(0);
    await clock.advanceAsync(200);
    expect(monitor.snapshot().components[0]).toMatchObject({ level: 'unhealthy' });
  });

  it('reports one unhealthy component among four operational ones as degraded overall', async () => {
    const parts = ['a', 'b', 'c', 'd'].map((n) => scripted(n, 1000));
    const bad = scripted('e', 1000, 'unhealthy', 'Echo');
    for (const s of [...parts, bad]) monitor.register(s.checker);
    await monitor.runDue();
    const snap = monitor.snapshot();
    expect(snap.overall).toBe('degraded');
    expect(snap.reasons).toEqual(['Echo: e is unhealthy']);
    parts[0]!.state.outcome = { level: 'unhealthy', summary: 'down' };
    clock.advance(1000);
    await monitor.runDue();
    expect(monitor.snapshot().overall).toBe('unhealthy');
  });

  it('logs level changes once, not every check', async () => {
    const s = scripted('s', 1000, 'healthy', 'Svc');
    monitor.register(s.checker);
    await monitor.runDue();
    expect(warnings).toEqual([]);
    s.state.outcome = { level: 'unhealthy', summary: 'down' };
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await monitor.runDue();
    }
    expect(warnings).toEqual(['health is now unhealthy: Svc: down']);
  });

  it('start() runs a first round, ready() waits for it, stop() closes checkers', async () => {
    let closed = false;
    const s = scripted('s', 60_000);
    monitor.register({ ...s.checker, close: () => (closed = true) });
    monitor.start();
    await monitor.ready();
    expect(s.state.runs).toBe(1);
    await clock.advanceAsync(60_000);
    expect(s.state.runs).toBe(2);
    monitor.stop();
    await clock.advanceAsync(60_000);
    expect(s.state.runs).toBe(2);
    expect(closed).toBe(true);
  });
});
