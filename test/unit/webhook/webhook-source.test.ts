import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Update } from 'telegraf/types';
import { ManualClock } from '../../../src/clock';
import type { Config } from '../../../src/config/types';
import { createLogger } from '../../../src/log/logger';
import { Redactor } from '../../../src/log/redactor';
import { openStateStore, removeStateDir } from '../../support/state-store';
import { safeEqual } from '../../../src/webhook/credentials';
import {
  WebhookSetupError,
  WebhookSource,
  type SetWebhookParams,
  type WebhookApi,
} from '../../../src/webhook/webhook-source';
import { send, startUpdate, type WebhookRequest } from '../../support/webhook-client';

const TELEGRAM = '127.0.0.2'; // allowlisted below, plays Telegram
const STRANGER = '127.0.0.66';

function settings(overrides: Partial<Config['webhook']> = {}): Config['webhook'] {
  return {
    url: 'bot.example.com',
    publicPort: 8443,
    localPort: 0,
    cert: undefined,
    certKey: undefined,
    trustedProxies: ['127.0.0.1'],
    extraRanges: [`${TELEGRAM}/32`],
    maxConnections: 10,
    dropPendingUpdates: true,
    requestTimeoutMs: 1000,
    rateLimit: { limit: 10, unknownPathLimit: 5, windowMs: 10_000 },
    ban: { threshold: 50, windowMs: 600_000, durationMs: 3_600_000 },
    rotation: { afterRequests: 0, intervalMs: 0, graceMs: 300_000 },
    ...overrides,
  };
}

class FakeApi implements WebhookApi {
  readonly calls: SetWebhookParams[] = [];
  failNext = 0;
  info = { url: '', pending_update_count: 0 } as {
    url: string;
    pending_update_count: number;
    last_error_date?: number;
    last_error_message?: string;
  };
  setWebhook(params: SetWebhookParams): Promise<true> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('Bad Request: bad webhook: Failed to resolve host'));
    }
    this.calls.push(params);
    this.info = { url: params.url, pending_update_count: 0 };
    return Promise.resolve(true);
  }
  getWebhookInfo(): Promise<typeof this.info> {
    return Promise.resolve(this.info);
  }
  get last(): SetWebhookParams {
    return this.calls[this.calls.length - 1]!;
  }
}

