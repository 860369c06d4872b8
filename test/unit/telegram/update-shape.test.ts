/**
 * Regressions found by test/unit/fuzz/updates.test.ts: a `chat` that is a number made the router
 * throw ("Cannot use 'in' operator"), a null update crashed Dispatcher.enqueue, and a 10 000-char
 * chat type overflowed the admin alert.
 */
import { systemClock } from '../../../src/clock';
import type { Update } from 'telegraf/types';
import { menuFeature } from '../../../src/features/menu';
import { silentLogger } from '../../support/silent-logger';
import { Dispatcher } from '../../../src/telegram/dispatcher';
import { malformedUpdate } from '../../../src/telegram/update-shape';
import { Pipeline } from '../../support/pipeline';
import { checkView } from '../../support/telegram-rules';

const OWNER = 21;
const ADMIN_CHAT = -100500;

const message = (patch: Record<string, unknown>): Record<string, unknown> => ({
  update_id: 7,
  message: {
    message_id: 1,
    date: 0,
    from: { id: OWNER, is_bot: false, first_name: 'O' },
    chat: { id: OWNER, type: 'private' },
    text: '/start',
    ...patch,
  },
});

describe('update shape check', () => {
  it('accepts what Telegram sends', () => {
    expect(malformedUpdate(message({}))).toBeUndefined();
    expect(
      malformedUpdate({
        update_id: 8,
        callback_query: {
          id: 'cq',
          from: { id: 1, is_bot: false, first_name: 'A' },
          chat_instance: 'ci',
          data: 'abc',
          message: { message_id: 3, date: 0, chat: { id: 1, type: 'private' } },
        },
      }),
    ).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an array', [message({})]],
    ['no update_id', { message: (message({}) as { message: unknown }).message }],
    ['chat as a number', message({ chat: 0 })],
    ['text as a number', message({ text: 5 })],
    ['from.id as a string', message({ from: { id: '21', is_bot: false, first_name: 'O' } })],
    [
      'callback data as an object',
      { update_id: 9, callback_query: { id: 'x', from: { id: 1, first_name: 'A' }, data: {} } },
    ],
    ['nothing but an id', { update_id: 10 }],
  ])('refuses %s', (_what, value) => {
    expect(malformedUpdate(value)).toEqual(expect.any(String));
  });

  it('the dispatcher drops malformed updates instead of throwing, and goes on', async () => {
    const handled: unknown[] = [];
    const d = new Dispatcher(
      (u) => {
        handled.push(u);
        return Promise.resolve();
      },
      silentLogger,
      systemClock,
    );
    await d.enqueue(null as unknown as Update);
    await d.enqueue(message({ chat: 0 }) as unknown as Update);
    await d.enqueue(message({}) as unknown as Update);
    expect(await d.drain(1000)).toBe(true);
    expect(handled).toHaveLength(1);
  });

  it('a stranger with a huge chat type and username gets an admin alert within limits', async () => {
    const p = new Pipeline({ userIds: [OWNER], adminIds: [OWNER], adminChatIds: [ADMIN_CHAT] }, [
      menuFeature({ isAllowed: (id) => id === OWNER, getMyIdDeleteMs: 30_000, plugins: [] }),
    ]);
    await p.raw({
      update_id: 11,
      message: {
        message_id: 1,
        date: 0,
        from: { id: 99, is_bot: false, first_name: 'S', username: 'u'.repeat(10_000) },
        chat: { id: 99, type: 't'.repeat(10_000) },
        text: 'hi',
      },
    });
    expect(p.dispatchErrors).toEqual([]);
    const alert = p.sender.sent.find((s) => s.chatId === ADMIN_CHAT);
    expect(alert).toBeDefined();
    checkView(alert!.view);
  });
});
