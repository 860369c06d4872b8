import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ManualClock } from '../../../../src/clock';
import { HttpRegistryClient } from '../../../../src/adapters/docker/registry';
import type { RegistryCredentials } from '../../../../src/adapters/docker/registry-auth';
import { createLogger } from '../../../../src/log/logger';
import { Redactor } from '../../../../src/log/redactor';

const DIGEST = `sha256:${'e'.repeat(64)}`;
const CREDS: RegistryCredentials = { username: 'robot', password: 'pw-Very-Secret-0123456789' };
const BASIC = `Basic ${Buffer.from('robot:pw-Very-Secret-0123456789').toString('base64')}`;

/** A loopback server whose answer per request is chosen by the test. */
class Scripted {
  server!: Server;
  host = '';
  seen: { url: string; auth: string | undefined }[] = [];
  held: ServerResponse[] = [];
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_q, res) => res.end();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      this.handler(req, res, this.seen.length);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Polls a condition with a deadline (real time; the server answers on real sockets). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function capture(): { log: ReturnType<typeof createLogger>; out: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return {
    log: createLogger({ level: 'trace', format: 'json', redactor: new Redactor(), stream }),
    out: () => lines.join(''),
  };
}

const ok = (res: ServerResponse): void => {
  res.writeHead(200, { 'docker-content-digest': DIGEST });
  res.end();
};

describe('HttpRegistryClient retries (on the Clock)', () => {
  const srv = new Scripted();
  beforeAll(() => srv.start());
  afterAll(() => srv.stop());
  beforeEach(() => {
    srv.seen = [];
  });

  it('tries a 5xx again after 1 s, then 2 s, and succeeds', async () => {
    const clock = new ManualClock();
    srv.handler = (_q, res, n) => {
      if (n <= 2) {
        res.writeHead(503);
        res.end();
      } else ok(res);
    };
    const client = new HttpRegistryClient({ clock, log: capture().log });
    const answer = client.manifestDigest({ registry: srv.host, repository: 'a/b', tag: '1' });
    await until(() => srv.seen.length === 1 && clock.timerCount === 1, 'the first back-off');
    // Not before the back-off has passed.
    await clock.advanceAsync(999);
    expect(srv.seen).toHaveLength(1);
    await clock.advanceAsync(1);
    await until(() => srv.seen.length === 2 && clock.timerCount === 1, 'the second back-off');
    await clock.advanceAsync(1999);
    expect(srv.seen).toHaveLength(2);
    await clock.advanceAsync(1);
    await expect(answer).resolves.toEqual({ kind: 'ok', value: DIGEST });
    expect(srv.seen).toHaveLength(3);
  });

  it('gives up after the bounded number of tries with the last status', async () => {
    const clock = new ManualClock();
    srv.handler = (_q, res) => {
      res.writeHead(502);
      res.end();
    };
    const client = new HttpRegistryClient({ clock, log: capture().log, retries: 1 });
    const answer = client.manifestDigest({ registry: srv.host, repository: 'a/b', tag: '1' });
    await until(() => srv.seen.length === 1 && clock.timerCount === 1, 'the back-off');
    await clock.advanceAsync(1000);
    await expect(answer).resolves.toEqual({
      kind: 'error',
      reason: 'the registry answered HTTP 502',
    });
    expect(srv.seen).toHaveLength(2);
  });

  it('does not retry a 4xx', async () => {
    srv.handler = (_q, res) => {
      res.writeHead(400);
      res.end();
    };
    const client = new HttpRegistryClient({ clock: new ManualClock(), log: capture().log });
    await expect(
      client.manifestDigest({ registry: srv.host, repository: 'a/b', tag: '1' }),
    ).resolves.toEqual({ kind: 'error', reason: 'the registry answered HTTP 400' });
    expect(srv.seen).toHaveLength(1);
  });

  it('times a silent registry out on the Clock and tries again', async () => {
    const clock = new ManualClock();
    srv.handler = (_q, res, n) => {
      if (n === 1) srv.held.push(res);
      else ok(res);
    };
    const client = new HttpRegistryClient({ clock, log: capture().log, timeoutMs: 5000 });
    const answer = client.manifestDigest({ registry: srv.host, repository: 'a/b', tag: '1' });
    await until(() => srv.seen.length === 1, 'the first request');
    await clock.advanceAsync(5000);
    await until(() => clock.timerCount === 1, 'the back-off after the timeout');
    await clock.advanceAsync(1000);
    await expect(answer).resolves.toEqual({ kind: 'ok', value: DIGEST });
    expect(srv.seen).toHaveLength(2);
  });
});

