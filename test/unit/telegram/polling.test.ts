import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { systemClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { classifyTelegramFailure } from '../../../src/telegram/api-errors';
import { DEFAULT_POLLING, Poller } from '../../../src/telegram/polling';
import { TelegramError } from 'telegraf';
import { BotApiEmulator } from '../../support/bot-api-emulator';

const TOKEN = '42:POLLTESTtokenAAAAAAAAAAAAAAAAAAAAAAA';

describe('Poller', () => {
  let emu: BotApiEmulator;
  beforeEach(async () => (emu = await BotApiEmulator.start({ token: TOKEN })));
  afterEach(() => emu.stop());

  /** Polls `check` until it holds; throws after `timeoutMs` (a loaded machine is slow). */
  async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} not seen within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  function poller(received: Update[], timeoutSeconds = 1): Poller {
    const bot = new Telegraf(TOKEN, { telegram: { apiRoot: emu.apiRoot } });
    return new Poller(
      bot.telegram,
      (u) => Promise.resolve(void received.push(u)),
      silentLogger,
      systemClock,
      {
        ...DEFAULT_POLLING,
        timeoutSeconds,
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
    // Abandoned after the 1 s poll and its 300 ms grace.
    await until(() => p.failures > 0, 'a failure');
    emu.setUnresponsive(false);
    emu.user(7, { first_name: 'A' });
    await emu.user(7).text('hello');
    await until(() => received.length > 0 && p.failures === 0, 'the update and the recovery');
    expect(received).toHaveLength(1);
    p.stop();
    await run;
  });

  it('stops at once even during a long poll', async () => {
    const p = poller([], 60);
    const run = p.run();
    await emu.waitFor((e) => e.type === 'call' && e.call.method === 'getUpdates');
    const t0 = Date.now();
    p.stop();
    await run;
    // Far below the 60 s poll it would otherwise wait out, however loaded the machine.
    expect(Date.now() - t0).toBeLessThan(30_000);
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
