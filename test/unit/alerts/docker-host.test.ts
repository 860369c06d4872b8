import type { DockerEvent } from '../../../src/adapters/docker/events-port';
import type {
  ContainerDetails,
  ContainerSummary,
  DockerPort,
  LogText,
} from '../../../src/adapters/docker/port';
import { HostWatch, type DockerAlertOptions } from '../../../src/alerts/docker-host';
import { ExpectedChanges } from '../../../src/alerts/expected';
import { compileNamePattern } from '../../../src/alerts/patterns';
import type { AlertInput, AlertKind } from '../../../src/alerts/types';
import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { sanitiseLog } from '../../../src/views/docker-logs';
import { details, summary } from '../views/docker-fixtures';

const HOST = 'unix:///run/a.sock';

/** An engine in memory: what the watcher lists, inspects and reads logs of. */
class FakeDocker implements DockerPort {
  readonly hosts = [{ index: 0, label: HOST }];
  containers: ContainerDetails[] = [];
  logText = 'starting\nDB_PASSWORD=hunter22\nfatal: out of cheese\n';
  ping = () => Promise.reject(new Error('unused'));
  summary = () => Promise.reject(new Error('unused'));
  listContainers(): Promise<ContainerSummary[]> {
    return Promise.resolve(
      this.containers.map((c) =>
        summary(c.name, {
          id: c.id,
          state: c.state,
          health: c.health,
          labels: Object.fromEntries(c.config.labels.map((l) => [l.key, l.value])),
        }),
      ),
    );
  }
  inspectContainer(_h: number, id: string): Promise<ContainerDetails | undefined> {
    return Promise.resolve(this.containers.find((c) => c.id === id));
  }
  containerStats = () => Promise.reject(new Error('unused'));
  logs(): Promise<LogText> {
    return Promise.resolve({ text: this.logText, clipped: false });
  }
  act = () => Promise.reject(new Error('unused'));
  listImages = () => Promise.resolve([]);
  inspectImage = () => Promise.resolve(undefined);
  imageHistory = () => Promise.reject(new Error('unused'));
  assertReachable = () => Promise.resolve();
}

/** Records what the watcher raises and resolves, with the engine's identity rule. */
class FakeEngine {
  readonly fired: AlertInput[] = [];
  readonly resolved: { kind: AlertKind; target: string; quiet: boolean }[] = [];
  private readonly open = new Map<string, AlertInput>();
  fire(input: AlertInput): never {
    const key = `${input.facts.kind}/${input.target}`;
    // As the real engine: an open alert of the same identity is updated, not raised again.
    if (this.open.has(key)) return undefined as never;
    this.fired.push(input);
    if (input.oneShot !== true) this.open.set(key, input);
    return undefined as never;
  }
  resolve(kind: AlertKind, _host: string, target: string, quiet = false): boolean {
    const had = this.open.delete(`${kind}/${target}`);
    if (had) this.resolved.push({ kind, target, quiet });
    return had;
  }
  find(kind: AlertKind, _host: string, target: string): never {
    return this.open.get(`${kind}/${target}`) as never;
  }
  active(): never {
    return [...this.open.values()].map((i) => ({
      facts: i.facts,
      host: i.host,
      target: i.target,
    })) as never;
  }
}

const options: DockerAlertOptions = {
  events: true,
  logLines: 10,
  restartLoop: { restarts: 3, minutes: 5 },
  stableMs: 30_000,
  include: [],
  exclude: [compileNamePattern('ci-*')],
  retryIntervalMs: 1000,
  retryAttempts: 3,
  pollIntervalMs: 5000,
};

function setup(opts: DockerAlertOptions = options) {
  const docker = new FakeDocker();
  const engine = new FakeEngine();
  const clock = new ManualClock();
  const expected = new ExpectedChanges(clock);
  const watch = new HostWatch(0, HOST, {
    expected,
    docker,
    engine,
    clock,
    log: silentLogger,
    sanitise: (t) => sanitiseLog(t, (s) => s),
    options: opts,
    changed: () => undefined,
  });
  return { docker, engine, clock, watch, expected };
}

let nano = 1_767_225_600_000_000_000n;
function ev(action: string, id: string, attributes: Record<string, string>): DockerEvent {
  nano += 1_000_000n;
  return {
    type: 'container',
    action,
    id,
    attributes,
    time: Number(nano / 1_000_000n),
    timeNano: String(nano),
  };
}