describe('HttpRegistryClient credentials', () => {
  const srv = new Scripted();
  beforeAll(() => srv.start());
  afterAll(() => srv.stop());
  beforeEach(() => {
    srv.seen = [];
  });
  const source = (creds: RegistryCredentials | undefined) => ({
    forRegistry: (registry: string) => Promise.resolve(registry === srv.host ? creds : undefined),
  });

  it('answers a Basic challenge with the credentials, then sends them at once', async () => {
    srv.handler = (req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' });
        res.end();
      } else ok(res);
    };
    const { log, out } = capture();
    const client = new HttpRegistryClient({
      clock: new ManualClock(),
      log,
      credentials: source(CREDS),
    });
    const ref = { registry: srv.host, repository: 'team/app', tag: '1' };
    await expect(client.manifestDigest(ref)).resolves.toEqual({ kind: 'ok', value: DIGEST });
    expect(srv.seen.map((s) => s.auth)).toEqual([undefined, BASIC]);
    await client.manifestDigest(ref);
    expect(srv.seen.map((s) => s.auth)).toEqual([undefined, BASIC, BASIC]);
    expect(out()).not.toContain(CREDS.password);
  });

  it('fetches a bearer token with the credentials (private repository on a token registry)', async () => {
    srv.handler = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        if (req.headers.authorization !== BASIC) {
          res.writeHead(401);
          res.end();
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: 'private-token', expires_in: 300 }));
        return;
      }
      if (req.headers.authorization !== 'Bearer private-token') {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${srv.host}/token",service="s"`,
        });
        res.end();
        return;
      }
      ok(res);
    };
    const ref = { registry: srv.host, repository: 'team/app', tag: '1' };
    const withCreds = new HttpRegistryClient({
      clock: new ManualClock(),
      log: capture().log,
      credentials: source(CREDS),
    });
    await expect(withCreds.manifestDigest(ref)).resolves.toEqual({ kind: 'ok', value: DIGEST });
    const anonymous = new HttpRegistryClient({ clock: new ManualClock(), log: capture().log });
    await expect(anonymous.manifestDigest(ref)).resolves.toEqual({
      kind: 'error',
      reason: 'the token service answered HTTP 401',
    });
  });

  it('says which registry lacks credentials or refused them, never what they are', async () => {
    srv.handler = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' });
      res.end();
    };
    const ref = { registry: srv.host, repository: 'team/app', tag: '1' };
    const { log, out } = capture();
    const wrong = new HttpRegistryClient({
      clock: new ManualClock(),
      log,
      credentials: source(CREDS),
    });
    const refused = await wrong.manifestDigest(ref);
    expect(refused).toEqual({
      kind: 'error',
      reason: `the registry refused the credentials for ${srv.host} from docker.registry_auth_file`,
    });
    const none = new HttpRegistryClient({
      clock: new ManualClock(),
      log,
      credentials: source(undefined),
    });
    await expect(none.manifestDigest(ref)).resolves.toEqual({
      kind: 'error',
      reason: `the registry wants credentials: add ${srv.host} to the file docker.registry_auth_file names`,
    });
    const text = JSON.stringify(refused) + out();
    expect(text).not.toContain(CREDS.password);
    expect(text).not.toContain(BASIC.slice(6));
  });
});
