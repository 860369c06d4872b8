import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { ADMIN_ID, Daemon, STRANGER_ID, TEST_SALT, TEST_TOKEN } from '../support/daemon';
import {
  freePort,
  send,
  startUpdate,
  webhookPortTaken,
  type WebhookRequest,
  type WebhookResponse,
} from '../support/webhook-client';

jest.setTimeout(90_000);

/** The emulator delivers from here (allowlisted, plays Telegram). */
const TELEGRAM = '127.0.0.2';
/** Also allowlisted: lets a test reach the checks behind the source check. */
const TELEGRAM_2 = '127.0.0.3';
/** A reverse proxy the daemon trusts. */
const PROXY = '127.0.0.50';

/** The server closed the connection without answering (a ban, a body cut at the limit). */
const cut = (r: WebhookResponse): boolean =>
  r.status === undefined && (r.error === 'ECONNRESET' || r.error === 'EPIPE');

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

describe('webhook mode, end to end (real daemon, real HTTP on loopback)', () => {
  let emu: BotApiEmulator;
  const daemons: Daemon[] = [];
  const secrets: string[] = [];

  beforeEach(async () => {
    emu = await BotApiEmulator.start({
      token: TEST_TOKEN,
      localAddress: TELEGRAM,
      webhookRetryMs: 20,
    });
  });
  afterEach(async () => {
    for (const d of daemons.splice(0)) {
      await d.stop('SIGKILL');
      expect(d.output).not.toContain(TEST_TOKEN);
      expect(d.output).not.toContain(TEST_SALT);
      for (const s of secrets) expect(d.output).not.toContain(s);
      d.cleanup();
    }
    secrets.length = 0;
    await emu.stop();
  });

  interface Running {
    d: Daemon;
    port: number;
    /** The registered path and secret. */
    path: string;
    secret: string;
  }

  interface StartOptions {
    stateDir?: string;
    port?: number;
    expectWebhook?: boolean;
    env?: Record<string, string>;
  }

  /** Starts the daemon in webhook mode; again on another port if its pick was taken meanwhile. */
  async function start(
    webhook: Record<string, unknown> = {},
    opts: StartOptions = {},
  ): Promise<Running> {
    for (let attempt = 1; ; attempt++) {
      const r = await startOnce(webhook, opts);
      if (opts.port !== undefined || attempt >= 5 || !webhookPortTaken(r.d)) return r;
      await r.d.stop('SIGKILL');
    }
  }

  async function startOnce(webhook: Record<string, unknown>, opts: StartOptions): Promise<Running> {
    const port = opts.port ?? (await freePort());
    const d = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--webhook'],
      ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
      ...(opts.env !== undefined ? { env: opts.env } : {}),
      config: {
        webhook_config: {
          url: ['bot.example.com'],
          webhook_port: [8443],
          local_port: [port],
          trusted_proxy_ips: [PROXY],
          additional_telegram_ip_ranges: [`${TELEGRAM}/32`, TELEGRAM_2],
          request_timeout_seconds: 2,
          ...webhook,
        },
      },
    });
    daemons.push(d);
    await d.ready();
    if (opts.expectWebhook === false || webhookPortTaken(d))
      return { d, port, path: '', secret: '' };
    const info = emu.webhookInfo();
    const path = new URL(info.url ?? '').pathname;
    const secret = info.secret_token ?? '';
    secrets.push(secret, path.split('/')[2] ?? '');
    emu.setWebhookTarget(`http://127.0.0.1:${port}`);
    return { d, port, path, secret };
  }

  const post = (
    r: Running,
    body: string,
    extra: Partial<WebhookRequest> = {},
  ): Promise<WebhookResponse> =>
    send({
      port: r.port,
      path: r.path,
      localAddress: TELEGRAM_2,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': r.secret },
      body,
      ...extra,
    });

  const sends = (): number => emu.calls.filter((c) => c.method === 'sendMessage').length;

  it('registers a random path and secret, and the bot answers as in polling mode', async () => {
    const r = await start();
    expect(r.path).toMatch(/^\/webhook\/[A-Za-z0-9_-]{22}\/$/);
    expect(r.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const set = emu.calls.find((c) => c.method === 'setWebhook')!.params;
    expect(set).toMatchObject({
      max_connections: 10,
      drop_pending_updates: true,
      allowed_updates: ['message', 'callback_query'],
    });
    // The log shows the path masked only.
    const token = r.path.split('/')[2]!;
    expect(r.d.output).toContain(`/webhook/${token.slice(0, 3)}…${token.slice(-3)}/`);
    expect(r.d.output).toMatch(/plain HTTP; terminate TLS in a reverse proxy/);

    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await ann.command('/start');
    const reply = await ann.nextReply();
    expect(reply.text).toMatch(/Hi, Ann!/);

    const stranger = emu.user(STRANGER_ID, { first_name: 'Mallory' });
    await stranger.text('hi');
    expect((await stranger.nextReply()).text).toMatch(/2 attempts left/);

    await ann.command('/getmyid');
    const card = await ann.nextReply();
    const data = (card.reply_markup?.inline_keyboard[0]?.[0] as { callback_data: string })
      .callback_data;
    const press = await ann.press(card, data);
    expect((await emu.waitForCallbackAnswer(press)).text).toBe('Deleted.');

    // The health screen names the source its liveness comes from.
    await ann.command('/health');
    expect((await ann.nextReply()).text).toMatch(/Update loop.*webhook delivery or check/s);

    expect(emu.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    expect(await r.d.stop()).toBe(0);
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only its rightmost untrusted hop', async () => {
    const r = await start();
    emu.user(ADMIN_ID, { first_name: 'Ann' });
    // Through the proxy: the client appended by the proxy is Telegram.
    const ok = await post(r, startUpdate(700_001, ADMIN_ID), {
      localAddress: PROXY,
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': r.secret,
        'x-forwarded-for': `203.0.113.7, ${TELEGRAM_2}`,
      },
    });
    expect(ok.status).toBe(200);
    await emu.waitForMessage((m) => m.chat.id === ADMIN_ID);
  });

  it('withstands the attack suite: each request refused with its status, nothing processed, daemon healthy', async () => {
    const r = await start();
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    const hdr = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': r.secret };
    let n = 800_000;
    const update = (): string => startUpdate(++n, ADMIN_ID);
    const before = sends();

    const cases: [string, () => Promise<WebhookResponse>, number][] = [
      [
        'wrong path',
        () =>
          post(r, update(), {
            path: '/webhook/AAAAAAAAAAAAAAAAAAAAAA/',
            localAddress: '127.0.0.10',
          }),
        404,
      ],
      [
        'wrong secret',
        () =>
          post(r, update(), {
            headers: { ...hdr, 'x-telegram-bot-api-secret-token': `${r.secret.slice(0, -1)}x` },
          }),
        403,
      ],
      [
        'missing secret',
        () => post(r, update(), { headers: { 'content-type': 'application/json' } }),
        403,
      ],
      ['foreign source IP', () => post(r, update(), { localAddress: '127.0.0.11' }), 403],
      [
        'spoofed X-Forwarded-For from an untrusted peer',
        () =>
          post(r, update(), {
            localAddress: '127.0.0.12',
            headers: { ...hdr, 'x-forwarded-for': TELEGRAM },
          }),
        403,
      ],
      [
        'forged leftmost X-Forwarded-For behind the trusted proxy',
        () =>
          post(r, update(), {
            localAddress: PROXY,
            headers: { ...hdr, 'x-forwarded-for': `${TELEGRAM}, 127.0.0.13` },
          }),
        403,
      ],
      ['invalid JSON', () => post(r, '{"update_id": 1, "message": {', {}), 400],
      ['not an update', () => post(r, '{"hello":"world"}', {}), 400],
      [
        'non-JSON content type',
        () => post(r, update(), { headers: { ...hdr, 'content-type': 'text/plain' } }),
        415,
      ],
      ['GET', () => post(r, '', { method: 'GET', localAddress: '127.0.0.14' }), 405],
      ['PUT', () => post(r, update(), { method: 'PUT', localAddress: '127.0.0.14' }), 405],
    ];
    for (const [name, run, status] of cases) {
      expect([name, (await run()).status]).toEqual([name, status]);
    }

    // 10 MB bodies, declared and chunked, with the right secret from an allowed source: refused at
    // the limit without being read (the client may see the 413 or the connection being cut).
    const big = 'x'.repeat(10 * 1024 * 1024);
    for (const chunked of [false, true]) {
      const res = await post(r, big, { chunked });
      expect(res.status === 413 || cut(res)).toBe(true);
    }

    // Slowloris: headers that never finish are cut after request_timeout_seconds.
    const socket = connect({ host: '127.0.0.1', port: r.port, localAddress: '127.0.0.16' });
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (b: Buffer) => (answer += b.toString()));
    socket.write(`POST ${r.path} HTTP/1.1\r\nHost: bot.example.com\r\nX-Slow: 1`);
    const drip = setInterval(() => socket.write('1'), 300);
    const closed = await Promise.race([
      new Promise<boolean>((res) => socket.once('close', () => res(true))),
      new Promise<boolean>((res) => setTimeout(() => res(false), 30_000)),
    ]);
    clearInterval(drip);
    socket.destroy();
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);

    // Nothing above reached the bot.
    expect(sends()).toBe(before);
    expect(r.d.output).toMatch(/ignored X-Forwarded-For from a peer that is not a trusted proxy/);

    // A replayed update is accepted (Telegram must not retry it) but handled once.
    const replay = startUpdate(900_000, ADMIN_ID);
    expect((await post(r, replay)).status).toBe(200);
    expect((await post(r, replay)).status).toBe(200);
    await emu.waitForMessage((m) => m.chat.id === ADMIN_ID);

    // Still healthy: a real delivery through the emulator is answered.
    await ann.command('/start');
    await ann.nextReply();
    expect(sends()).toBe(before + 2);
    expect(r.d.proc.exitCode).toBeNull();
  });

  it('keeps memory bounded under 10 000 distinct source addresses (and 10 000 more)', async () => {
    const r = await start();
    /** 10 000 requests, each from a new address of 127.<block>.x.y, 16 at a time. */
    const flood = async (block: number): Promise<Record<string, number>> => {
      const total = 10_000;
      let next = 0;
      const statuses: Record<string, number> = {};
      const worker = async (): Promise<void> => {
        for (let i = next++; i < total; i = next++) {
          const res = await send({
            port: r.port,
            path: r.path,
            localAddress: `127.${block}.${i >> 8}.${i & 255}`,
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          const k = String(res.status ?? res.error);
          statuses[k] = (statuses[k] ?? 0) + 1;
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      return statuses;
    };
    expect(await flood(1)).toEqual({ '403': 10_000 });
    const rssFirst = rssKiB(r.d.proc.pid!);
    expect(await flood(2)).toEqual({ '403': 10_000 });
    const rssSecond = rssKiB(r.d.proc.pid!);
    // Bounded: the second 10 000 addresses do not grow the process further (the first round's growth
    // is V8 sizing its heap to the load; tracking itself is capped at 4096 addresses).
    expect(rssSecond - rssFirst).toBeLessThan(32 * 1024);

    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await ann.command('/start');
    await ann.nextReply();
    expect(await r.d.stop()).toBe(0);
    // The flood switched the process to favour memory, and tracking stayed at its bound.
    expect(r.d.output).toMatch(/connection flood \(\d+ new connections in a second\)/);
    const summary = /"tracked":(\d+)/.exec(r.d.output);
    expect(Number(summary?.[1])).toBeLessThanOrEqual(4096);
  });

  it('bans an address that keeps failing, keeps the ban across a restart, and leaves others alone', async () => {
    const first = await start({ ban_threshold: 8 });
    const attacker = '127.0.0.20';
    const results: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await post(first, '{}', { path: '/wp-login.php', localAddress: attacker });
      results.push(String(res.status ?? res.error));
    }
    expect(results.slice(0, 5)).toEqual(['404', '404', '404', '404', '404']);
    expect(results.slice(5, 8)).toEqual(['429', '429', '429']);
    expect(results.slice(8).every((e) => e === 'ECONNRESET' || e === 'EPIPE')).toBe(true);
    expect(first.d.output).toMatch(
      /^(?=.*banned a client from the webhook)(?=.*"ip":"127\.0\.0\.20").*$/m,
    );
    expect(await first.d.stop()).toBe(0);

    const second = await start(
      { ban_threshold: 8 },
      { stateDir: first.d.stateDir, port: first.port },
    );
    expect(second.d.output).toMatch(/1 webhook ban\(s\) restored/);
    expect(cut(await post(second, '{}', { localAddress: attacker }))).toBe(true);
    expect(
      (await post(second, '{}', { path: '/wp-login.php', localAddress: '127.0.0.21' })).status,
    ).toBe(404);
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await ann.command('/start');
    await ann.nextReply();
  });

  it('rotates path and secret after the threshold; the old pair works for the grace period, then 404', async () => {
    const r = await start({ rotate_after_requests: 3, rotation_grace_seconds: 4 });
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    for (let i = 0; i < 3; i++) {
      await ann.command('/start');
      await ann.nextReply();
    }
    await emu.waitFor(
      (e) =>
        e.type === 'call' &&
        e.call.method === 'setWebhook' &&
        e.call.params['url'] !== `https://bot.example.com:8443${r.path}`,
      20_000,
    );
    const info = emu.webhookInfo();
    const newPath = new URL(info.url ?? '').pathname;
    secrets.push(info.secret_token ?? '', newPath.split('/')[2] ?? '');
    expect(newPath).not.toBe(r.path);
    expect(info.secret_token).not.toBe(r.secret);
    expect(
      emu.calls.filter((c) => c.method === 'setWebhook').at(-1)?.params['drop_pending_updates'],
    ).toBe(false);

    // The emulator now delivers to the new URL.
    await ann.command('/start');
    await ann.nextReply();
    // The old pair still works inside the grace period...
    expect((await post(r, startUpdate(600_001, ADMIN_ID))).status).toBe(200);
    // ...and is refused once it is over.
    let status: number | undefined;
    const deadline = Date.now() + 30_000;
    do {
      await new Promise((res) => setTimeout(res, 1000));
      status = (await post(r, startUpdate(600_002, ADMIN_ID))).status;
    } while (status === 200 && Date.now() < deadline);
    expect(status).toBe(404);
    expect(r.d.output).toMatch(/rotated the webhook path and secret \(count\)/);
  });

  it('falls back to long polling when setWebhook fails', async () => {
    emu.fail('setWebhook', {
      error_code: 400,
      description: 'Bad Request: bad webhook: Failed to resolve host: Name or service not known',
    });
    const r = await start({}, { expectWebhook: false });
    expect(r.d.output).toMatch(/could not set up the webhook; falling back to long polling/);
    expect(r.d.output).toMatch(/ready: receiving updates by long polling/);
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await ann.command('/start');
    expect((await ann.nextReply()).text).toMatch(/Hi, Ann!/);
    await ann.command('/health');
    expect((await ann.nextReply()).text).toMatch(/getUpdates \(the webhook could not be set up\)/);
    // The port was released.
    expect((await send({ port: r.port, path: '/', localAddress: TELEGRAM })).error).toBe(
      'ECONNREFUSED',
    );
  });

  it('falls back to long polling at run time when Telegram keeps failing to deliver, keeping the waiting updates', async () => {
    // The registration is checked every second (the poll timeout), so three failed checks take ~3 s.
    const r = await start(
      {},
      { env: { TMBOT_POLL_TIMEOUT_SECONDS: '1', TMBOT_HEALTH_TIME_SCALE: '0.1' } },
    );
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await ann.command('/start');
    expect((await ann.nextReply()).text).toMatch(/Hi, Ann!/);
    // The proxy in front of the bot goes away: deliveries fail from now on.
    emu.setWebhookTarget(`http://127.0.0.1:${await freePort()}`);
    await ann.command('/health');
    await r.d.waitForLog(/the webhook stopped receiving: .*falling back to long polling/, 20_000);
    // The update that waited at Telegram arrives by getUpdates.
    const health = await ann.nextReply(30_000);
    expect(health.text).toMatch(/Health/);
    expect(emu.webhookInfo().url).toBe('');
    // The Health screen says so once the update-loop check has run again (results are ≤ 1 s old here).
    const notice =
      /getUpdates \(the webhook stopped receiving at \d\d:\d\d UTC, fell back to long polling: Telegram reported failed deliveries/;
    const deadline = Date.now() + 40_000;
    let text = '';
    for (;;) {
      await ann.command('/health');
      text = (await ann.nextReply(20_000)).text ?? '';
      if (notice.test(text) || Date.now() > deadline) break;
      // Polling with a deadline, spaced under the per-user rate limit (8 per 10 s).
      await new Promise((res) => setTimeout(res, 2000));
    }
    expect(text).toMatch(notice);
    // The webhook port is closed.
    expect((await send({ port: r.port, path: '/', localAddress: TELEGRAM })).error).toBe(
      'ECONNREFUSED',
    );
  });

  it('falls back to long polling when no public URL is configured', async () => {
    const r = await start({ url: [''] }, { expectWebhook: false });
    expect(r.d.output).toMatch(/webhook_config\.url is not set/);
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await ann.command('/start');
    await ann.nextReply();
  });
});
