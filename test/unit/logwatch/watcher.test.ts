import type { DockerEvent } from '../../../src/adapters/docker/events-port';
import type { LogFollow } from '../../../src/adapters/docker/log-follow-port';
import type { ContainerAction, ContainerSummary } from '../../../src/adapters/docker/port';
import { compileNamePattern } from '../../../src/alerts/patterns';
import type { AlertInput, LogPatternFacts } from '../../../src/alerts/types';
import { ManualClock } from '../../../src/clock';
import type { AuditEntry } from '../../../src/security/second-factor';
import { sanitiseLog } from '../../../src/views/docker-logs';
import { LogWatch, type LogRule, type LogWatchDeps } from '../../../src/logwatch/watcher';
import { silentLogger } from '../../support/silent-logger';

const ID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

/** A Docker port whose followed logs the test writes to. */
class FakeDocker {
  readonly hosts = [{ index: 0, label: 'local' }];
  readonly follows = new Map<string, LogFollow>();
  readonly actions: [string, ContainerAction][] = [];
  containers: ContainerSummary[] = [];
  followLogs(_host: number, id: string, f: LogFollow): Promise<void> {
    this.follows.set(id, f);
    return new Promise((resolve) => f.signal.addEventListener('abort', () => resolve()));
  }
  listContainers(): Promise<ContainerSummary[]> {
    return Promise.resolve(this.containers);
  }
  act(_host: number, id: string, action: ContainerAction): Promise<void> {
    this.actions.push([id, action]);
    return Promise.resolve();
  }
  write(id: string, line: string): void {
    this.follows.get(id)?.onLine(line, 'stdout', false);
  }
}

class FakeEngine {
  readonly fired: AlertInput[] = [];
  readonly resolved: string[] = [];
  fire(input: AlertInput): never {
    this.fired.push(input);
    return undefined as never;
  }
  resolve(_kind: string, _host: string, target: string, quiet?: boolean): boolean {
    this.resolved.push(`${target}${quiet === true ? ' (quiet)' : ''}`);
    return true;
  }
}

const rule = (over: Partial<LogRule> = {}): LogRule => ({
  name: 'fatal',
  source: 'FATAL|panic',
  flags: '',
  containers: [compileNamePattern('web-*')],
  contextLines: 2,
  rateLimitMs: 600_000,
  action: 'none',
  maxRestartsPerHour: 1,
  ...over,
});

const summary = (
  id: string,
  name: string,
  labels: Record<string, string> = {},
): ContainerSummary => ({
  id,
  name,
  image: 'local/busybox:test',
  imageId: 'sha256:x',
  state: 'running',
  health: 'none',
  status: 'Up',
  createdAt: 0,
  labels,
});

function setup(rules: LogRule[]) {
  const clock = new ManualClock();
  const docker = new FakeDocker();
  const engine = new FakeEngine();
  const audit: AuditEntry[] = [];
  const expected: string[] = [];
  const watch = new LogWatch({
    docker: docker as unknown as LogWatchDeps['docker'],
    engine,
    clock,
    log: silentLogger,
    sanitise: (t) => sanitiseLog(t, (s) => s),
    audit: { record: (e) => Promise.resolve(void audit.push(e)) },
    expected: {
      expect: (host, targets) => void expected.push(`expect ${host}/${targets.join()}`),
      settle: (host, targets) => void expected.push(`settle ${host}/${targets.join()}`),
    },
    rules,
    maxLineBytes: 4096,
    matchTimeoutMs: 250,
    maxContainers: 10,
  });
  watch.start();
  /** Waits (real time, the matcher's worker) until `done()`, moving the clock a little. */
  const until = async (done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
      await clock.advanceAsync(10);
    }
  };
  return { clock, docker, engine, audit, expected, watch, until };
}

const facts = (i: AlertInput | undefined): LogPatternFacts => {
  if (i?.facts.kind !== 'log_pattern') throw new Error('not a log alert');
  return i.facts;
};

