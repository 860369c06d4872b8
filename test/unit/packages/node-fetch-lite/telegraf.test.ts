/**
 * telegraf's real Telegram client on packages/node-fetch-lite (through the npm override): the Bot API
 * emulator over HTTP, a self-signed HTTPS server with a keep-alive agent as telegraf uses in
 * production, media fetched by URL through a redirect, and errors as the daemon sees them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { Telegram, TelegramError } from 'telegraf';
import { asTelegrafSignal } from '../../../../src/telegram/telegraf-signal';
import { unsentRequestCode } from '../../../../src/telegram/api-errors';
import { BotApiEmulator } from '../../../support/bot-api-emulator';
import { freePort } from '../../../support/free-port';

const TOKEN = '123456:TEST-token-secret';
const SECRET = 'TEST-token-secret';

const png = (width: number, height: number): Buffer => PNG.sync.write(new PNG({ width, height }));

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

describe('telegraf on node-fetch-lite', () => {
  let emu: BotApiEmulator;
  beforeAll(async () => {
    emu = await BotApiEmulator.start({ token: TOKEN });
  });
  afterAll(async () => emu.stop());

  it('calls getMe and sends a photo from a Buffer as multipart', async () => {
    emu.user(7);
    const tg = new Telegram(TOKEN, { apiRoot: emu.apiRoot });
    expect(await tg.getMe()).toMatchObject({ is_bot: true });
    const sent = await tg.sendPhoto(
      7,
      { source: png(120, 80), filename: 'cpu.png' },
      {
        caption: 'CPU',
      },
    );
    expect(sent.photo.at(-1)).toMatchObject({ width: 120, height: 80 });
    expect(emu.transcript(7).at(-1)).toMatchObject({ caption: 'CPU' });
  });

  it('sends a photo given by URL, following the redirect to the picture', async () => {
    emu.user(8);
    const picture = png(30, 20);
    const media = createServer((req, res) => {
      if (req.url === '/latest.png') res.writeHead(302, { location: '/files/42.png' }).end();
      else res.writeHead(200, { 'content-type': 'image/png' }).end(picture);
    });
    const port = await listen(media);
    try {
      const tg = new Telegram(TOKEN, { apiRoot: emu.apiRoot });
      const sent = await tg.sendPhoto(8, { url: `http://127.0.0.1:${port}/latest.png` });
      expect(sent.photo.at(-1)).toMatchObject({ width: 30, height: 20 });
    } finally {
      await close(media);
    }
  });

  it('reaches an HTTPS Bot API through a keep-alive agent, and refuses an untrusted certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
          ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
          ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        ],
        { stdio: 'ignore' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'));
      const server = createHttpsServer(
        { cert, key: readFileSync(join(dir, 'key.pem')) },
        (req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({ ok: true, result: { id: 1, is_bot: true, first_name: req.url } }),
          );
        },
      );
      const port = await listen(server);
      const apiRoot = `https://127.0.0.1:${port}`;
      try {
        const trusted = new Telegram(TOKEN, {
          apiRoot,
          agent: new Agent({ ca: cert, keepAlive: true }),
        });
        expect((await trusted.getMe()).first_name).toBe(`/bot${TOKEN}/getMe`);
        expect((await trusted.getMe()).first_name).toBe(`/bot${TOKEN}/getMe`);
        const untrusted = new Telegram(TOKEN, { apiRoot, agent: new Agent() });
        const err = (await untrusted.getMe().catch((e: unknown) => e)) as Error;
        expect(err).toMatchObject({ name: 'FetchError', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
        expect(err.message).toMatch(
          /^request to https:\/\/127\.0\.0\.1:\d+\/bot123456:\[REDACTED\]\/getMe failed, reason: self[- ]signed certificate/,
        );
        expect(unsentRequestCode(err)).toBeUndefined();
      } finally {
        await close(server);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a refused connection as an unsent request, without the token', async () => {
    const tg = new Telegram(TOKEN, { apiRoot: `http://127.0.0.1:${await freePort()}` });
    const err = (await tg.getMe().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^request to http:\/\/127\.0\.0\.1:\d+\/bot123456:\[REDACTED\]\/getMe failed/,
    );
    expect(err.message).not.toContain(SECRET);
    expect(unsentRequestCode(err)).toBe('ECONNREFUSED');
  });

  it('survives an abort after a 5xx answer whose body telegraf never reads', async () => {
    const gateway = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.write('<html>'); // the body never ends, and telegraf never reads it
    });
    const closed = new Promise((r) => gateway.on('connection', (s) => s.on('close', r)));
    const port = await listen(gateway);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): number => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const tg = new Telegram(TOKEN, { apiRoot: `http://127.0.0.1:${port}` });
      const abort = new AbortController();
      const err = await tg
        .callApi('getMe', {}, { signal: asTelegrafSignal(abort.signal) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TelegramError);
      expect((err as TelegramError).code).toBe(502);
      abort.abort(); // destroys the unread response and its connection
      await closed;
      await new Promise((r) => setImmediate(r));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await close(gateway);
    }
  });
});
