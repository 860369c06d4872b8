/** SafeSender.editPhoto against the Bot API emulator: a chart's period picker edits the photo in place. */
import { PNG } from 'pngjs';
import { Telegraf } from 'telegraf';
import { ManualClock, systemClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { CallbackStore } from '../../../src/telegram/callback-store';
import { SafeSender } from '../../../src/telegram/sender';
import { html } from '../../../src/views/html';
import { BotApiEmulator } from '../../support/bot-api-emulator';
import { MemoryStore } from '../../support/memory-store';
import { rawAction } from '../../support/raw-action';

const TOKEN = '123456:TEST-token';

function png(width: number, height: number): Buffer {
  return PNG.sync.write(new PNG({ width, height }));
}

describe('SafeSender.editPhoto', () => {
  let emu: BotApiEmulator;
  beforeAll(async () => {
    emu = await BotApiEmulator.start({ token: TOKEN });
  });
  afterAll(async () => emu.stop());

  it('replaces the picture and caption of the same message, with its buttons', async () => {
    emu.user(7);
    const bot = new Telegraf(TOKEN, { telegram: { apiRoot: emu.apiRoot, webhookReply: false } });
    const sender = new SafeSender(
      bot.telegram,
      new CallbackStore(new ManualClock(), new MemoryStore()),
      silentLogger,
      systemClock,
    );
    const first = await sender.sendPhoto(7, png(80, 40), { html: html`1 h` });
    const keyboard = {
      kind: 'inline' as const,
      rows: [[rawAction('test.chart').button('1 h', ['1h'])]],
    };
    const edited = await sender.editPhoto(
      7,
      first.messageId,
      png(160, 80),
      { html: html`<b>24 h</b>`, keyboard },
      { forUser: 7 },
    );
    expect(edited).toEqual(first);
    const entry = emu.transcript(7).find((m) => m.message_id === first.messageId);
    expect(entry?.caption).toBe('24 h');
    expect(entry?.photo?.at(-1)).toMatchObject({ width: 160, height: 80 });
    expect(entry?.edits.map((e) => e.method)).toEqual(['editMessageMedia']);
  });

  it('sends a new photo when the message holds text or is gone', async () => {
    emu.user(8);
    const bot = new Telegraf(TOKEN, { telegram: { apiRoot: emu.apiRoot, webhookReply: false } });
    const sender = new SafeSender(
      bot.telegram,
      new CallbackStore(new ManualClock(), new MemoryStore()),
      silentLogger,
      systemClock,
    );
    const text = await sender.send(8, { html: html`CPU screen` });
    const photo = await sender.editPhoto(8, text.messageId, png(10, 10), { html: html`CPU` });
    expect(photo.messageId).not.toBe(text.messageId);
    const again = await sender.editPhoto(8, 99_999, png(10, 10), { html: html`CPU` });
    expect(again.messageId).toBeGreaterThan(photo.messageId);
  });
});
