import { TelegramError } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import { ManualClock } from '../../../src/clock';
import { FatalTelegramError } from '../../../src/errors';
import { silentLogger } from '../../support/silent-logger';
import { connectToTelegram } from '../../../src/telegram/connect';

const ME: UserFromGetMe = {
  id: 1,
  is_bot: true,
  first_name: 'tmbot',
  username: 'tmbot_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

const tgError = (code: number, retryAfter?: number): TelegramError =>
  new TelegramError({
    error_code: code,
    description: `error ${code}`,
    ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}),
  });

/** Lets the connect loop reach its next sleep. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('connectToTelegram', () => {
  it('waits retry_after on 429 and backs off on 5xx, then answers', async () => {
    const clock = new ManualClock();
    const answers: (Error | UserFromGetMe)[] = [tgError(429, 7), tgError(502), ME];
    let calls = 0;
    const result = connectToTelegram(
      () => {
        calls++;
        const a = answers.shift()!;
        return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
      },
      { clock, log: silentLogger, signal: new AbortController().signal },
    );
    await settle();
    expect(calls).toBe(1);
    await clock.advanceAsync(6999);
    expect(calls).toBe(1);
    await clock.advanceAsync(1);
    expect(calls).toBe(2);
    // Second attempt failed with a 5xx: 1 s * 2^2.
    await clock.advanceAsync(3999);
    expect(calls).toBe(2);
    await clock.advanceAsync(1);
    await expect(result).resolves.toEqual(ME);
  });

  it('gives up at once on 401 and ends quietly when aborted', async () => {
    const clock = new ManualClock();
    await expect(
      connectToTelegram(() => Promise.reject(tgError(401)), {
        clock,
        log: silentLogger,
        signal: new AbortController().signal,
      }),
    ).rejects.toBeInstanceOf(FatalTelegramError);

    const abort = new AbortController();
    const result = connectToTelegram(() => Promise.reject(new Error('ECONNREFUSED')), {
      clock,
      log: silentLogger,
      signal: abort.signal,
    });
    await settle();
    abort.abort();
    await expect(result).resolves.toBeUndefined();
  });
});
