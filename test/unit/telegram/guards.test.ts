import { Telegraf, type Context, type MiddlewareFn } from 'telegraf';
import type { Update } from 'telegraf/types';
import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { DEFAULT_RATE_LIMIT, rateLimit, updateDedup } from '../../../src/telegram/guards';
import { FakeSender } from '../../support/fake-sender';

const ALICE = 11;
const BOB = 12;

/** A bot with just the guard under test in front of a handler that records what got through. */
function harness(guard: (clock: ManualClock, sender: FakeSender) => MiddlewareFn<Context>) {
  const clock = new ManualClock();
  const sender = new FakeSender();
  const bot = new Telegraf('123:TEST');
  bot.botInfo = {
    id: 1,
    is_bot: true,
    first_name: 'tmbot',
    username: 'tmbot_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  const passed: number[] = [];
  bot.use(guard(clock, sender));
  bot.use((ctx) => {
    passed.push(ctx.update.update_id);
  });
  let updateId = 1;
  let messageId = 1;
  const text = (from: number, options: { updateId?: number; messageId?: number } = {}): Update => ({
    update_id: options.updateId ?? updateId++,
    message: {
      message_id: options.messageId ?? messageId++,
      date: 0,
      chat: { id: from, type: 'private', first_name: 'U' },
      from: { id: from, is_bot: false, first_name: 'U' },
      text: '/cpu',
    },
  });
  const press = (from: number, id: string): Update => ({
    update_id: updateId++,
    callback_query: {
      id,
      chat_instance: 'x',
      from: { id: from, is_bot: false, first_name: 'U' },
      message: {
        message_id: 1,
        date: 0,
        chat: { id: from, type: 'private', first_name: 'U' },
        text: 'screen',
      },
      data: 'AAAAAAAAAAAA',
    },
  });
  return { clock, sender, bot, passed, text, press };
}

describe('rateLimit', () => {
  const limited = (options = DEFAULT_RATE_LIMIT) =>
    harness((clock, sender) => rateLimit({ clock, sender, log: silentLogger }, options));

  it('lets a user through 8 times per 10 s by default, each user on their own', async () => {
    const h = limited();
    for (let i = 0; i < 9; i++) await h.bot.handleUpdate(h.text(ALICE));
    await h.bot.handleUpdate(h.text(BOB));
    expect(h.passed).toHaveLength(9);
    expect(h.sender.textsTo(ALICE).filter((t) => /too quickly/.test(t))).toHaveLength(1);
    expect(h.sender.textsTo(BOB)).toEqual([]);
  });

  it('follows a configured limit and window, sliding', async () => {
    const h = limited({ requests: 2, windowMs: 60_000 });
    await h.bot.handleUpdate(h.text(ALICE));
    h.clock.advance(30_000);
    await h.bot.handleUpdate(h.text(ALICE));
    await h.bot.handleUpdate(h.text(ALICE));
    expect(h.passed).toHaveLength(2);
    h.clock.advance(30_000); // the first request leaves the window
    await h.bot.handleUpdate(h.text(ALICE));
    expect(h.passed).toHaveLength(3);
    await h.bot.handleUpdate(h.text(ALICE));
    expect(h.passed).toHaveLength(3);
  });

  it('answers a refused button press with a toast instead of a message', async () => {
    const h = limited({ requests: 1, windowMs: 10_000 });
    await h.bot.handleUpdate(h.press(ALICE, 'q1'));
    await h.bot.handleUpdate(h.press(ALICE, 'q2'));
    expect(h.passed).toHaveLength(1);
    expect(h.sender.answers).toEqual([
      expect.objectContaining({ id: 'q2', text: expect.stringMatching(/too quickly/) }),
    ]);
    expect(h.sender.sent).toEqual([]);
  });

  it('logs a user who keeps hitting the limit after 1, 5, 15, 30, then every 60 min, counting the rest', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = {
      ...silentLogger,
      info: (_m: string, meta?: Record<string, unknown>) => lines.push(meta ?? {}),
    };
    const h = harness((clock, sender) =>
      rateLimit({ clock, sender, log }, { requests: 1, windowMs: 10_000 }),
    );
    // Two requests every 30 s for 3 hours: one goes through, one is refused.
    const seenAt: number[] = [];
    for (let t = 0; t <= 180 * 60; t += 30) {
      await h.bot.handleUpdate(h.text(ALICE));
      const before = lines.length;
      await h.bot.handleUpdate(h.text(ALICE));
      if (lines.length > before) seenAt.push(t / 60);
      h.clock.advance(30_000);
    }
    expect(seenAt).toEqual([0, 1, 6, 21, 51, 111, 171]);
    expect(lines[1]).toEqual({ user: ALICE, refusedSinceLastLine: 1 });
    expect(lines[2]).toEqual({ user: ALICE, refusedSinceLastLine: 9 });
    // Quiet for an hour: the next refusal is logged at once and the gaps start again.
    h.clock.advance(3_600_000);
    await h.bot.handleUpdate(h.text(ALICE));
    await h.bot.handleUpdate(h.text(ALICE));
    const quietAt = lines.length;
    h.clock.advance(60_000);
    await h.bot.handleUpdate(h.text(ALICE));
    await h.bot.handleUpdate(h.text(ALICE));
    expect(lines.length).toBe(quietAt + 1);
  });

  it('drops updates without a sender', async () => {
    const h = limited();
    await h.bot.handleUpdate({ update_id: 99 } as Update);
    expect(h.passed).toEqual([]);
  });
});

describe('updateDedup', () => {
  const deduped = (options?: { ttlMs: number; maxEntries: number }) =>
    harness((clock) => updateDedup(clock, options));

  it('drops a repeated update id or message for the ttl, then lets it in again', async () => {
    const h = deduped({ ttlMs: 1_000, maxEntries: 100 });
    await h.bot.handleUpdate(h.text(ALICE, { updateId: 5, messageId: 50 }));
    await h.bot.handleUpdate(h.text(ALICE, { updateId: 5, messageId: 51 }));
    await h.bot.handleUpdate(h.text(ALICE, { updateId: 6, messageId: 50 }));
    expect(h.passed).toEqual([5]);
    h.clock.advance(1_000);
    await h.bot.handleUpdate(h.text(ALICE, { updateId: 5, messageId: 50 }));
    expect(h.passed).toEqual([5, 5]);
  });

  it('forgets the oldest beyond maxEntries', async () => {
    const h = deduped({ ttlMs: 60_000, maxEntries: 2 });
    for (const id of [1, 2, 3]) await h.bot.handleUpdate(h.text(ALICE, { updateId: id }));
    await h.bot.handleUpdate(h.text(BOB, { updateId: 1 }));
    expect(h.passed).toEqual([1, 2, 3, 1]);
  });
});
