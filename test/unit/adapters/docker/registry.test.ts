import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../../../src/clock';
import {
  HttpRegistryClient,
  MANIFEST_ACCEPT,
  parseBearerChallenge,
  retryAfterSeconds,
} from '../../../../src/adapters/docker/registry';
import { silentLogger } from '../../../support/silent-logger';

const DIGEST = `sha256:${'d'.repeat(64)}`;

/**
 * A registry that behaves like Docker Hub's auth flow (401 + Bearer challenge,
 * token endpoint) and like distribution's HEAD rules (404 without the full Accept list).
 */
class StubRegistry {
  server!: Server;
  host = '';
  tokenRequests: string[] = [];
  requests: { method: string; url: string; auth?: string }[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    this.requests.push({
      method: req.method ?? '',
      url: url.pathname + url.search,
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
    if (url.pathname === '/token') {
      this.tokenRequests.push(url.search);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ token: `tok-${url.searchParams.get('scope')}`, expires_in: 300 }));
      return;
    }
    if (url.pathname.startsWith('/v2/limited/')) {
      res.writeHead(429, { 'retry-after': '120' });
      res.end();
      return;
    }
    if (url.pathname.startsWith('/v2/evil/')) {
      res.writeHead(401, {
        'www-authenticate': 'Bearer realm="http://tokens.example.com/token",service="x"',
      });
      res.end();
      return;
    }
    const repo = /^\/v2\/(.+?)\/(manifests|tags)\//.exec(url.pathname)?.[1] ?? '';
    if (req.headers.authorization !== `Bearer tok-repository:${repo}:pull`) {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${this.host}/token",service="stub",scope="repository:${repo}:pull"`,
      });
      res.end();
      return;
    }
    if (url.pathname === '/v2/org/app/manifests/1') {
      const accept = req.headers.accept ?? '';
      const all = MANIFEST_ACCEPT.split(', ').every((t) => accept.includes(t));
      res.writeHead(all ? 200 : 404, all ? { 'docker-content-digest': DIGEST } : {});
      res.end();
      return;
    }
    if (url.pathname === '/v2/org/app/tags/list') {
      const last = url.searchParams.get('last');
      res.setHeader('content-type', 'application/json');
      if (last === null) {
        res.setHeader('link', '</v2/org/app/tags/list?n=1000&last=1.1.0>; rel="next"');
        res.end(JSON.stringify({ name: 'org/app', tags: ['1', '1.0.0', '1.1.0'] }));
      } else {
        res.end(JSON.stringify({ name: 'org/app', tags: ['1.2.0', 'latest'] }));
      }
      return;
    }
    res.writeHead(404);
    res.end();
  }
}

describe('HttpRegistryClient', () => {
  const stub = new StubRegistry();
  beforeAll(() => stub.start());
  afterAll(() => stub.stop());

  it('does the anonymous bearer flow, sends the full Accept list, reads the digest, and reuses the token', async () => {
    const clock = new ManualClock();
    const client = new HttpRegistryClient({ clock, log: silentLogger });
    const ref = { registry: stub.host, repository: 'org/app', tag: '1' };
    await expect(client.manifestDigest(ref)).resolves.toEqual({ kind: 'ok', value: DIGEST });
    expect(stub.tokenRequests).toEqual(['?service=stub&scope=repository%3Aorg%2Fapp%3Apull']);
    const heads = stub.requests.filter((r) => r.method === 'HEAD');
    expect(heads).toHaveLength(2);
    await expect(client.manifestDigest(ref)).resolves.toEqual({ kind: 'ok', value: DIGEST });
    expect(stub.tokenRequests).toHaveLength(1);
    // The token's lifetime (300 s, minus a margin) has passed: a fresh one.
    clock.advance(300_000);
    await client.manifestDigest(ref);
    expect(stub.tokenRequests).toHaveLength(2);
  });

  it('follows the tag list pagination within the same registry', async () => {
    const client = new HttpRegistryClient({ clock: new ManualClock(), log: silentLogger });
    await expect(
      client.listTags({ registry: stub.host, repository: 'org/app', tag: '1' }),
    ).resolves.toEqual({
      kind: 'ok',
      value: ['1', '1.0.0', '1.1.0', '1.2.0', 'latest'],
    });
  });

  it('honours 429 with the registry’s own retry time, without asking again before it', async () => {
    const clock = new ManualClock();
    const client = new HttpRegistryClient({ clock, log: silentLogger });
    const ref = { registry: stub.host, repository: 'limited/app', tag: 'x' };
    await expect(client.manifestDigest(ref)).resolves.toEqual({
      kind: 'rate-limited',
      retryAfterSec: 120,
    });
    const before = stub.requests.length;
    clock.advance(30_000);
    await expect(
      client.manifestDigest({ ...ref, repository: 'org/app', tag: '1' }),
    ).resolves.toEqual({ kind: 'rate-limited', retryAfterSec: 90 });
    expect(stub.requests.length).toBe(before);
    clock.advance(90_000);
    await expect(
      client.manifestDigest({ ...ref, repository: 'org/app', tag: '1' }),
    ).resolves.toMatchObject({ kind: 'ok' });
  });

  it('answers not-found for an unknown tag, and refuses a token service without HTTPS elsewhere', async () => {
    const client = new HttpRegistryClient({ clock: new ManualClock(), log: silentLogger });
    await expect(
      client.manifestDigest({ registry: stub.host, repository: 'org/app', tag: 'nope' }),
    ).resolves.toEqual({ kind: 'not-found' });
    await expect(
      client.manifestDigest({ registry: stub.host, repository: 'evil/app', tag: '1' }),
    ).resolves.toEqual({
      kind: 'error',
      reason: 'the registry named a token service without HTTPS',
    });
  });

  it('reports a registry that does not answer as an error, not an exception', async () => {
    const client = new HttpRegistryClient({
      clock: new ManualClock(),
      log: silentLogger,
      retries: 0,
    });
    const answer = await client.manifestDigest({
      registry: '127.0.0.1:1',
      repository: 'org/app',
      tag: '1',
    });
    expect(answer).toEqual({ kind: 'error', reason: 'the registry refused the connection' });
  });

  it('talks HTTPS to Docker Hub and non-loopback registries, HTTP only to this machine', () => {
    expect(HttpRegistryClient.baseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(HttpRegistryClient.baseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(HttpRegistryClient.baseUrl('localhost:5000')).toBe('http://localhost:5000');
  });
});

describe('registry header parsing', () => {
  it('parses Bearer challenges', () => {
    expect(
      parseBearerChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/nginx:pull',
    });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseBearerChallenge(undefined)).toBeUndefined();
  });
  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(retryAfterSeconds('42', now)).toBe(42);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 12:02:00 GMT', now)).toBe(120);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });
});
