import { ManualClock } from '../../../src/clock';
import type {
  ContainerAction,
  ContainerDetails,
  ContainerLiveStats,
  ContainerSummary,
  DockerPing,
  DockerPort,
  DockerSummary,
  ImageDetails,
  ImageLayer,
  ImageSummary,
  LogQuery,
  LogText,
} from '../../../src/adapters/docker/port';
import type { ImageUpdate, UpdateCheckPort } from '../../../src/adapters/docker/update-checker';
import { DockerError, DockerUnavailableError } from '../../../src/errors';
import { dockerFeature, type DockerFeatureDeps } from '../../../src/features/docker';
import { silentLogger } from '../../support/silent-logger';
import { Redactor } from '../../../src/log/redactor';
import type { SecondFactor } from '../../../src/features/second-factor';
import type { PrivilegedAction } from '../../../src/security/second-factor';
import type { Req } from '../../../src/telegram/request';
import { DOCKER } from '../../../src/views/docker-actions';
import { STACKS } from '../../../src/views/docker-stacks';
import { html } from '../../../src/views/html';
import type { ActionButton } from '../../../src/views/view';
import { Pipeline } from '../../support/pipeline';
import { details, imageDetails, summary } from '../views/docker-fixtures';

const ADMIN = 1;
const USER = 2;
const ADMIN2 = 3;
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

/** An engine in memory; `down` makes every call fail the way an unreachable engine does. */
class FakeDocker implements DockerPort {
  readonly hosts: { index: number; label: string }[];
  containers: ContainerDetails[][];
  images: ImageSummary[] = [
    { id: imageDetails().id, tags: ['app:1'], digests: [], size: 1, createdAt: 0 },
  ];
  down = false;
  logsText = '';
  logCalls: LogQuery[] = [];
  acts: [number, string, ContainerAction][] = [];
  stats: () => Promise<ContainerLiveStats | undefined> = () =>
    Promise.resolve({
      memoryUsed: 1,
      memoryLimit: 2,
      cpuPercent: 5,
      netRx: 0,
      netTx: 0,
      rxErrors: 0,
      txErrors: 0,
      throttledPeriods: 0,
      pids: 1,
    });

  constructor(labels: string[] = ['unix:///run/docker.sock']) {
    this.hosts = labels.map((label, index) => ({ index, label }));
    this.containers = labels.map(() => []);
  }
  private check(host: number): void {
    if (this.down)
      throw new DockerUnavailableError(
        this.hosts[host]?.label ?? '?',
        'connection refused (is the engine running?)',
      );
  }
  private find(host: number, id: string): ContainerDetails | undefined {
    return this.containers[host]?.find((c) => c.id === id);
  }
  ping(host: number): Promise<DockerPing> {
    return Promise.resolve({
      ok: true,
      host: this.hosts[host]?.label ?? '',
      latencyMs: 1,
      version: '1',
      apiVersion: '1.41',
    });
  }
  summary(host: number): Promise<DockerSummary> {
    this.check(host);
    const list = this.containers[host] ?? [];
    return Promise.resolve({
      running: list.filter((c) => c.state === 'running').length,
      total: list.length,
      images: this.images.length,
    });
  }
  listContainers(host: number): Promise<ContainerSummary[]> {
    this.check(host);
    return Promise.resolve(
      (this.containers[host] ?? []).map((c) => ({
        ...summary(c.name),
        id: c.id,
        state: c.state,
        imageId: c.imageId,
        labels: Object.fromEntries(c.config.labels.map((l) => [l.key, l.value])),
      })),
    );
  }
  inspectContainer(host: number, id: string): Promise<ContainerDetails | undefined> {
    this.check(host);
    return Promise.resolve(this.find(host, id));
  }
  containerStats(host: number): Promise<ContainerLiveStats | undefined> {
    this.check(host);
    return this.stats();
  }
  logs(host: number, _id: string, query: LogQuery): Promise<LogText> {
    this.check(host);
    this.logCalls.push(query);
    return Promise.resolve({ text: this.logsText, clipped: false });
  }
  act(host: number, id: string, action: ContainerAction): Promise<void> {
    this.check(host);
    this.acts.push([host, id, action]);
    const list = this.containers[host] ?? [];
    const i = list.findIndex((c) => c.id === id);
    const c = list[i];
    if (c === undefined) return Promise.resolve();
    const next: Record<ContainerAction, ContainerDetails['state'] | 'gone'> = {
      start: 'running',
      restart: 'running',
      unpause: 'running',
      pause: 'paused',
      stop: 'exited',
      kill: 'exited',
      remove: 'gone',
    };
    const state = next[action];
    if (state === 'gone') list.splice(i, 1);
    else list[i] = { ...c, state };
    return Promise.resolve();
  }
  imageListings = 0;
  listImages(host: number): Promise<ImageSummary[]> {
    this.check(host);
    this.imageListings++;
    return Promise.resolve(this.images);
  }
  inspectImage(host: number, id: string): Promise<ImageDetails | undefined> {
    this.check(host);
    return Promise.resolve(this.images.some((i) => i.id === id) ? imageDetails({ id }) : undefined);
  }
  imageHistory(): Promise<ImageLayer[]> {
    return Promise.resolve([]);
  }
  assertReachable(): Promise<void> {
    if (this.down)
      return Promise.reject(
        new DockerUnavailableError(this.hosts[0]?.label ?? '', 'connection refused'),
      );
    return Promise.resolve();
  }
}

