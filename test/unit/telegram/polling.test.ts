import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { systemClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { classifyTelegramFailure, DEFAULT_POLLING, Poller } from '../../../src/telegram/polling';
import { TelegramError } from 'telegraf';
import { BotApiEmulator } from '../../support/bot-api-emulator';

const TOKEN = '42:POLLTESTtokenAAAAAAAAAAAAAAAAAAAAAAA';

describe('Poller', () => {
  let emu: BotApiEmulator;
  beforeEach(async () => (emu = await BotApiEmulator.start({ token: TOKEN })));
  afterEach(() => emu.stop());

  function poller(received: Update[]): Poller {
    const bot = new Telegraf(TOKEN, { telegram: { apiRoot: emu.apiRoot } });
    return new Poller(
      bot.telegram,
      (u) => Promise.resolve(void received.push(u)),
      silentLogger,
      systemClock,
      {
        ...DEFAULT_POLLING,
        timeoutSeconds: 1,
        graceMs: 300,
        backoff: { initialMs: 50, maxMs: 200 },
      },
    );
  }

  it('abandons a getUpdates that never answers and recovers when Telegram does', async () => {
    const received: Update[] = [];
    const p = poller(received);
    emu.setUnresponsive(true);
    const run = p.run();
    await new Promise((r) => setTimeout(r, 1600));
    expect(p.failures).toBeGreaterThan(0);
    emu.setUnresponsive(false);
    emu.user(7, { first_name: 'A' });
    await emu.user(7).text('hello');
    for (let i = 0; i < 100 && received.length === 0; i++)
      await new Promise((r) => setTimeout(r, 30));
    expect(received).toHaveLength(1);
    expect(p.failures).toBe(0);
    p.stop();
    await run;
  });

  it('stops at once even during a long poll', async () => {
    const p = poller([]);
    const run = p.run();
    await emu.waitFor((e) => e.type === 'call' && e.call.method === 'getUpdates');
    const t0 = Date.now();
    p.stop();
    await run;
    expect(Date.now() - t0).toBeLessThan(2500);
  });
});

describe('classifyTelegramFailure', () => {
  const err = (code: number, retry_after?: number): TelegramError =>
    new TelegramError({
      error_code: code,
      description: 'x',
      ...(retry_after ? { parameters: { retry_after } } : {}),
    });
  it('ends the process on 401 and 409, waits on 429, backs off otherwise', () => {
    expect(classifyTelegramFailure(err(401))).toMatchObject({ kind: 'fatal' });
    expect(classifyTelegramFailure(err(409))).toMatchObject({ kind: 'fatal' });
    expect(classifyTelegramFailure(err(429, 7))).toEqual({ kind: 'retry-after', ms: 7000 });
    expect(classifyTelegramFailure(err(502))).toEqual({ kind: 'backoff' });
    expect(classifyTelegramFailure(new Error('socket hang up'))).toEqual({ kind: 'backoff' });
  });
});
