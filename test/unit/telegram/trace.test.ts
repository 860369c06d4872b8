import { Writable } from 'node:stream';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { ManualClock } from '../../../src/clock';
import { createLogger, type LogLevel } from '../../../src/log/logger';
import { Redactor } from '../../../src/log/redactor';
import { levelForDuration, traceOf, traceUpdates } from '../../../src/telegram/trace';

function setup(level: LogLevel, handlerMs: number) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger({ level, format: 'json', redactor: new Redactor(), stream });
  const clock = new ManualClock();
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
  const traces: (string | undefined)[] = [];
  bot.use(traceUpdates({ clock, log }));
  bot.use((ctx) => {
    traces.push(traceOf(ctx));
    clock.advance(handlerMs);
  });
  const lineObjects = (): Record<string, unknown>[] =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { bot, traces, lines: lineObjects };
}

const message = (id: number, text: string): Update => ({
  update_id: id,
  message: {
    message_id: id,
    date: 0,
    chat: { id: 987654321, type: 'private', first_name: 'A' },
    from: { id: 987654321, is_bot: false, first_name: 'A' },
    text,
    ...(text.startsWith('/')
      ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] }
      : {}),
  },
});

describe('per-update trace', () => {
  it('logs a slow update at info with its trace id, kind, duration and masked ids', async () => {
    const { bot, traces, lines } = setup('info', 700);
    await bot.handleUpdate(message(1, '/containers please'));
    await bot.handleUpdate(message(2, '123456'));
    const [first, second] = lines();
    expect(first).toMatchObject({
      level: 'info',
      message: 'handled update',
      update: 1,
      kind: 'command /containers',
      user: '98…21',
      chat: '98…21',
      ms: 700,
    });
    expect(first?.trace).toMatch(/^[0-9a-f]{12}$/);
    expect(first?.trace).toBe(traces[0]);
    // A different trace per update; typed text (a 2FA code) is never logged.
    expect(second?.trace).toBe(traces[1]);
    expect(second?.trace).not.toBe(first?.trace);
    expect(second?.kind).toBe('message');
    expect(JSON.stringify(lines())).not.toMatch(/123456|987654321/);
  });

  it('logs fast updates only at debug, with ids in full', async () => {
    const quiet = setup('info', 10);
    await quiet.bot.handleUpdate(message(1, '/start'));
    expect(quiet.lines()).toEqual([]);
    const loud = setup('debug', 10);
    await loud.bot.handleUpdate(message(1, '/start'));
    expect(loud.lines()[0]).toMatchObject({ level: 'debug', user: 987654321, ms: 10 });
  });

  it('picks the level from the duration as pyTMBot did', () => {
    expect([0, 499, 500, 2000, 2001].map(levelForDuration)).toEqual([
      'debug',
      'debug',
      'info',
      'info',
      'warn',
    ]);
  });
});