/** A guard that refuses non-admins (and records it), and lets admins through when `authenticated`. */
class FakeGuard implements SecondFactor {
  calls: PrivilegedAction[] = [];
  denied: { userId: number; audit: string }[] = [];
  failed: string[] = [];
  authenticated = true;
  async requireSecondFactor(
    req: Req,
    what: PrivilegedAction,
    perform: () => Promise<void>,
  ): Promise<boolean> {
    this.calls.push(what);
    if (!req.isAdmin) {
      this.denied.push({ userId: req.user.id, audit: what.audit });
      await req.toast('Only admins', true);
      return false;
    }
    if (!this.authenticated) {
      await req.reply({ html: html`Send your 2FA code` });
      return false;
    }
    try {
      await perform();
    } catch (err) {
      this.failed.push(what.audit);
      throw err;
    }
    return true;
  }
}

class FakeUpdates implements UpdateCheckPort {
  seen: ImageSummary[][] = [];
  check(images: readonly ImageSummary[]): Promise<ImageUpdate[]> {
    this.seen.push([...images]);
    return Promise.resolve(
      images.map((i) => ({
        tag: i.tags[0] ?? '',
        imageId: i.id,
        status: { kind: 'up-to-date' },
        newerTags: [],
        checkedAt: 0,
      })),
    );
  }
}

function setup(over: Partial<DockerFeatureDeps> & { docker?: FakeDocker } = {}) {
  const docker = over.docker ?? new FakeDocker();
  const guard = new FakeGuard();
  const updates = new FakeUpdates();
  const redactor = new Redactor([TOKEN]);
  const feature = dockerFeature({
    docker,
    updates,
    secondFactor: guard,
    clock: new ManualClock(Date.UTC(2026, 0, 1, 12)),
    log: silentLogger,
    redact: (t) => redactor.redact(t),
    strictAccess: false,
    strictWaitMs: 0,
    ...over,
  });
  const p = new Pipeline({ userIds: [ADMIN, USER, ADMIN2], adminIds: [ADMIN, ADMIN2] }, [feature]);
  // FakeSender drops document bytes; keep them to check what "As file" sends.
  const files: { name: string; content: string }[] = [];
  const sendDocument = p.sender.sendDocument.bind(p.sender);
  p.sender.sendDocument = (chatId, content, filename, caption, options) => {
    files.push({ name: filename, content: content.toString('utf8') });
    return sendDocument(chatId, content, filename, caption, options);
  };
  return { p, docker, guard, updates, feature, files };
}

/** Issues a token for a typed call (or raw, forged arguments) and presses it on message 500. */
async function press(
  p: Pipeline,
  user: number,
  call: { action: string; args: readonly string[] },
  messageId = 500,
): Promise<string> {
  return p.press(user, p.callbacks.issue(user, call.action, call.args), messageId);
}

const last = (p: Pipeline) => p.sender.sent[p.sender.sent.length - 1];
const buttonsOf = (p: Pipeline): ActionButton[] => {
  const kb = last(p)?.view.keyboard;
  return kb?.kind === 'inline' ? (kb.rows.flat() as ActionButton[]) : [];
};