describe('HostWatch: Docker events to alerts', () => {
  it('announces a pulled image when every container is watched, and never under an include list', async () => {
    const pull: DockerEvent = {
      type: 'image',
      action: 'pull',
      id: 'sha256:1',
      attributes: { name: 'registry.local/app:2' },
      time: 0,
      timeNano: '0',
    };
    const all = setup();
    await all.watch.handle(pull);
    expect(all.engine.fired.map((f) => f.facts)).toEqual([
      { kind: 'image_new', tags: ['registry.local/app:2'] },
    ]);
    const some = setup({ ...options, include: [compileNamePattern('web-*')] });
    await some.watch.handle(pull);
    expect(some.engine.fired).toEqual([]);
  });

  it('a SIGKILLed container alerts with exit code, signal, run time, restarts and redacted log lines', async () => {
    const { docker, engine, watch } = setup();
    const c = details('web', {
      state: 'exited',
      exitCode: 137,
      startedAt: 1000,
      finishedAt: 61_000,
      restartCount: 2,
    });
    docker.containers = [c];
    await watch.handle(ev('start', c.id, { name: 'web' }));
    await watch.handle(ev('die', c.id, { name: 'web', exitCode: '137' }));
    expect(engine.fired).toHaveLength(1);
    const f = engine.fired[0]?.facts;
    expect(f).toMatchObject({
      kind: 'container_died',
      exitCode: 137,
      signal: 'SIGKILL',
      ranMs: 60_000,
      restartCount: 2,
    });
    const lines = f?.kind === 'container_died' ? f.logLines : [];
    expect(lines).toEqual(['starting', 'DB_PASSWORD=[REDACTED]', 'fatal: out of cheese']);
    expect(JSON.stringify(engine.fired)).not.toContain('hunter22');
    // Replayed after a reconnect: already known as exited, nothing new.
    await watch.handle(ev('die', c.id, { name: 'web', exitCode: '137' }));
    expect(engine.fired).toHaveLength(1);
  });

  it('a container removed while its death is looked up: the alert is raised, then resolved quietly', async () => {
    const { docker, engine, watch } = setup();
    const c = details('web', { state: 'exited', exitCode: 137 });
    docker.containers = [c];
    await watch.handle(ev('start', c.id, { name: 'web' }));
    // Events are not awaited one by one: the destroy arrives while inspect and logs are in flight.
    const dying = watch.handle(ev('die', c.id, { name: 'web', exitCode: '137' }));
    await watch.handle(ev('destroy', c.id, { name: 'web' }));
    await dying;
    expect(engine.fired.map((f) => f.facts.kind)).toEqual(['container_removed', 'container_died']);
    expect(engine.resolved).toEqual([{ kind: 'container_died', target: 'web', quiet: true }]);
    expect(engine.active()).toEqual([]);
  });

  it('an oom event makes the following die an OOM alert; a clean exit 0 says nothing', async () => {
    const { docker, engine, watch } = setup();
    const hog = details('hog', { state: 'exited', exitCode: 137 });
    const job = details('job', { id: 'b'.repeat(64), state: 'exited', exitCode: 0 });
    docker.containers = [hog, job];
    await watch.handle(ev('start', hog.id, { name: 'hog' }));
    await watch.handle(ev('oom', hog.id, { name: 'hog' }));
    await watch.handle(ev('die', hog.id, { name: 'hog', exitCode: '137' }));
    await watch.handle(ev('start', job.id, { name: 'job' }));
    await watch.handle(ev('die', job.id, { name: 'job', exitCode: '0' }));
    expect(engine.fired.map((i) => i.facts.kind)).toEqual(['container_oom']);
  });

  it('unhealthy, then healthy resolves it', async () => {
    const { docker, engine, watch } = setup();
    const c = details('db', {
      health: 'unhealthy',
      lastHealthCheck: { at: 0, exitCode: 1, output: 'pg not ready' },
    });
    docker.containers = [c];
    await watch.handle(ev('health_status: unhealthy', c.id, { name: 'db' }));
    await watch.handle(ev('health_status: unhealthy', c.id, { name: 'db' }));
    await watch.handle(ev('health_status: healthy', c.id, { name: 'db' }));
    expect(engine.fired.map((i) => i.facts)).toEqual([
      { kind: 'container_unhealthy', lastOutput: 'pg not ready' },
    ]);
    expect(engine.resolved).toEqual([{ kind: 'container_unhealthy', target: 'db', quiet: false }]);
  });

  it('a --restart always container that exits at once alerts once, as a restart loop', async () => {
    const { docker, engine, clock, watch } = setup();
    const c = details('loop', { state: 'restarting', exitCode: 1 });
    docker.containers = [{ ...c, limits: { ...c.limits, restartPolicy: 'always' } }];
    for (let i = 0; i < 6; i++) {
      await watch.handle(ev('start', c.id, { name: 'loop' }));
      await watch.handle(ev('die', c.id, { name: 'loop', exitCode: '1' }));
      await clock.advanceAsync(200 * 2 ** i);
    }
    await clock.advanceAsync(60_000);
    expect(engine.fired.map((i) => i.facts.kind)).toEqual(['restart_loop']);
  });

  it('a died container that runs again for the stable time resolves its alert', async () => {
    const { docker, engine, clock, watch } = setup();
    const c = details('web', { state: 'exited', exitCode: 2 });
    docker.containers = [c];
    await watch.handle(ev('die', c.id, { name: 'web', exitCode: '2' }));
    await watch.handle(ev('start', c.id, { name: 'web' }));
    await clock.advanceAsync(29_000);
    expect(engine.resolved).toEqual([]);
    await clock.advanceAsync(2000);
    expect(engine.resolved).toEqual([{ kind: 'container_died', target: 'web', quiet: false }]);
  });

  it('opt-out by label and by exclude pattern; created and removed are news', async () => {
    const { docker, engine, watch } = setup();
    const quiet = details('quiet', { id: 'c'.repeat(64), state: 'exited', exitCode: 1 });
    const ci = details('ci-42', { id: 'd'.repeat(64), state: 'exited', exitCode: 1 });
    docker.containers = [quiet, ci];
    await watch.handle(ev('create', quiet.id, { name: 'quiet', 'tmbot.alerts': 'false' }));
    await watch.handle(ev('die', quiet.id, { name: 'quiet', exitCode: '1' }));
    await watch.handle(ev('create', ci.id, { name: 'ci-42' }));
    await watch.handle(ev('die', ci.id, { name: 'ci-42', exitCode: '1' }));
    expect(engine.fired).toEqual([]);
    await watch.handle(ev('create', 'e'.repeat(64), { name: 'new', image: 'nginx' }));
    await watch.handle(ev('destroy', 'e'.repeat(64), { name: 'new' }));
    expect(engine.fired.map((i) => [i.facts.kind, i.oneShot])).toEqual([
      ['container_created', true],
      ['container_removed', true],
    ]);
  });

  it('a re-list after an engine restart finds what the lost backlog did not say', async () => {
    const { docker, engine, watch } = setup();
    const a = details('a', { id: 'a'.repeat(64), state: 'running' });
    const b = details('b', { id: 'b'.repeat(64), state: 'running', health: 'healthy' });
    docker.containers = [a, b];
    await watch.reconcile(false);
    expect(engine.fired).toEqual([]);
    docker.containers = [
      { ...a, state: 'exited', exitCode: 137 },
      { ...b, health: 'unhealthy' },
      details('c', { id: 'c'.repeat(64) }),
    ];
    await watch.reconcile(true);
    expect(engine.fired.map((i) => `${i.facts.kind}:${i.target}`).sort()).toEqual([
      'container_created:c',
      'container_died:a',
      'container_unhealthy:b',
    ]);
    docker.containers = [];
    await watch.reconcile(true);
    expect(engine.resolved.map((r) => `${r.kind}:${r.target}:${r.quiet}`).sort()).toEqual([
      'container_died:a:true',
      'container_unhealthy:b:true',
    ]);
  });

  it('an announced change (an image update) is recorded but not alerted; the window ends', async () => {
    const { docker, engine, clock, watch, expected } = setup();
    const old = details('app', { state: 'exited', exitCode: 143 });
    const next = details('app-new', { state: 'exited', exitCode: 3 });
    docker.containers = [old, { ...next, name: 'app' }];
    expected.expect(HOST, ['app', 'app-tmbot-old'], 60_000);
    await watch.handle(ev('start', old.id, { name: 'app' }));
    await watch.handle(ev('die', old.id, { name: 'app', exitCode: '143' }));
    await watch.handle(ev('rename', old.id, { name: 'app-tmbot-old' }));
    await watch.handle(ev('create', next.id, { name: 'app' }));
    await watch.handle(ev('start', next.id, { name: 'app' }));
    await watch.handle(ev('die', next.id, { name: 'app', exitCode: '3' }));
    await watch.handle(ev('destroy', next.id, { name: 'app' }));
    await clock.advanceAsync(20_000);
    expect(engine.fired).toEqual([]);
    // Bookkeeping went on: the watcher knows the renamed old container.
    expect(watch.known.get(old.id)?.name).toBe('app-tmbot-old');
    expected.settle(HOST, ['app', 'app-tmbot-old'], 1000);
    await clock.advanceAsync(1000);
    const again = details('app2', { state: 'exited', exitCode: 1 });
    docker.containers = [{ ...again, name: 'app' }];
    await watch.handle(ev('start', again.id, { name: 'app' }));
    await watch.handle(ev('die', again.id, { name: 'app', exitCode: '1' }));
    expect(engine.fired.map((f) => f.facts.kind)).toEqual(['container_died']);
  });
});
