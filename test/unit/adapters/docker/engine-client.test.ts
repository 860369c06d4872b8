import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerodePort } from '../../../../src/adapters/docker/dockerode-port';
import { EngineClient, EngineHttpError } from '../../../../src/adapters/docker/engine-client';
import { parseDockerHost } from '../../../../src/adapters/docker/hosts';
import { ManualClock, systemClock } from '../../../../src/clock';
import { DockerError, DockerUnavailableError } from '../../../../src/errors';
import { describeForUser } from '../../../../src/views/errors';
import { silentLogger } from '../../../support/silent-logger';

/**
 * The transport's failure modes, against HTTP servers on unix sockets that play a
 * broken engine (hung, erroring). The real engine's behaviour is covered by e2e.
 */
describe('EngineClient and DockerodePort failure handling', () => {
  let dir: string;
  const servers: Server[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-eng-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  async function engine(
    name: string,
    handler: Parameters<typeof createServer>[1],
  ): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    const path = join(dir, name);
    await new Promise<void>((r) => server.listen(path, r));
    return path;
  }

  // Generous deadlines: a busy CI machine (and the first, lazy load of dockerode) must not turn an
  // answer into a timeout. Only the hung engine below uses a short one.
  const timeouts = { connect: 10_000, quick: 10_000, stats: 10_000, logs: 10_000, action: 10_000 };
  const short = { connect: 300, quick: 300, stats: 300, logs: 300, action: 300 };

  it('a missing socket is "not reachable" with a reason that says what to check', async () => {
    const port = new DockerodePort({
      hosts: [`unix://${dir}/none.sock`],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      env: {},
      timeouts,
    });
    const err = await port.listContainers(0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerUnavailableError);
    expect((err as Error).message).toBe(
      `Docker is not reachable at unix://${dir}/none.sock: the socket does not exist (is the engine running, and is the socket mounted?)`,
    );
    await expect(port.ping(0)).resolves.toMatchObject({ ok: false });
    await expect(port.assertReachable()).rejects.toBeInstanceOf(DockerUnavailableError);
  });

  it('an engine that accepts but never answers is "not reachable" once the deadline passes', async () => {
    const path = await engine('hung.sock', () => undefined);
    const port = new DockerodePort({
      hosts: [`unix://${path}`],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      env: {},
      timeouts: short,
    });
    const err = await port.summary(0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerUnavailableError);
    expect((err as DockerUnavailableError).reason).toBe('no answer within 0.3 s');
  });

  it('deadlines of requests and of the events stream run on the injected clock', async () => {
    let arrived: () => void = () => undefined;
    let arrivals = 0;
    const path = await engine('hung-clock.sock', () => {
      arrivals++;
      arrived();
    });
    const clock = new ManualClock();
    const client = new EngineClient(
      parseDockerHost(`unix://${path}`, undefined),
      silentLogger,
      clock,
      {},
    );
    // Far beyond jest's own timeout: only the manual clock can end these waits.
    const minute = 60_000;
    for (const call of [
      () => client.request('GET', '/version', { timeoutMs: minute }),
      () => client.openStream('/events', {}, minute, new AbortController().signal),
    ]) {
      const before = arrivals;
      const seen = new Promise<void>((r) => (arrived = r));
      const pending = call().catch((e: unknown) => e);
      await seen;
      expect(arrivals).toBe(before + 1);
      clock.advance(minute);
      const err = await pending;
      expect(err).toBeInstanceOf(DockerUnavailableError);
      expect((err as DockerUnavailableError).reason).toBe('no answer within 60.0 s');
    }
  });

  it('turns HTTP errors into EngineHttpError with the engine’s message, 404s into "gone" and conflicts into a user-safe refusal', async () => {
    const path = await engine('err.sock', (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('/json')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: 'No such container: abc' }));
      } else {
        res.statusCode = 409;
        res.end(JSON.stringify({ message: 'Container is not running' }));
      }
    });
    const client = new EngineClient(
      parseDockerHost(`unix://${path}`, undefined),
      silentLogger,
      systemClock,
      {},
    );
    const err = await client
      .request('GET', '/containers/x/json', { timeoutMs: 10_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineHttpError);
    expect(err).toMatchObject({ statusCode: 404, engineMessage: 'No such container: abc' });

    const port = new DockerodePort({
      hosts: [`unix://${path}`],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      env: {},
      timeouts,
    });
    const id = 'a'.repeat(64);
    await expect(port.inspectContainer(0, id)).resolves.toBeUndefined();
    const refused = await port.act(0, id, 'pause').catch((e: unknown) => e);
    expect(refused).toMatchObject({
      kind: 'refused',
      info: { action: 'pause', detail: 'Container is not running' },
    });
    expect(describeForUser(refused)).toBe(
      'The engine refused to pause it: Container is not running',
    );
  });

  it('refuses ids that are not engine ids before any request, so nothing reaches the URL path', async () => {
    const port = new DockerodePort({
      hosts: [`unix://${dir}/none.sock`],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      env: {},
      timeouts,
    });
    await expect(port.inspectContainer(0, '../../images/json')).rejects.toMatchObject({
      kind: 'bad_container_id',
    });
    await expect(port.inspectImage(0, 'sha256:../x')).rejects.toMatchObject({
      kind: 'bad_image_id',
    });
    const gone = await port.listContainers(3).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(DockerError);
    expect(describeForUser(gone)).toBe('That Docker host is no longer configured.');
  });

  it('reports unreadable TLS files on every call instead of crashing at start', async () => {
    const port = new DockerodePort({
      hosts: ['tcp://127.0.0.1:2376'],
      tls: { ca: join(dir, 'missing-ca.pem') },
      log: silentLogger,
      clock: systemClock,
      env: {},
      timeouts,
    });
    const err = await port.listImages(0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerUnavailableError);
    expect((err as Error).message).toMatch(
      /^Docker is not reachable at tcp:\/\/127\.0\.0\.1:2376: cannot set up the connection \(ENOENT.*missing-ca\.pem/,
    );
  });

  it('reports a refused TCP connection', async () => {
    const port = new DockerodePort({
      hosts: ['tcp://127.0.0.1:1'],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      env: {},
      timeouts,
    });
    await expect(port.listContainers(0)).rejects.toThrow(
      'Docker is not reachable at tcp://127.0.0.1:1: connection refused (is the engine running?)',
    );
  });
});