describe('docker feature', () => {
  it('answers /docker and the main-menu button with counts from the engine', async () => {
    const { p, docker } = setup();
    docker.containers[0] = [details('web'), details('db', { state: 'exited' })];
    await p.text(USER, '/docker');
    expect(last(p)?.text).toContain('1 running / 2 containers · 1 image');
    await p.text(USER, '🐳 Docker');
    expect(p.sender.sent).toHaveLength(2);
  });

  it('shows "not reachable" with a retry when the engine is down, and the retry works once it is back', async () => {
    const { p, docker } = setup();
    docker.down = true;
    await p.text(USER, '/containers');
    expect(last(p)?.text).toBe(
      '⚠️ Docker is not reachable at unix:///run/docker.sock: connection refused (is the engine running?)',
    );
    const retry = buttonsOf(p)[0];
    expect(retry).toMatchObject({ text: '🔄 Try again', action: 'docker.ctrs', args: ['0', '0'] });
    docker.down = false;
    if (retry === undefined) throw new Error('no retry button');
    await press(p, USER, retry);
    expect(last(p)).toMatchObject({
      kind: 'edit',
      text: expect.stringContaining('There are no containers'),
    });
  });

  it('details: acknowledges first, shows live figures, and keeps admin buttons from plain users', async () => {
    const { p, docker } = setup();
    const c = details('web');
    docker.containers[0] = [c];
    const id = await press(p, USER, DOCKER.container.call({ host: 0, id: c.id, page: 0 }));
    expect(p.sender.answers.find((a) => a.id === id)).toEqual({ id, alert: false });
    expect(last(p)?.text).toContain('CPU: 5.0 %');
    expect(buttonsOf(p).map((b) => b.text)).toEqual(['🔄 Refresh', '⬅️ All containers']);
    await press(p, ADMIN, DOCKER.container.call({ host: 0, id: c.id, page: 0 }));
    expect(buttonsOf(p).map((b) => b.text)).toContain('🎯 Manage');
  });

  it('details never wait on stats longer than the budget', async () => {
    const docker = new FakeDocker();
    docker.stats = () => new Promise(() => undefined);
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const { p } = setup({ docker, statsBudgetMs: 20, clock });
    const c = details('slow');
    docker.containers[0] = [c];
    let done = false;
    const pressed = press(p, USER, DOCKER.container.call({ host: 0, id: c.id, page: 0 })).finally(
      () => (done = true),
    );
    // The budget runs on the feature's clock: move it until the screen is shown.
    for (let step = 0; step < 50 && !done; step++) await clock.advanceAsync(10);
    await pressed;
    expect(last(p)?.text).toContain('live figures did not arrive in time');
  });

  it("details take a running container's figures from the history collector's recent sample when there is one", async () => {
    const docker = new FakeDocker();
    let engineCalls = 0;
    const engineStats = docker.stats;
    docker.stats = () => {
      engineCalls++;
      return engineStats();
    };
    const c = details('web');
    const other = details('db');
    docker.containers[0] = [c, other];
    const asked: string[] = [];
    const { p } = setup({
      docker,
      recentStats: (host, id) => {
        asked.push(`${host}/${id}`);
        return id === c.id
          ? {
              memoryUsed: 256 * 1024 * 1024,
              memoryLimit: 1024 ** 3,
              cpuPercent: 42.5,
              netRx: 0,
              netTx: 0,
              rxErrors: 0,
              txErrors: 0,
              throttledPeriods: 0,
              pids: 7,
            }
          : undefined;
      },
    });
    await press(p, USER, DOCKER.container.call({ host: 0, id: c.id, page: 0 }));
    expect(last(p)?.text).toContain('CPU: 42.5 %');
    expect(engineCalls).toBe(0);
    // No recent sample for this one: today's path (the engine, within the budget).
    await press(p, USER, DOCKER.container.call({ host: 0, id: other.id, page: 0 }));
    expect(engineCalls).toBe(1);
    expect(last(p)?.text).toContain('CPU: 5.0 %');
    expect(asked).toEqual([`0/${c.id}`, `0/${other.id}`]);
  });

  it('a container that is gone, a host that is gone, a page out of range: clear answers, no crash', async () => {
    const { p, docker } = setup();
    docker.containers[0] = [details('web')];
    await press(p, USER, DOCKER.container.call({ host: 0, id: 'f'.repeat(64), page: 0 }));
    expect(last(p)?.text).toBe('⚠️ This container no longer exists. Open the list again.');
    const id = await press(p, USER, DOCKER.containers.call({ host: 7, page: 0 }));
    expect(p.sender.answers.find((a) => a.id === id)).toMatchObject({
      text: 'That Docker host is no longer configured.',
      alert: true,
    });
    await press(p, USER, DOCKER.containers.call({ host: 0, page: 999999999 }));
    expect(last(p)?.text).toContain('Page 1/1');
  });

  it('privileged screens go through the guard with an audit name and a target; plain users are refused there', async () => {
    const { p, docker, guard } = setup();
    const c = details('web');
    docker.containers[0] = [c];
    for (const action of [DOCKER.volumes, DOCKER.networks, DOCKER.runtime, DOCKER.manage])
      await press(p, USER, action.call({ host: 0, id: c.id, page: 0 }));
    expect(guard.denied).toEqual([
      { userId: USER, audit: 'container.volumes' },
      { userId: USER, audit: 'container.networks' },
      { userId: USER, audit: 'container.runtime' },
      { userId: USER, audit: 'container.manage' },
    ]);
    expect(guard.calls[3]).toMatchObject({
      label: 'manage web',
      action: 'docker.mng',
      args: ['0', c.id, '0'],
      target: `web (${c.id.slice(0, 12)})`,
    });
    expect(p.sender.sent).toHaveLength(0);
    const id = await press(
      p,
      USER,
      DOCKER.confirm.call({ host: 0, id: c.id, page: 0, op: 'stop' }),
    );
    expect(p.sender.answers.find((a) => a.id === id)).toMatchObject({
      text: 'Only admins can manage containers.',
      alert: true,
    });
    await press(p, USER, DOCKER.perform.call({ host: 0, id: c.id, page: 0, op: 'kill' }));
    expect(docker.acts).toEqual([]);
    expect(guard.denied.at(-1)).toEqual({ userId: USER, audit: 'container.kill' });
  });

  it('without a 2FA session nothing privileged runs: the guard prompts instead', async () => {
    const { p, docker, guard } = setup();
    guard.authenticated = false;
    const c = details('web');
    docker.containers[0] = [c];
    await press(p, ADMIN, DOCKER.perform.call({ host: 0, id: c.id, page: 0, op: 'stop' }));
    expect(docker.acts).toEqual([]);
    expect(last(p)?.text).toBe('Send your 2FA code');
  });

  it('manage: confirm, act, and show the state read back from the engine', async () => {
    const { p, docker, guard } = setup();
    const c = details('web');
    docker.containers[0] = [c];
    await press(p, ADMIN, DOCKER.manage.call({ host: 0, id: c.id, page: 0 }));
    expect(buttonsOf(p).map((b) => b.text)).toEqual([
      '⛔ Stop',
      '♻️ Restart',
      '⏸ Pause',
      '💀 Kill',
      '⬅️ Back to web',
      '📦 All containers',
    ]);
    await press(p, ADMIN, DOCKER.confirm.call({ host: 0, id: c.id, page: 0, op: 'stop' }));
    expect(last(p)?.text).toMatch(/Are you sure\?\nstop web/);
    await press(p, ADMIN, DOCKER.perform.call({ host: 0, id: c.id, page: 0, op: 'stop' }));
    expect(docker.acts).toEqual([[0, c.id, 'stop']]);
    expect(last(p)?.text).toMatch(
      /^✅ stop web: done in [\d.]+ s\nState read back from the engine: 🔴 exited/,
    );
    expect(guard.calls.at(-1)).toMatchObject({ audit: 'container.stop', destructive: true });
    // An action that no longer fits (stop an exited container) only re-shows the choices.
    const id = await press(
      p,
      ADMIN,
      DOCKER.perform.call({ host: 0, id: c.id, page: 0, op: 'stop' }),
    );
    expect(docker.acts).toHaveLength(1);
    expect(p.sender.answers.find((a) => a.id === id)).toMatchObject({
      text: 'Cannot stop it while it is exited.',
      alert: true,
    });
    await press(p, ADMIN, DOCKER.perform.call({ host: 0, id: c.id, page: 0, op: 'remove' }));
    expect(last(p)?.text).toContain('State read back from the engine: gone');
    await press(p, ADMIN, DOCKER.perform.call({ host: 0, id: c.id, page: 0, op: 'start' }));
    expect(last(p)?.text).toBe('⚠️ This container no longer exists. Open the list again.');
  });

  it('a refused action is shown to the admin and reaches the guard as a failure (audited as failed)', async () => {
    const { p, docker, guard } = setup();
    const c = details('web');
    docker.containers[0] = [c];
    docker.act = () =>
      Promise.reject(new DockerError('refused', { action: 'pause', detail: 'cannot pause' }));
    await press(p, ADMIN, DOCKER.perform.call({ host: 0, id: c.id, page: 0, op: 'pause' }));
    expect(last(p)?.text).toBe('⚠️ The engine refused to pause it: cannot pause');
    expect(guard.failed).toEqual(['container.pause']);
  });

  it('logs: sanitised pages from one snapshot, modes, and a file that is deleted later', async () => {
    const { p, docker, files } = setup();
    const c = details('web');
    docker.containers[0] = [c];
    docker.logsText =
      Array.from(
        { length: 400 },
        (_, i) =>
          `2026-12-05T09:00:${String(i % 60).padStart(2, '0')}.123456789Z \x1b[32mline ${i}\x1b[0m token ${TOKEN} PASSWORD=pw${i}`,
      ).join('\n') + '\n';
    await press(
      p,
      ADMIN,
      DOCKER.logs.call({ host: 0, id: c.id, page: 0, mode: 'tail100', session: '', logPage: 0 }),
    );
    const first = last(p)?.text ?? '';
    expect(first).toMatch(/Page 1\/\d+ · newest first · 400 line\(s\)/);
    expect(first).not.toMatch(/AAHdqTcv|\x1b|pw399/);
    expect(first).toContain('line 399 token [REDACTED] PASSWORD=[REDACTED]');
    // Timestamps are fetched but left out of the chat view; the file keeps them.
    expect(first).not.toContain('2026-12-05T09:00');
    expect(buttonsOf(p).map((b) => b.text)).toContain('🏠 Back to all containers');
    const older = buttonsOf(p).find((b) => b.text === 'Older ➡️');
    if (older === undefined) throw new Error('no Older button');
    await press(p, ADMIN, older);
    expect(last(p)?.text).toMatch(/Page 2\//);
    expect(docker.logCalls).toEqual([{ kind: 'tail', lines: 100, timestamps: true }]);
    await press(
      p,
      ADMIN,
      DOCKER.logs.call({ host: 0, id: c.id, page: 0, mode: 'hour', session: '', logPage: 0 }),
    );
    expect(docker.logCalls.at(-1)).toEqual({
      kind: 'since',
      seconds: 3600,
      maxLines: 5000,
      timestamps: true,
    });
    const asFile = buttonsOf(p).find((b) => b.text === '📎 As file');
    if (asFile === undefined) throw new Error('no As file button');
    const id = await press(p, ADMIN, asFile);
    expect(files).toHaveLength(1);
    expect(files[0]?.name).toBe('web-logs.txt');
    expect(files[0]?.content.split('\n').filter(Boolean)).toHaveLength(400);
    expect(files[0]?.content).not.toContain(TOKEN);
    expect(files[0]?.content).toMatch(/^2026-12-05T09:00:\d\d\.123456789Z line /m);
    expect(p.sender.answers.find((a) => a.id === id)).toMatchObject({
      text: 'Sent. Auto-delete in 30 s.',
    });
    expect(docker.logCalls).toHaveLength(2);
    expect(p.store.files.get('auto-delete.json')).toContain(String(last(p)?.messageId));
  });

  it('a log snapshot belongs to the user who made it', async () => {
    const { p, docker } = setup();
    const c = details('web');
    docker.containers[0] = [c];
    docker.logsText = 'a\nb\n';
    await press(
      p,
      ADMIN,
      DOCKER.logs.call({ host: 0, id: c.id, page: 0, mode: 'tail100', session: '', logPage: 0 }),
    );
    const asFile = (): ActionButton | undefined =>
      buttonsOf(p).find((b) => b.text === '📎 As file');
    const sessionId = DOCKER.logFile.decode(asFile()?.args ?? [])?.session ?? '';
    await press(
      p,
      ADMIN,
      DOCKER.logs.call({
        host: 0,
        id: c.id,
        page: 0,
        mode: 'tail100',
        session: sessionId,
        logPage: 0,
      }),
    );
    expect(docker.logCalls).toHaveLength(1);
    // Another admin holding the same snapshot id gets a fetch of their own, never this snapshot.
    await press(
      p,
      ADMIN2,
      DOCKER.logs.call({
        host: 0,
        id: c.id,
        page: 0,
        mode: 'tail100',
        session: sessionId,
        logPage: 0,
      }),
    );
    expect(docker.logCalls).toHaveLength(2);
    const theirs = DOCKER.logFile.decode(asFile()?.args ?? [])?.session;
    expect(theirs).not.toBe(sessionId);
  });

  it('several hosts: the picker switches, and every screen names its host', async () => {
    const docker = new FakeDocker(['unix:///a.sock', 'ssh://ops@b']);
    const { p } = setup({ docker });
    docker.containers[1] = [details('on-b')];
    await p.text(USER, '/docker');
    expect(last(p)?.text).toContain('✅ unix:///a.sock');
    await p.text(USER, '🖥 Docker hosts');
    expect(buttonsOf(p).map((b) => b.text)).toEqual([
      '✅ unix:///a.sock',
      '🖥 ssh://ops@b',
      '📦 Containers',
      '🖼 Images',
      '🧱 Stacks',
    ]);
    await press(p, USER, DOCKER.overview.call({ host: 1 }));
    expect(last(p)?.text).toContain('✅ ssh://ops@b');
    await p.text(USER, '/containers');
    expect(last(p)?.text).toMatch(/^🖥 Host: ssh:\/\/ops@b\n📦 Containers · 1\/1 running/);
    await p.text(ADMIN, '/containers');
    expect(last(p)?.text).toMatch(/^🖥 Host: unix:\/\/\/a\.sock/);
  });

  it('keeps the image list 30 s for its pages; opening it and Refresh read the engine afresh', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const { p, docker } = setup({ clock });
    await p.text(USER, '/images');
    expect(last(p)?.text).toMatch(/Images · 1/);
    expect(docker.imageListings).toBe(1);
    docker.images = [
      ...docker.images,
      { id: `sha256:${'9'.repeat(64)}`, tags: ['other:1'], digests: [], size: 1, createdAt: 0 },
    ];
    // A page (or "All images") within 30 s shows the list as it was: the engine is not asked.
    clock.advance(29_000);
    await press(p, USER, DOCKER.images.call({ host: 0, page: 0 }));
    expect(last(p)?.text).toMatch(/Images · 1/);
    expect(docker.imageListings).toBe(1);
    // Refresh bypasses it.
    const refresh = buttonsOf(p).find((b) => b.text === '🔄 Refresh');
    expect(refresh?.action).toBe('docker.imgsf');
    if (refresh === undefined) throw new Error('no Refresh button');
    await press(p, USER, refresh);
    expect(last(p)?.text).toMatch(/Images · 2/);
    expect(docker.imageListings).toBe(2);
    // After 30 s a page reads afresh; /images always does.
    docker.images = docker.images.slice(0, 1);
    clock.advance(30_000);
    await press(p, USER, DOCKER.images.call({ host: 0, page: 0 }));
    expect(last(p)?.text).toMatch(/Images · 1/);
    await p.text(USER, '/images');
    expect(docker.imageListings).toBe(4);
  });

  it('update checks acknowledge at once and check only the image asked about', async () => {
    const { p, docker, updates } = setup();
    docker.images = [
      ...docker.images,
      { id: `sha256:${'9'.repeat(64)}`, tags: ['other:1'], digests: [], size: 1, createdAt: 0 },
    ];
    const id = await press(
      p,
      USER,
      DOCKER.updates.call({ host: 0, scope: docker.images[1]?.id ?? '', page: 0 }),
    );
    expect(p.sender.answers.find((a) => a.id === id)).toMatchObject({
      text: 'Asking the registries…',
    });
    expect(updates.seen).toEqual([[docker.images[1]]]);
    expect(last(p)?.text).toContain('✅ other:1: up to date');
    await press(p, USER, DOCKER.updates.call({ host: 0, scope: 'all', page: 0 }));
    expect(updates.seen.at(-1)).toHaveLength(2);
  });

  it('strict_access makes start fail when an engine does not answer', async () => {
    const docker = new FakeDocker();
    docker.down = true;
    const { feature } = setup({ docker, strictAccess: true });
    await expect(feature.start?.()).rejects.toThrow(
      'Docker is not reachable at unix:///run/docker.sock: connection refused',
    );
    const relaxed = setup({ docker, strictAccess: false });
    await expect(relaxed.feature.start?.()).resolves.toBeUndefined();
  });
});

