import { PNG } from 'pngjs';
import { Input, Telegram, TelegramError } from 'telegraf';
import { ManualClock } from '../../../src/clock';
import { TG_ERRORS } from '../../../src/demo/bot-api/errors';
import { BotApiServer } from '../../../src/demo/bot-api/server';
import type { EmulatorEvent } from '../../../src/demo/bot-api/types';

const TOKEN = '4242:DEMO-token';

function png(width: number, height: number): Buffer {
  return PNG.sync.write(new PNG({ width, height }));
}

async function rejection(p: Promise<unknown>): Promise<TelegramError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TelegramError))
    throw new Error(`expected a TelegramError, got ${String(err)}`);
  return err;
}

describe('BotApiServer (the embedded Bot API server)', () => {
  let server: BotApiServer;
  let telegram: Telegram;
  let seen: EmulatorEvent[];
  let unsubscribe: () => void;

  beforeEach(async () => {
    server = await BotApiServer.start({ token: TOKEN, botUsername: 'demo_bot' });
    telegram = new Telegram(TOKEN, { apiRoot: server.apiRoot, webhookReply: false });
    seen = [];
    unsubscribe = server.subscribe((e) => seen.push(e));
    server.privateChat(7, { first_name: 'Ann' });
  });

  afterEach(async () => {
    unsubscribe();
    await server.stop();
  });

  it('tells subscribers about messages, edits and deletions as they happen, and stops on unsubscribe', async () => {
    const sent = await telegram.sendMessage(7, '<b>hi</b>', { parse_mode: 'HTML' });
    await telegram.editMessageText(7, sent.message_id, undefined, 'bye');
    await telegram.deleteMessage(7, sent.message_id);
    const kinds = seen.filter((e) => e.type !== 'call').map((e) => e.type);
    expect(kinds).toEqual(['message', 'edit', 'delete']);
    unsubscribe();
    await telegram.sendMessage(7, 'unseen');
    expect(seen.filter((e) => e.type === 'message')).toHaveLength(1);
  });

  it('replaces a photo in place with editMessageMedia, caption included', async () => {
    const sent = await telegram.sendPhoto(7, Input.fromBuffer(png(200, 100), 'a.png'), {
      caption: 'old',
    });
    const edited = await telegram.editMessageMedia(7, sent.message_id, undefined, {
      type: 'photo',
      media: Input.fromBuffer(png(120, 60), 'b.png'),
      caption: '<i>new</i>',
      parse_mode: 'HTML',
    });
    if (edited === true || !('photo' in edited)) throw new Error('expected a photo message');
    expect(edited.message_id).toBe(sent.message_id);
    expect(edited.photo.at(-1)).toMatchObject({ width: 120, height: 60 });
    expect(edited.caption).toBe('new');
    expect(edited.caption_entities).toEqual([{ type: 'italic', offset: 0, length: 3 }]);
    const file = server.file(edited.photo.at(-1)?.file_id ?? '');
    expect(file?.data.equals(png(120, 60))).toBe(true);
    expect(server.transcript(7).filter((m) => !m.deleted)).toHaveLength(1);
  });

  it('answers editMessageMedia with Telegram errors: text message, unchanged media', async () => {
    const text = await telegram.sendMessage(7, 'plain');
    const notMedia = await rejection(
      telegram.editMessageMedia(7, text.message_id, undefined, {
        type: 'photo',
        media: Input.fromBuffer(png(10, 10), 'c.png'),
      }),
    );
    expect(notMedia.description).toBe(TG_ERRORS.noMediaToEdit);
    const photo = await telegram.sendPhoto(7, Input.fromBuffer(png(10, 10), 'd.png'));
    const same = await rejection(
      telegram.editMessageMedia(7, photo.message_id, undefined, {
        type: 'photo',
        media: photo.photo.at(-1)?.file_id ?? '',
      }),
    );
    expect(same.description).toBe(TG_ERRORS.notModified);
  });

  it('binds 127.0.0.1 only and serves a chosen port', async () => {
    const other = await BotApiServer.start({ token: TOKEN, port: 0 });
    try {
      expect(other.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(other.port).not.toBe(server.port);
    } finally {
      await other.stop();
    }
  });
});

describe('BotApiServer time', () => {
  it('dates messages and events by the injected clock and ends a held long poll when that clock says so', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const server = await BotApiServer.start({ token: TOKEN, clock });
    try {
      const telegram = new Telegram(TOKEN, { apiRoot: server.apiRoot, webhookReply: false });
      server.privateChat(7, { first_name: 'Ann' });
      const sent = await telegram.sendMessage(7, 'hi');
      expect(sent.date).toBe(Date.UTC(2030, 0, 1) / 1000);
      expect(server.calls.at(-1)?.at).toBe(Date.UTC(2030, 0, 1));

      // A 50 s poll with nothing queued: only the manual clock can answer it within the test.
      const poll = telegram.getUpdates(50, 100, 0, undefined);
      // The poll is held once its timer is on the clock (polled with a deadline, never slept on).
      for (let i = 0; i < 1000 && clock.timerCount === 0; i++) {
        await new Promise((r) => setImmediate(r));
      }
      expect(clock.timerCount).toBe(1);
      clock.advance(50_000);
      await expect(poll).resolves.toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