describe('WebhookSource', () => {
  let dir: string;
  let clock: ManualClock;
  let api: FakeApi;
  let delivered: Update[];
  let secrets: string[];
  let logText: string;
  let source: WebhookSource | undefined;
  let busy: boolean;
  let memoryModes: boolean[];
  let lost: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-webhook-'));
    clock = new ManualClock();
    api = new FakeApi();
    delivered = [];
    secrets = [];
    logText = '';
    busy = false;
    memoryModes = [];
    lost = [];
  });
  afterEach(async () => {
    source?.stop();
    await source?.run();
    source = undefined;
    await removeStateDir(dir);
  });

  async function start(overrides: Partial<Config['webhook']> = {}): Promise<WebhookSource> {
    // No redaction here: the code itself must never log the secrets.
    const log = createLogger({
      level: 'debug',
      format: 'json',
      redactor: new Redactor(),
      stream: new Writable({
        write(chunk: Buffer, _enc, cb): void {
          logText += chunk.toString();
          cb();
        },
      }),
    });
    source = new WebhookSource(
      {
        settings: settings(overrides),
        listenHost: '127.0.0.1',
        allowedUpdates: ['message', 'callback_query'],
        closeGraceMs: 100,
        // The tests call probe() themselves; the interval must not fire while they move the clock.
        probeEveryMs: 3_600_000,
      },
      {
        api,
        deliver: (u) => {
          if (busy) return false;
          delivered.push(u);
          return true;
        },
        addSecret: (s) => secrets.push(s),
        favourMemory: (on) => memoryModes.push(on),
        onLost: (reason) => lost.push(reason),
        clock,
        store: await openStateStore(join(dir, 'state')),
        log,
      },
    );
    await source.start();
    return source;
  }

  const port = (): number => source!.bound!.port;
  const pathOf = (p: SetWebhookParams): string => new URL(p.url).pathname;
  const post = (p: SetWebhookParams, body: string, extra: Partial<WebhookRequest> = {}) =>
    send({
      port: port(),
      path: pathOf(p),
      localAddress: TELEGRAM,
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': p.secret_token,
      },
      body,
      ...extra,
    });

  it('registers a random path and secret with explicit settings', async () => {
    await start();
    const p = api.last;
    expect(p.url).toMatch(/^https:\/\/bot\.example\.com:8443\/webhook\/[A-Za-z0-9_-]{22}\/$/);
    expect(p.secret_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p).toMatchObject({
      allowed_updates: ['message', 'callback_query'],
      max_connections: 10,
      drop_pending_updates: true,
    });
    expect(secrets).toEqual(expect.arrayContaining([p.secret_token, pathOf(p).split('/')[2]]));
    expect(logText).toContain('no webhook_config.cert/cert_key');
  });

  it('accepts a well-formed delivery from an allowed source and hands it over', async () => {
    await start();
    clock.advance(5000);
    const r = await post(api.last, startUpdate(1, 1001));
    expect(r.status).toBe(200);
    expect(delivered.map((u) => u.update_id)).toEqual([1]);
    expect(source!.lastSuccessAt).toBe(clock.now());
  });

  it('answers each failed check with its status and delivers nothing', async () => {
    await start();
    const p = api.last;
    const body = startUpdate(2, 1001);
    const hdr = {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': p.secret_token,
    };
    const cases: [string, Promise<{ status: number | undefined }>, number][] = [
      ['GET', post(p, '', { method: 'GET', localAddress: '127.0.0.10' }), 405],
      ['PUT', post(p, body, { method: 'PUT', localAddress: '127.0.0.10' }), 405],
      [
        'wrong path',
        post(p, body, { path: '/webhook/AAAAAAAAAAAAAAAAAAAAAA/', localAddress: '127.0.0.11' }),
        404,
      ],
      [
        'query string',
        post(p, body, { path: `${pathOf(p)}?x=1`, localAddress: '127.0.0.11' }),
        404,
      ],
      ['foreign source', post(p, body, { localAddress: STRANGER }), 403],
      [
        'wrong secret',
        post(p, body, { headers: { ...hdr, 'x-telegram-bot-api-secret-token': 'x'.repeat(43) } }),
        403,
      ],
      ['missing secret', post(p, body, { headers: { 'content-type': 'application/json' } }), 403],
      ['text/plain', post(p, body, { headers: { ...hdr, 'content-type': 'text/plain' } }), 415],
      ['invalid JSON', post(p, '{"update_id":', {}), 400],
      ['not an update', post(p, '{"update_id":-1,"message":{}}', {}), 400],
      ['array', post(p, '[1,2]', {}), 400],
      [
        'declared too large',
        post(p, body, { headers: { ...hdr, 'content-length': String(300 * 1024) } }),
        413,
      ],
    ];
    for (const [name, promise, status] of cases) {
      expect([name, (await promise).status]).toEqual([name, status]);
    }
    expect(delivered).toEqual([]);
  });

  it('stops reading a chunked body at 256 KiB and answers 413', async () => {
    await start();
    const r = await post(api.last, 'x'.repeat(2 * 1024 * 1024), {
      chunked: true,
    });
    // The server closes the connection after its answer; the client may see the 413 or a reset.
    expect(r.status === 413 || r.error === 'ECONNRESET' || r.error === 'EPIPE').toBe(true);
    expect(delivered).toEqual([]);
  });

  it('answers 503 when the bot is saturated, so Telegram retries', async () => {
    await start();
    busy = true;
    expect((await post(api.last, startUpdate(3, 1001))).status).toBe(503);
  });

  it('rate limits per address, then bans and drops the connection', async () => {
    await start({ ban: { threshold: 5, windowMs: 600_000, durationMs: 3_600_000 } });
    const p = api.last;
    const statuses: (number | string | undefined)[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await post(p, '', { path: '/nope', localAddress: '127.0.0.20' });
      statuses.push(r.status ?? r.error);
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toContain('ECONNRESET');
    // Another address is unaffected.
    expect((await post(p, startUpdate(4, 1001))).status).toBe(200);
    expect(logText).toMatch(
      /^(?=.*banned a client from the webhook)(?=.*"ip":"127\.0\.0\.20").*$/m,
    );
  });

  it('never bans an allowed source address', async () => {
    await start({ ban: { threshold: 3, windowMs: 600_000, durationMs: 3_600_000 } });
    for (let i = 0; i < 5; i++) await post(api.last, '{', {});
    expect((await post(api.last, startUpdate(5, 1001))).status).toBe(200);
  });

  it('rotates credentials after N accepted updates; the old pair works for the grace period', async () => {
    await start({ rotation: { afterRequests: 3, intervalMs: 0, graceMs: 300_000 } });
    const first = api.last;
    for (let i = 1; i <= 3; i++)
      expect((await post(first, startUpdate(10 + i, 1001))).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect(api.calls).toHaveLength(2);
    const second = api.last;
    expect(second.url).not.toBe(first.url);
    expect(second.secret_token).not.toBe(first.secret_token);
    expect(second.drop_pending_updates).toBe(false);
    expect((await post(second, startUpdate(20, 1001))).status).toBe(200);
    expect((await post(first, startUpdate(21, 1001))).status).toBe(200);
    // The old secret does not open the new path.
    expect(
      (
        await post(second, startUpdate(22, 1001), {
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': first.secret_token,
          },
        })
      ).status,
    ).toBe(403);
    clock.advance(300_000);
    expect((await post(first, startUpdate(23, 1001))).status).toBe(404);
    expect((await post(second, startUpdate(24, 1001))).status).toBe(200);
    expect(logText).toMatch(
      /rotated the webhook path and secret \(count\); now \/webhook\/.{3}….{3}\//,
    );
  });

  it('keeps the current pair when registering new ones fails', async () => {
    await start({ rotation: { afterRequests: 1, intervalMs: 0, graceMs: 300_000 } });
    const first = api.last;
    api.failNext = 1;
    expect((await post(first, startUpdate(30, 1001))).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect(api.calls).toHaveLength(1);
    expect((await post(first, startUpdate(31, 1001))).status).toBe(200);
    expect(logText).toContain('could not register new webhook credentials');
  });

  it('refuses to start when setWebhook fails, and frees the port', async () => {
    api.failNext = 1;
    await expect(start()).rejects.toThrow(/bad webhook/);
    const bound = source!.bound!;
    const r = await send({ port: bound.port, path: '/', localAddress: TELEGRAM });
    expect(r.error).toBe('ECONNREFUSED');
  });

  it('refuses to start without a usable public host name', async () => {
    await expect(start({ url: '' })).rejects.toBeInstanceOf(WebhookSetupError);
    await expect(start({ url: 'https://bad_host!/' })).rejects.toThrow(/not a host name/);
    expect(api.calls).toHaveLength(0);
  });

  it('accepts a pyTMBot-style url with a scheme', async () => {
    await start({ url: 'https://bot.example.com/' });
    expect(api.last.url.startsWith('https://bot.example.com:8443/webhook/')).toBe(true);
  });

  it('refreshes liveness from getWebhookInfo only while our URL is registered and delivering', async () => {
    await start();
    const registeredAt = source!.lastSuccessAt;
    clock.advance(60_000);
    await source!.probe();
    expect(source!.lastSuccessAt).toBe(clock.now());
    clock.advance(60_000);
    api.info = {
      url: api.last.url,
      pending_update_count: 3,
      last_error_date: Math.floor(clock.now() / 1000),
    };
    await source!.probe();
    expect(source!.lastSuccessAt).toBe(clock.now() - 60_000);
    api.info = { url: 'https://other.example.com/x', pending_update_count: 0 };
    clock.advance(60_000);
    await source!.probe();
    expect(source!.lastSuccessAt).toBeGreaterThan(registeredAt);
    expect(source!.lastSuccessAt).toBeLessThan(clock.now());
    expect(logText).toContain('no longer has our webhook URL');
  });

  it('reports the webhook lost once after three checks in a row find deliveries failing', async () => {
    await start();
    const failing = (): void => {
      clock.advance(60_000);
      api.info = {
        url: api.last.url,
        pending_update_count: 2,
        last_error_date: Math.floor(clock.now() / 1000),
        last_error_message: 'Connection refused',
      };
    };
    failing();
    await source!.probe();
    failing();
    await source!.probe();
    // A good check in between starts the count again.
    api.info = { url: api.last.url, pending_update_count: 0 };
    await source!.probe();
    failing();
    await source!.probe();
    failing();
    await source!.probe();
    expect(lost).toEqual([]);
    failing();
    await source!.probe();
    expect(lost).toEqual([
      'Telegram reported failed deliveries at 3 checks in a row, 2 update(s) waiting (last error: Connection refused)',
    ]);
    failing();
    await source!.probe();
    expect(lost).toHaveLength(1);
  });

  it('closes connections that send headers too slowly (slowloris)', async () => {
    await start({ requestTimeoutMs: 1000 });
    const socket = connect({ host: '127.0.0.1', port: port(), localAddress: '127.0.0.30' });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /webhook/x/ HTTP/1.1\r\nHost: a\r\n');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    const closed = await Promise.race([
      new Promise<boolean>((r) => socket.once('close', () => r(true))),
      new Promise<boolean>((r) => setTimeout(() => r(false), 8000)),
    ]);
    socket.destroy();
    expect(closed).toBe(true);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes idle connections that never send a request', async () => {
    await start({ requestTimeoutMs: 1000 });
    const socket = connect({ host: '127.0.0.1', port: port(), localAddress: '127.0.0.31' });
    socket.on('error', () => undefined);
    socket.resume();
    const closed = await Promise.race([
      new Promise<boolean>((r) => socket.once('close', () => r(true))),
      new Promise<boolean>((r) => setTimeout(() => r(false), 8000)),
    ]);
    socket.destroy();
    expect(closed).toBe(true);
  });

  it('never writes the path token or the secret to the log', async () => {
    await start({ rotation: { afterRequests: 1, intervalMs: 0, graceMs: 300_000 } });
    await post(api.last, startUpdate(40, 1001));
    await post(api.last, '{', { localAddress: STRANGER });
    await new Promise((r) => setImmediate(r));
    source!.stop();
    await source!.run();
    expect(api.calls.length).toBe(2);
    expect(logText).not.toBe('');
    for (const p of api.calls) {
      expect(logText).not.toContain(p.secret_token);
      expect(logText).not.toContain(pathOf(p).split('/')[2]);
    }
  });

  const haveOpenssl = ((): boolean => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  (haveOpenssl ? it : it.skip)(
    'serves HTTPS itself when cert and key are readable, and uploads the certificate',
    async () => {
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=bot.example.com',
        ],
        { stdio: 'ignore' },
      );
      await start({ cert, certKey: key });
      expect(api.last.certificate).toBe(cert);
      const p = api.last;
      const body = startUpdate(50, 1001);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port: port(),
            path: pathOf(p),
            method: 'POST',
            localAddress: TELEGRAM,
            rejectUnauthorized: false,
            agent: false,
            headers: {
              'content-type': 'application/json',
              'x-telegram-bot-api-secret-token': p.secret_token,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      expect(status).toBe(200);
      expect(logText).not.toContain('no webhook_config.cert');
    },
  );
});

describe('safeEqual', () => {
  it('compares exactly', () => {
    const b = (s: string): Buffer => Buffer.from(s);
    expect(safeEqual('abc', b('abc'))).toBe(true);
    expect(safeEqual('abc', b('abd'))).toBe(false);
    expect(safeEqual('abc', b('abcd'))).toBe(false);
    expect(safeEqual('é', b('e'))).toBe(false);
    expect(safeEqual(b('xyz'), b('xyz'))).toBe(true);
  });
});