describe('docker feature: compose stacks', () => {
  /** A container of compose project "shop", service `service`, depending on `deps`. */
  const member = (service: string, deps?: string): ContainerDetails => {
    const d = details(`shop-${service}-1`);
    return {
      ...d,
      config: {
        ...d.config,
        labels: [
          { key: 'com.docker.compose.project', value: 'shop' },
          { key: 'com.docker.compose.service', value: service },
          ...(deps !== undefined ? [{ key: 'com.docker.compose.depends_on', value: deps }] : []),
        ],
      },
    };
  };
  const shop = (): ContainerDetails[] => [
    member('web', 'api:service_started:false'),
    member('api', 'db:service_healthy:false'),
    member('db'),
  ];
  const acted = (docker: FakeDocker): string[] =>
    docker.acts.map(([, id, op]) => {
      const name = docker.containers[0]?.find((c) => c.id === id)?.name ?? id;
      return `${op} ${name}`;
    });

  it('restart stops in reverse dependency order, then starts in order; audited as stack.restart', async () => {
    const { p, docker, guard } = setup();
    docker.containers[0] = shop();
    await press(
      p,
      ADMIN,
      STACKS.perform.call({ host: 0, project: 'shop', page: 0, op: 'restart' }),
    );
    expect(acted(docker)).toEqual([
      'stop shop-web-1',
      'stop shop-api-1',
      'stop shop-db-1',
      'start shop-db-1',
      'start shop-api-1',
      'start shop-web-1',
    ]);
    expect(guard.calls.at(-1)).toMatchObject({
      audit: 'stack.restart',
      target: 'stack shop',
      destructive: true,
    });
    expect(last(p)?.text).toMatch(/^✅ Stack shop: restart done in [\d.]+ s/);
    expect(guard.failed).toEqual([]);
  });

  it('stops at the first failure, says why, and the guard audits it as failed', async () => {
    const { p, docker, guard } = setup();
    docker.containers[0] = shop();
    const act = docker.act.bind(docker);
    docker.act = (host, id, op) =>
      docker.containers[0]?.find((c) => c.id === id)?.name === 'shop-api-1'
        ? Promise.reject(new DockerError('refused', { action: op, detail: 'no such image' }))
        : act(host, id, op);
    await press(p, ADMIN, STACKS.perform.call({ host: 0, project: 'shop', page: 0, op: 'start' }));
    expect(acted(docker)).toEqual(['start shop-db-1']);
    const text = last(p)?.text ?? '';
    expect(text).toMatch(/^⚠️ start of stack shop stopped at a failure/);
    expect(text).toMatch(/❌ api · .*no such image/);
    expect(text).toContain('▫️ web');
    expect(guard.failed).toEqual(['stack.start']);
  });

  it('plain users are refused by the guard; nothing is touched', async () => {
    const { p, docker, guard } = setup();
    docker.containers[0] = shop();
    await press(p, USER, STACKS.perform.call({ host: 0, project: 'shop', page: 0, op: 'stop' }));
    expect(docker.acts).toEqual([]);
    expect(guard.denied).toEqual([{ userId: USER, audit: 'stack.stop' }]);
    await press(p, USER, STACKS.confirm.call({ host: 0, project: 'shop', page: 0, op: 'stop' }));
    expect(docker.acts).toEqual([]);
  });

  it('a stack that is gone says so', async () => {
    const { p, docker } = setup();
    docker.containers[0] = shop();
    await press(p, ADMIN, STACKS.stack.call({ host: 0, project: 'gone', page: 0 }));
    expect(last(p)?.text).toContain('This stack has no containers any more');
    await press(p, ADMIN, STACKS.perform.call({ host: 0, project: 'gone', page: 0, op: 'stop' }));
    expect(docker.acts).toEqual([]);
    expect(last(p)?.text).toContain('This stack has no containers any more');
  });

  it("/stacks groups the host's containers and counts the standalone ones", async () => {
    const { p, docker } = setup();
    docker.containers[0] = [...shop(), details('solo')];
    await p.text(USER, '/stacks');
    expect(last(p)?.text).toBe(
      '🧱 Stacks · 1 compose project\n\n🟢 shop · 3/3 running\n\n📦 Standalone: 1 container',
    );
  });
});