describe('log watch', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(() => stop?.());

  it('picks containers by name pattern or by the tmbot.logwatch label, never when labelled false', () => {
    const { watch } = setup([rule(), rule({ name: 'oom', containers: [] })]);
    stop = () => watch.stop();
    expect(watch.maskFor('web-1', {})).toBe(0b01);
    expect(watch.maskFor('db', {})).toBe(0);
    expect(watch.maskFor('db', { 'tmbot.logwatch': 'true' })).toBe(0b11);
    expect(watch.maskFor('db', { 'tmbot.logwatch': 'oom' })).toBe(0b10);
    expect(watch.maskFor('web-1', { 'tmbot.logwatch': 'false' })).toBe(0);
  });

  it('alerts once per rate window with the redacted line and its context, counting later matches', async () => {
    const { docker, engine, watch, until, clock } = setup([rule()]);
    stop = () => watch.stop();
    docker.containers = [summary(ID, 'web-1'), summary(OTHER, 'db')];
    await watch.sync(0);
    expect([...docker.follows.keys()]).toEqual([ID]);
    docker.write(ID, 'starting');
    docker.write(ID, 'connecting to postgres://app:hunter2@db/app');
    docker.write(ID, 'FATAL: login failed password=hunter2');
    await until(() => engine.fired.length === 1);
    const first = facts(engine.fired[0]);
    expect(engine.fired[0]).toMatchObject({ target: 'web-1/fatal', host: 'local' });
    expect(first).toMatchObject({ container: 'web-1', pattern: 'fatal', count: 1 });
    expect(first.lines).toHaveLength(3);
    expect(first.lines.join('\n')).not.toContain('hunter2');
    expect(first.lines[2]).toBe('FATAL: login failed password=[REDACTED]');

    for (let i = 0; i < 50; i++) docker.write(ID, `panic ${i}`);
    await until(() => facts(engine.fired.at(-1)).count === 51);
    // Every later fire is the same open alert (the engine updates it, nothing new is sent).
    expect(new Set(engine.fired.map((f) => f.target))).toEqual(new Set(['web-1/fatal']));
    expect(facts(engine.fired.at(-1)).lines).toEqual(first.lines);

    // A whole window without a match: it ends quietly; the next match is a new alert.
    await clock.advanceAsync(600_000 + 5000);
    expect(engine.resolved).toEqual(['web-1/fatal (quiet)']);
    docker.write(ID, 'FATAL again');
    await until(() => facts(engine.fired.at(-1)).count === 1);
  });

  it('follows a container again when it starts, reading from its start', async () => {
    const { docker, watch } = setup([rule()]);
    stop = () => watch.stop();
    const start: DockerEvent = {
      type: 'container',
      action: 'start',
      id: ID,
      attributes: { name: 'web-2', image: 'x' },
      time: 1_700_000_000_500,
      timeNano: '1700000000.500000000',
    };
    watch.event(0, start);
    const first = docker.follows.get(ID);
    expect(first?.since).toBe(1_700_000_000);
    // Restarted before the old stream noticed its end: the new start replaces it.
    watch.event(0, { ...start, time: 1_700_000_100_000 });
    expect(first?.signal.aborted).toBe(true);
    expect(docker.follows.get(ID)?.since).toBe(1_700_000_100);
    expect(watch.following).toBe(1);
    watch.event(0, { ...start, action: 'destroy' });
    expect(docker.follows.get(ID)?.signal.aborted).toBe(true);
    expect(watch.following).toBe(0);
  });

  it('restarts within the hourly budget, audits it and says so in the alert', async () => {
    const { docker, engine, watch, until, clock, audit, expected } = setup([
      rule({ action: 'restart', rateLimitMs: 60_000 }),
    ]);
    stop = () => watch.stop();
    docker.containers = [summary(ID, 'web-1')];
    await watch.sync(0);
    docker.write(ID, 'panic: nil map');
    await until(() => engine.fired.length === 1);
    expect(facts(engine.fired[0]).action).toBe('restarted');
    expect(docker.actions).toEqual([[ID, 'restart']]);
    // Announced, so the die / start of the restart is not alerted as a crash.
    expect(expected).toEqual(['expect local/web-1', 'settle local/web-1']);
    expect(audit).toEqual([
      {
        userId: 0,
        action: 'logwatch.restart',
        target: 'local/web-1',
        outcome: 'ok',
        detail: 'log pattern fatal',
      },
    ]);
    // The next window within the hour: alerted, but the budget (1 per hour) is spent.
    await clock.advanceAsync(61_000);
    docker.write(ID, 'panic: again');
    await until(() => engine.fired.length === 2);
    expect(facts(engine.fired[1]).action).toBe('budget-spent');
    expect(docker.actions).toHaveLength(1);
  });
});

describe('log watch under a hostile line', () => {
  it('cuts off a catastrophic pattern, says so once and stops trying it on that container', async () => {
    // `(a+)+$` is refused at load; a rule built directly shows the matcher's bound holds anyway.
    const { docker, engine, watch, until } = setup([
      rule({ name: 'evil', source: '(a+)+$' }),
      rule({ name: 'fatal' }),
    ]);
    try {
      docker.containers = [summary(ID, 'web-1')];
      await watch.sync(0);
      docker.write(ID, `${'a'.repeat(64)}!`);
      await until(() => engine.fired.length === 1);
      const cut = facts(engine.fired[0]);
      expect(cut).toMatchObject({ pattern: 'evil', cutOff: true });
      expect(watch.stats().timeouts).toBe(1);
      // The same hostile line again is not even tried (the pattern rests); others still match.
      docker.write(ID, `${'a'.repeat(64)}!`);
      docker.write(ID, 'FATAL after');
      await until(() => engine.fired.some((f) => facts(f).pattern === 'fatal'));
      expect(watch.stats().timeouts).toBe(1);
    } finally {
      await watch.stop();
    }
  });
});
