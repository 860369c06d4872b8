/**
 * Issue 17 §2: per-IP limits protect against abusers, not against Telegram. Real daemon in
 * webhook mode, real HTTP on loopback; 127.0.0.x addresses play Telegram and the crowd.
 */
import { connect, type Socket } from 'node:net';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { ADMIN_ID, Daemon, STRANGER_ID, TEST_TOKEN } from '../support/daemon';
import { freePort, send, startUpdate, webhookPortTaken } from '../support/webhook-client';

jest.setTimeout(90_000);

/** The emulator delivers from here (an additional Telegram range). */
const TELEGRAM = '127.0.0.2';
/** Also in the Telegram ranges: the test posts from it directly. */
const TELEGRAM_2 = '127.0.0.3';
const PROXY = '127.0.0.50';

/** Opens an idle TCP connection from `localAddress`; resolves once connected. */
function idle(port: number, localAddress: string, open: Socket[]): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve());
    s.on('error', () => resolve());
    open.push(s);
  });
}

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhook limits per source (real daemon, loopback)', () => {
  let emu: BotApiEmulator;
  let d: Daemon;
  let port: number;
  let path: string;
  let secret: string;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN, localAddress: TELEGRAM });
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      d = Daemon.start({
        apiRoot: emu.apiRoot,
        args: ['--webhook'],
        config: {
          webhook_config: {
            url: ['bot.example.com'],
            webhook_port: [8443],
            local_port: [port],
            trusted_proxy_ips: [PROXY],
            additional_telegram_ip_ranges: [`${TELEGRAM}/32`, TELEGRAM_2],
            request_timeout_seconds: 20,
          },
        },
      });
      await d.ready();
      if (attempt >= 5 || !webhookPortTaken(d)) break;
      await d.stop('SIGKILL');
      d.cleanup();
    }
    const info = emu.webhookInfo();
    path = new URL(info.url ?? '').pathname;
    secret = info.secret_token ?? '';
    emu.setWebhookTarget(`http://127.0.0.1:${port}`);
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    expect(await d.stop()).toBe(0);
    expect(d.output).not.toContain(TEST_TOKEN);
    expect(d.output).not.toContain(secret);
    d.cleanup();
    await emu.stop();
  });

  const post = (body: string, localAddress = TELEGRAM_2, headers: Record<string, string> = {}) =>
    send({
      port,
      path,
      localAddress,
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': secret,
        ...headers,
      },
      body,
    });

  it('never throttles a Telegram-range source below its delivery rate; a stranger flood does not delay the owner', async () => {
    const codes: number[] = [];
    // 60 messages from a stranger arrive from Telegram's address, as fast as it sends them.
    for (let i = 0; i < 60; i++) {
      codes.push((await post(startUpdate(900_000 + i, STRANGER_ID))).status ?? 0);
    }
    expect(codes.filter((c) => c !== 200)).toEqual([]);
    // The same through a trusted proxy whose client is Telegram.
    for (let i = 0; i < 20; i++) {
      const r = await post(startUpdate(901_000 + i, STRANGER_ID), PROXY, {
        'x-forwarded-for': TELEGRAM_2,
      });
      expect(r.status).toBe(200);
    }
    const t0 = Date.now();
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await ann.command('/start');
    expect((await ann.nextReply(20_000)).text).toMatch(/Hi, Ann!/);
    // Queued behind the flood it would wait far longer; the rest is a loaded machine's slack.
    expect(Date.now() - t0).toBeLessThan(15_000);
    // Anyone else is still limited per IP.
    const other: (number | undefined)[] = [];
    for (let i = 0; i < 15; i++) other.push((await post('{}', '127.0.0.77')).status);
    expect(other).toContain(429);
  });

  it('idle connections from many addresses cannot use up the slots Telegram needs; one address holds at most 16', async () => {
    const one: Socket[] = [];
    await Promise.all(Array.from({ length: 20 }, () => idle(port, '127.0.2.1', one)));
    sockets.push(...one);
    await until(() => one.filter((s) => s.destroyed || s.readyState === 'closed').length >= 4);
    // A request served after them proves the server has handled every one of those connections.
    expect((await post(startUpdate(902_001, ADMIN_ID))).status).toBe(200);
    expect(one.filter((s) => !s.destroyed && s.readyState === 'open').length).toBe(16);

    const crowd: Promise<void>[] = [];
    // 520 idle connections from 40 addresses: more than the 512-connection cap.
    for (let a = 0; a < 40; a++) {
      for (let i = 0; i < 13; i++) crowd.push(idle(port, `127.0.1.${a + 1}`, sockets));
    }
    await Promise.all(crowd);
    const r = await post(startUpdate(902_002, ADMIN_ID));
    expect(r.status).toBe(200);
    expect((await emu.user(ADMIN_ID).nextReply(20_000)).text).toMatch(/Hi/);
  });
});
