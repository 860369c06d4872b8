/**
 * SafeSender over a Bot API connection that fails: a real HTTP server on loopback that drops the
 * connection before answering (an idle keep-alive socket closed by Telegram as the request went out)
 * or after it has begun to answer (the message may have gone out).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegraf } from 'telegraf';
import { ManualClock, systemClock, type Clock } from '../../../src/clock';
import { CallbackStore } from '../../../src/telegram/callback-store';
import { SafeSender } from '../../../src/telegram/sender';
import { html } from '../../../src/views/html';
import { MemoryStore } from '../../support/memory-store';
import { silentLogger } from '../../support/silent-logger';

const TOKEN = '123456:TEST-token';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const ok = (res: ServerResponse): void => {
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      ok: true,
      result: { message_id: 5, date: 0, chat: { id: 7, type: 'private' }, text: 'hi' },
    }),
  );
};

describe('SafeSender when the connection to the Bot API fails', () => {
  let server: Server;
  let requests = 0;
  let handle: Handler;

  beforeEach(async () => {
    requests = 0;
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => handle(req, res, requests));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  function sender(clock: Clock = systemClock): SafeSender {
    const { port } = server.address() as AddressInfo;
    const bot = new Telegraf(TOKEN, {
      telegram: { apiRoot: `http://127.0.0.1:${port}`, webhookReply: false },
    });
    return new SafeSender(
      bot.telegram,
      new CallbackStore(new ManualClock(), new MemoryStore()),
      silentLogger,
      clock,
    );
  }

  it('resends once when the connection closes before any answer, and the message goes out', async () => {
    handle = (req, res, n) => (n === 1 ? req.socket.destroy() : ok(res));
    await expect(sender().send(7, { html: html`hi` })).resolves.toEqual({
      chatId: 7,
      messageId: 5,
    });
    expect(requests).toBe(2);
  });

  it('gives up after one resend', async () => {
    handle = (req) => req.socket.destroy();
    await expect(sender().send(7, { html: html`hi` })).rejects.toThrow(/socket hang up/);
    expect(requests).toBe(2);
  });

  it('never resends when the answer had begun (the message may have gone out)', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":true,');
      setImmediate(() => res.socket?.destroy());
    };
    await expect(sender().send(7, { html: html`hi` })).rejects.toThrow();
    expect(requests).toBe(1);
  });

  it('never shows the token in the error it throws', async () => {
    handle = (req) => req.socket.destroy();
    const err = await sender()
      .send(7, { html: html`hi` })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(String((err as Error).message)).not.toContain('TEST-token');
  });

  it('abandons a call Telegram never answers after its deadline, and does not resend it', async () => {
    handle = () => undefined; // reads the request, never answers
    const clock = new ManualClock();
    const pending = sender(clock).send(7, { html: html`hi` });
    const outcome = pending.then(
      () => 'sent',
      (e: unknown) => String((e as Error).message),
    );
    const deadline = Date.now() + 10_000;
    while (requests === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(requests).toBe(1);
    await clock.advanceAsync(29_000);
    await clock.advanceAsync(1_000);
    expect(await outcome).toBe('sendMessage: Telegram gave no answer within 30 s');
    expect(requests).toBe(1);
  });
});
