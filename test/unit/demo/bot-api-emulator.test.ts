import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { Input, Markup, Telegraf, TelegramError } from 'telegraf';
import { BotApiEmulator, TG_ERRORS, type EmulatorEvent } from '../../support/bot-api-emulator';

const TOKEN = '123456:TEST-token';

/** A real 3×2 PNG, so sendPhoto's image check and size parsing see a genuine image. */
function png(width = 3, height = 2): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function botFor(emu: BotApiEmulator, webhookReply = false): Telegraf {
  const bot = new Telegraf(TOKEN, { telegram: { apiRoot: emu.apiRoot, webhookReply } });
  bot.catch((err) => {
    throw err;
  });
  return bot;
}

/** Raw Bot API call over HTTP, for protocol details telegraf hides. */
async function raw(
  emu: BotApiEmulator,
  method: string,
  params: unknown = {},
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.apiRoot}bot${emu.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
    ...init,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function rejection(p: Promise<unknown>): Promise<TelegramError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TelegramError) return err;
    throw err;
  }
  throw new Error('expected a TelegramError');
}

/** Runs telegraf's polling loop for the duration of `body`, then stops it the graceful way. */
async function polling(bot: Telegraf, body: () => Promise<void>): Promise<void> {
  const launched = bot.launch({ allowedUpdates: ['message', 'callback_query'] });
  try {
    await body();
  } finally {
    bot.stop('test over');
    await launched;
  }
}

let emu: BotApiEmulator;

beforeEach(async () => {
  emu = await BotApiEmulator.start({
    token: TOKEN,
    botUsername: 'tmbot_test_bot',
    webhookRetryMs: 5,
  });
});

afterEach(async () => {
  await emu.stop();
});

describe('transport', () => {
  it('answers getMe with a full bot user and uses a trailing-slash apiRoot', async () => {
    expect(emu.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const me = await botFor(emu).telegram.getMe();
    expect(me).toMatchObject({ id: 123456, is_bot: true, username: 'tmbot_test_bot' });
  });

  it('answers 401 Unauthorized for a wrong token and 404 Not Found for an unknown method', async () => {
    const bad = new Telegraf('123456:wrong', { telegram: { apiRoot: emu.apiRoot } });
    const err = await rejection(bad.telegram.getMe());
    expect([err.code, err.description]).toEqual([401, 'Unauthorized']);
    const res = await raw(emu, 'noSuchMethod');
    expect(res).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    });
    expect(emu.calls.map((c) => c.method)).toContain('noSuchMethod');
  });

  it('accepts GET with a query string and urlencoded bodies, and method names in any case', async () => {
    emu.user(7);
    const get = await fetch(`${emu.apiRoot}bot${TOKEN}/SENDMESSAGE?chat_id=7&text=hi`);
    expect(get.status).toBe(200);
    const form = await fetch(`${emu.apiRoot}bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body:
        'chat_id=7&text=there&reply_markup=' +
        encodeURIComponent(
          JSON.stringify({ inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] }),
        ),
    });
    expect(
      ((await form.json()) as { result: { reply_markup: unknown } }).result.reply_markup,
    ).toEqual({ inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] });
    expect(emu.transcript(7).map((m) => m.text)).toEqual(['hi', 'there']);
  });

  it('answers malformed and hostile requests with 4xx and keeps serving', async () => {
    const badJson = await fetch(`${emu.apiRoot}bot${TOKEN}/getMe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":',
    });
    expect(badJson.status).toBe(400);
    const arrayJson = await fetch(`${emu.apiRoot}bot${TOKEN}/getMe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
    });
    expect(arrayJson.status).toBe(400);
    const badMultipart = await fetch(`${emu.apiRoot}bot${TOKEN}/sendDocument`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zz' },
      body: 'garbage',
    });
    expect(badMultipart.status).toBe(400);
    const badEscape = await fetch(`${emu.apiRoot}bot%E0%A4%A/getMe`);
    expect(badEscape.status).toBe(400);
    expect((await fetch(`${emu.apiRoot}../../etc/passwd`)).status).toBe(404);
    expect((await raw(emu, 'sendMessage', { chat_id: { $gt: 1 }, text: ['x'] })).status).toBe(400);
    // A raw socket speaking nonsense gets a 400 from the HTTP layer, not a crash.
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(emu.port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve(data));
      s.on('error', () => resolve(data));
    });
    expect(reply).toContain('400');
    expect(emu.events.filter((e) => e.type === 'emulator_error')).toEqual([]);
    expect((await raw(emu, 'getMe')).status).toBe(200);
  });
});

describe('a real telegraf bot over long polling', () => {
  it('runs a command → inline keyboard → press → answer + edit round trip', async () => {
    const bot = botFor(emu);
    bot.command('start', (ctx) =>
      ctx.reply(
        `hi ${ctx.payload}`,
        Markup.inlineKeyboard([Markup.button.callback('🚀 Go', 'go:1')]),
      ),
    );
    bot.action('go:1', async (ctx) => {
      await ctx.answerCbQuery('launching', { show_alert: true });
      await ctx.editMessageText('<b>done</b> &amp; dusted', { parse_mode: 'HTML' });
    });
    const u = emu.user(1001, { first_name: 'Ann', username: 'ann' });
    await polling(bot, async () => {
      const cmd = await u.command('/start args');
      expect(cmd.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
      const reply = await u.nextReply();
      expect(reply).toMatchObject({
        text: 'hi args',
        from: { is_bot: true },
        chat: { id: 1001, type: 'private' },
      });
      expect(reply.message_id).toBe(cmd.message_id + 1);
      expect(reply.date).toBeLessThan(1e10);
      const cq = await u.press(reply, '🚀 Go');
      expect(await emu.waitForCallbackAnswer(cq)).toEqual({ text: 'launching', show_alert: true });
      const edited = await emu.waitForEdit((m) => m.message_id === reply.message_id);
      expect(edited.text).toBe('done & dusted');
      expect(edited.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
      expect(edited.edit_date).toBeGreaterThan(0);
      // An edit without reply_markup removes the inline keyboard, as on Telegram.
      expect(edited.reply_markup).toBeUndefined();
    });
    const t = u.transcript();
    expect(t.map((m) => [m.sender, m.text])).toEqual([
      ['user', '/start args'],
      ['bot', 'done & dusted'],
    ]);
    expect(t[1]?.edits).toHaveLength(1);
    expect(t[1]?.parse_mode).toBe('HTML');
    // telegraf confirmed its offset on stop: nothing stays queued.
    expect(emu.pendingUpdates).toHaveLength(0);
    const gu = emu.calls.filter((c) => c.method === 'getUpdates');
    expect(gu[0]?.params).toMatchObject({
      timeout: 50,
      allowed_updates: ['message', 'callback_query'],
    });
  });

  it('shares one message_id counter per chat between user and bot, and groups work too', async () => {
    const bot = botFor(emu);
    bot.on('text', (ctx) => ctx.reply(`echo ${ctx.message.text}`));
    const g = emu
      .user(1001, { first_name: 'Ann' })
      .inChat({ id: -100123, type: 'supergroup', title: 'Ops' });
    await polling(bot, async () => {
      await g.text('one');
      await g.nextReply();
      await g.text('two');
      await g.nextReply();
    });
    expect(g.transcript().map((m) => [m.message_id, m.sender, m.text])).toEqual([
      [1, 'user', 'one'],
      [2, 'bot', 'echo one'],
      [3, 'user', 'two'],
      [4, 'bot', 'echo two'],
    ]);
    expect(g.transcript()[0]?.message.chat).toEqual({
      id: -100123,
      type: 'supergroup',
      title: 'Ops',
    });
  });

  it('press refuses buttons the message does not have, unless unchecked', async () => {
    const u = emu.user(5);
    const sent = await botFor(emu).telegram.sendMessage(
      5,
      'pick',
      Markup.inlineKeyboard([Markup.button.callback('A', 'a')]),
    );
    await expect(u.press(sent, 'zzz')).rejects.toThrow(/no button/);
    const id = await u.press(sent, 'forged', { unchecked: true });
    const update = emu.pendingUpdates.at(-1) as unknown as {
      callback_query: {
        id: string;
        data: string;
        chat_instance: string;
        message: { message_id: number };
      };
    };
    expect(update.callback_query).toMatchObject({
      id,
      data: 'forged',
      message: { message_id: sent.message_id },
    });
    expect(update.callback_query.chat_instance).toMatch(/^\d+$/);
  });

  it('sends photos and documents as multipart, stores bytes, and serves them through getFile', async () => {
    emu.user(9);
    const tg = botFor(emu).telegram;
    const photo = await tg.sendPhoto(9, Input.fromBuffer(png(300, 200), 'chart.png'), {
      caption: 'CPU',
      ...Markup.inlineKeyboard([Markup.button.callback('↻', 'refresh')]),
    });
    expect(photo.photo.at(-1)).toMatchObject({ width: 300, height: 200 });
    expect(photo.caption).toBe('CPU');
    expect(photo.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ callback_data: 'refresh' });
    const doc = await tg.sendDocument(9, Input.fromBuffer(Buffer.from('log line\n'), 'app.log'));
    expect(doc.document).toMatchObject({
      file_name: 'app.log',
      mime_type: 'text/plain',
      file_size: 9,
    });
    const link = await tg.getFileLink(doc.document.file_id);
    expect(link.href.startsWith(emu.apiRoot)).toBe(true);
    expect(await (await fetch(link)).text()).toBe('log line\n');
    const again = await tg.sendDocument(9, doc.document.file_id);
    expect(again.document.file_unique_id).toBe(doc.document.file_unique_id);
    expect(
      (await rejection(tg.sendPhoto(9, Input.fromBuffer(Buffer.from('not an image'), 'x.png'))))
        .description,
    ).toBe(TG_ERRORS.imageFailed);
    expect(
      (
        await rejection(
          tg.sendDocument(9, Input.fromBuffer(Buffer.from('x'), 'x.txt'), {
            caption: 'c'.repeat(1025),
          }),
        )
      ).description,
    ).toBe(TG_ERRORS.captionTooLong);
    const edited = await tg.editMessageCaption(9, photo.message_id, undefined, 'RAM');
    expect(edited).toMatchObject({ caption: 'RAM' });
    const album = await tg.sendMediaGroup(9, [
      { type: 'photo', media: Input.fromBuffer(png(), 'a.png') },
      { type: 'photo', media: Input.fromBuffer(png(), 'b.png'), caption: 'two' },
    ]);
    expect(album).toHaveLength(2);
    expect(album[0]?.media_group_id).toBe(album[1]?.media_group_id);
  });

  it('replaces a photo in place with editMessageMedia, keeping the message id', async () => {
    emu.user(9);
    const tg = botFor(emu).telegram;
    const photo = await tg.sendPhoto(9, Input.fromBuffer(png(300, 200), 'a.png'), {
      caption: '1 h',
    });
    const edited = await tg.editMessageMedia(
      9,
      photo.message_id,
      undefined,
      { type: 'photo', media: Input.fromBuffer(png(400, 100), 'b.png'), caption: '24 h' },
      Markup.inlineKeyboard([Markup.button.callback('1 h', 'p1')]),
    );
    expect(edited).toMatchObject({ message_id: photo.message_id, caption: '24 h' });
    if (typeof edited === 'boolean' || !('photo' in edited))
      throw new Error('expected a photo message');
    expect(edited.photo.at(-1)).toMatchObject({ width: 400, height: 100 });
    expect(edited.photo.at(-1)?.file_id).not.toBe(photo.photo.at(-1)?.file_id);
    expect(
      emu
        .transcript(9)
        .find((m) => m.message_id === photo.message_id)
        ?.edits.map((e) => e.method),
    ).toEqual(['editMessageMedia']);
    const text = await tg.sendMessage(9, 'plain');
    expect(
      (
        await rejection(
          tg.editMessageMedia(9, text.message_id, undefined, {
            type: 'photo',
            media: Input.fromBuffer(png(), 'c.png'),
          }),
        )
      ).description,
    ).toBe(TG_ERRORS.noMediaToEdit);
  });

  it('accepts a user document upload and lets the bot download it', async () => {
    const bot = botFor(emu);
    let content = '';
    bot.on('document', async (ctx) => {
      const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
      content = await (await fetch(link)).text();
      await ctx.reply(`got ${ctx.message.document.file_name ?? '?'}`);
    });
    const u = emu.user(11);
    await polling(bot, async () => {
      await u.document(Buffer.from('key: value\n'), 'config.yaml');
      expect((await u.nextReply()).text).toBe('got config.yaml');
    });
    expect(content).toBe('key: value\n');
  });
});

describe("Telegram's validation, with exact error texts", () => {
  it('validates sendMessage', async () => {
    const tg = botFor(emu).telegram;
    const notFound = await rejection(tg.sendMessage(424242, 'hi'));
    expect([notFound.code, notFound.description]).toEqual([400, 'Bad Request: chat not found']);
    emu.user(1);
    expect((await rejection(tg.sendMessage(1, ''))).description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await rejection(tg.sendMessage(1, 'x'.repeat(4097)))).description).toBe(
      'Bad Request: message is too long',
    );
    await tg.sendMessage(1, 'x'.repeat(4096));
    // 22 × '€' is 22 characters but 66 bytes: Telegram counts bytes.
    const euro = '€'.repeat(22);
    expect(
      (
        await rejection(
          tg.sendMessage(1, 'k', Markup.inlineKeyboard([Markup.button.callback('b', euro)])),
        )
      ).description,
    ).toBe('Bad Request: BUTTON_DATA_INVALID');
    await tg.sendMessage(
      1,
      'k',
      Markup.inlineKeyboard([Markup.button.callback('b', 'x'.repeat(64))]),
    );
    expect(
      (await rejection(tg.sendMessage(1, 'a < b', { parse_mode: 'HTML' }))).description,
    ).toMatch(/^Bad Request: can't parse entities: Unsupported start tag/);
    expect(
      (await rejection(tg.sendMessage(1, 'reply', { reply_parameters: { message_id: 999 } })))
        .description,
    ).toBe(TG_ERRORS.replyNotFound);
  });

  it('stores parse_mode, entities and non-inline markup, echoing only inline markup', async () => {
    const tg = botFor(emu).telegram;
    emu.user(2);
    const first = await tg.sendMessage(2, 'plain', Markup.keyboard([['A']]).resize());
    expect((first as { reply_markup?: unknown }).reply_markup).toBeUndefined();
    const second = await tg.sendMessage(2, 'bold', {
      entities: [{ type: 'bold', offset: 0, length: 4 }],
      reply_parameters: { message_id: first.message_id },
    });
    expect(second.reply_to_message?.message_id).toBe(first.message_id);
    const [a, b] = emu.transcript(2);
    expect(a?.reply_markup).toMatchObject({ keyboard: [['A']], resize_keyboard: true });
    expect(b?.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
    expect(b?.reply_to_message_id).toBe(first.message_id);
  });

  it('validates edits and deletes', async () => {
    const tg = botFor(emu).telegram;
    emu.user(3);
    const kb = Markup.inlineKeyboard([Markup.button.callback('x', 'x')]);
    const m = await tg.sendMessage(3, 'same', kb);
    expect((await rejection(tg.editMessageText(3, 999, undefined, 'x'))).description).toBe(
      'Bad Request: message to edit not found',
    );
    expect(
      (await rejection(tg.editMessageText(3, m.message_id, undefined, 'same', kb))).description,
    ).toBe(TG_ERRORS.notModified);
    expect(
      (await rejection(tg.editMessageReplyMarkup(3, m.message_id, undefined, kb.reply_markup)))
        .description,
    ).toBe(TG_ERRORS.notModified);
    await tg.editMessageReplyMarkup(3, m.message_id, undefined, undefined);
    expect(emu.transcript(3)[0]?.reply_markup).toBeUndefined();
    expect(
      (await rejection(tg.editMessageCaption(3, m.message_id, undefined, 'c'))).description,
    ).toBe(TG_ERRORS.noCaptionToEdit);
    expect(await tg.deleteMessage(3, m.message_id)).toBe(true);
    expect((await rejection(tg.deleteMessage(3, m.message_id))).description).toBe(
      'Bad Request: message to delete not found',
    );
    expect(emu.transcript(3)[0]).toMatchObject({
      deleted: true,
      edits: [{ method: 'editMessageReplyMarkup' }],
    });
    expect(
      (await rejection(tg.editMessageText(3, m.message_id, undefined, 'gone'))).description,
    ).toBe(TG_ERRORS.editNotFound);
  });

  it('answers a callback query once', async () => {
    const tg = botFor(emu).telegram;
    const u = emu.user(4);
    const m = await tg.sendMessage(
      4,
      'k',
      Markup.inlineKeyboard([Markup.button.callback('b', 'd')]),
    );
    const id = await u.press(m, 'd');
    expect(await tg.answerCbQuery(id, 'ok', { url: 'https://t.me/x' })).toBe(true);
    expect(emu.callbackAnswers).toEqual([
      expect.objectContaining({ callback_query_id: id, text: 'ok', url: 'https://t.me/x' }),
    ]);
    const again = await rejection(tg.answerCbQuery(id));
    expect([again.code, again.description]).toEqual([
      400,
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    ]);
    expect((await rejection(tg.answerCbQuery('nope'))).description).toBe(TG_ERRORS.queryInvalid);
  });

  it('keeps commands and chat actions', async () => {
    const tg = botFor(emu).telegram;
    emu.user(6);
    await tg.setMyCommands([{ command: 'status', description: 'Server status' }]);
    await tg.setMyCommands([{ command: 'admin', description: 'Admin' }], {
      scope: { type: 'chat', chat_id: 6 },
    });
    expect(await tg.getMyCommands()).toEqual([{ command: 'status', description: 'Server status' }]);
    expect(emu.commands).toEqual({
      commands: [{ command: 'admin', description: 'Admin' }],
      scope: { type: 'chat', chat_id: 6 },
    });
    expect(emu.commandsFor({ type: 'chat', chat_id: 6 })).toEqual([
      { command: 'admin', description: 'Admin' },
    ]);
    await tg.deleteMyCommands();
    expect(await tg.getMyCommands()).toEqual([]);
    expect(
      (await rejection(tg.setMyCommands([{ command: 'Bad-Name', description: 'x' }]))).description,
    ).toBe(TG_ERRORS.commandInvalid);
    expect(await tg.sendChatAction(6, 'upload_photo')).toBe(true);
    await emu.waitFor((e) => e.type === 'chat_action' && e.action === 'upload_photo', 100);
  });
});

describe('getUpdates', () => {
  it('confirms with offset, honours limit and negative offset, and redelivers until confirmed', async () => {
    const u = emu.user(1);
    for (const t of ['a', 'b', 'c']) await u.text(t);
    const ids = emu.pendingUpdates.map((x) => x.update_id);
    const all = await raw(emu, 'getUpdates', { limit: 2 });
    expect((all.body['result'] as unknown[]).length).toBe(2);
    expect(((await raw(emu, 'getUpdates')).body['result'] as unknown[]).length).toBe(3);
    await raw(emu, 'getUpdates', { offset: (ids[0] ?? 0) + 1, timeout: 0 });
    expect(emu.pendingUpdates.map((x) => x.update_id)).toEqual(ids.slice(1));
    await raw(emu, 'getUpdates', { offset: -1 });
    expect(emu.pendingUpdates.map((x) => x.update_id)).toEqual(ids.slice(2));
  });

  it('holds a long poll until an update arrives, and answers the older poll 409 on a second one', async () => {
    const u = emu.user(1);
    const t0 = Date.now();
    const first = raw(emu, 'getUpdates', { timeout: 30 });
    await emu.waitFor((e) => e.type === 'call' && e.call.method === 'getUpdates');
    const second = raw(emu, 'getUpdates', { timeout: 30 });
    expect(await first).toEqual({
      status: 409,
      body: { ok: false, error_code: 409, description: TG_ERRORS.conflictPolling },
    });
    await u.text('wake');
    const got = await second;
    expect((got.body['result'] as Array<{ message: { text: string } }>)[0]?.message.text).toBe(
      'wake',
    );
    // Answered by the update, long before the 30 s poll ends.
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('answers an empty list when the timeout ends, and keeps updates when the client aborts', async () => {
    const res = await raw(emu, 'getUpdates', { timeout: 1 });
    expect(res.body).toEqual({ ok: true, result: [] });
    const ac = new AbortController();
    const aborted = raw(emu, 'getUpdates', { timeout: 30 }, { signal: ac.signal });
    await emu.waitFor(
      (e) =>
        e.type === 'call' &&
        e.call.method === 'getUpdates' &&
        emu.calls.filter((c) => c.method === 'getUpdates').length === 2,
    );
    ac.abort();
    await expect(aborted).rejects.toThrow();
    await emu.user(1).text('kept');
    expect(((await raw(emu, 'getUpdates')).body['result'] as unknown[]).length).toBe(1);
  });

  it('persists allowed_updates: omitted keeps the setting, [] restores the default set', async () => {
    emu.injectUpdate({ chat_member: { x: 1 } });
    emu.injectUpdate({ message_reaction: { x: 1 } });
    await emu.user(1).text('m');
    // Default set: chat_member and message_reaction are not delivered.
    const types = async (params: object): Promise<string[]> =>
      ((await raw(emu, 'getUpdates', params)).body['result'] as Array<Record<string, unknown>>).map(
        (x) => Object.keys(x).find((k) => k !== 'update_id') ?? '',
      );
    expect(await types({ allowed_updates: [] })).toEqual(['message']);
    emu.injectUpdate({ chat_member: { x: 2 } });
    emu.injectUpdate({ callback_query: { id: 'q' } });
    expect(await types({ allowed_updates: ['chat_member'] })).toEqual(['chat_member']);
    emu.injectUpdate({ chat_member: { x: 3 } });
    expect(await types({})).toEqual(['chat_member', 'chat_member']);
  });

  it('assigns update_id to injected updates and never reuses ids after reset', () => {
    const a = emu.injectUpdate({ message: { text: 'x' } });
    emu.reset();
    const b = emu.injectUpdate({ message: { text: 'y' } });
    expect(b.update_id).toBeGreaterThan(a.update_id);
    expect(emu.injectUpdate({ update_id: 500, message: {} }).update_id).toBe(500);
    expect(emu.injectUpdate({ message: {} }).update_id).toBe(501);
  });
});

describe('fault injection', () => {
  it('scripts errors with parameters, 5xx, dropped sockets and delays', async () => {
    emu.user(1);
    const tg = botFor(emu).telegram;
    emu.fail('sendMessage', { error_code: 429, parameters: { retry_after: 3 } });
    const limited = await rejection(tg.sendMessage(1, 'x'));
    expect([limited.code, limited.description, limited.parameters]).toEqual([
      429,
      'Too Many Requests: retry after 3',
      { retry_after: 3 },
    ]);
    emu.fail('sendMessage', {
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    expect((await rejection(tg.sendMessage(1, 'x'))).code).toBe(403);
    emu.fail('sendMessage', { error_code: 502 }, 2);
    expect((await rejection(tg.sendMessage(1, 'x'))).description).toBe('Bad Gateway');
    expect((await rejection(tg.sendMessage(1, 'x'))).code).toBe(502);
    emu.fail('sendMessage', { dropSocket: true });
    await expect(tg.sendMessage(1, 'x')).rejects.toMatchObject({ name: 'FetchError' });
    emu.fail('sendMessage', { delayMs: 300 });
    const t0 = Date.now();
    await tg.sendMessage(1, 'late');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(emu.transcript(1).map((m) => m.text)).toEqual(['late']);
  });

  it('lets telegraf retry getUpdates after a 429 retry_after', async () => {
    const bot = botFor(emu);
    bot.on('text', (ctx) => ctx.reply('pong'));
    emu.fail('getUpdates', { error_code: 429, parameters: { retry_after: 1 } });
    const u = emu.user(1);
    await polling(bot, async () => {
      await u.text('ping');
      expect((await u.nextReply(5000)).text).toBe('pong');
    });
    const polls = emu.calls.filter((c) => c.method === 'getUpdates');
    expect((polls[1]?.at ?? 0) - (polls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('hangs getMe and getUpdates while unresponsive, and stop() still closes at once', async () => {
    emu.setUnresponsive(true);
    const hung = fetch(`${emu.apiRoot}bot${TOKEN}/getMe`).then(
      () => 'answered',
      () => 'closed',
    );
    const outcome = await Promise.race([
      hung,
      new Promise((r) => setTimeout(() => r('hanging'), 300)),
    ]);
    expect(outcome).toBe('hanging');
    expect((await raw(emu, 'getWebhookInfo')).status).toBe(200);
    const t0 = Date.now();
    await emu.stop();
    expect(await hung).toBe('closed');
    // Hung requests are closed, not waited for (they would never end).
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('answers 429 under the opt-in rate limiter', async () => {
    const limited = await BotApiEmulator.start({ token: TOKEN, rateLimit: { perChat: 1 } });
    try {
      limited.user(1);
      const tg = new Telegraf(TOKEN, { telegram: { apiRoot: limited.apiRoot } }).telegram;
      await tg.sendMessage(1, 'a');
      expect((await rejection(tg.sendMessage(1, 'b'))).parameters).toEqual({ retry_after: 1 });
    } finally {
      await limited.stop();
    }
  });
});

describe('webhook', () => {
  /** A daemon-like plain-http loopback server mounting telegraf's webhookCallback. */
  async function webhookServer(
    bot: Telegraf,
    path: string,
    secretToken: string,
    before?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean,
  ): Promise<{ server: http.Server; origin: string; remotes: string[] }> {
    const cb = bot.webhookCallback(path, { secretToken });
    const remotes: string[] = [];
    const server = http.createServer((req, res) => {
      remotes.push(req.socket.remoteAddress ?? '');
      if (before?.(req, res)) return;
      void cb(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      server,
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      remotes,
    };
  }

  async function close(server: http.Server): Promise<void> {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  it('delivers to the override target with the secret header, retries failures, and blocks getUpdates', async () => {
    const bot = botFor(emu);
    bot.on('text', (ctx) => ctx.reply(`hook ${ctx.message.text}`));
    const path = `/webhook/${TOKEN}/`;
    let failures = 2;
    const { server, origin, remotes } = await webhookServer(bot, path, 's3cret_-', (_req, res) => {
      if (failures-- <= 0) return false;
      res.writeHead(500).end();
      return true;
    });
    try {
      expect(
        (await rejection(bot.telegram.setWebhook('http://public.example/webhook'))).description,
      ).toBe(TG_ERRORS.webhookHttps);
      expect(
        (await rejection(bot.telegram.setWebhook('https://public.example:9999/webhook')))
          .description,
      ).toBe(TG_ERRORS.webhookPort);
      await bot.telegram.setWebhook(`https://public.example:8443${path}`, {
        secret_token: 's3cret_-',
        allowed_updates: ['message'],
        max_connections: 1,
      });
      emu.setWebhookTarget(origin, { localAddress: '127.0.0.2' });
      const u = emu.user(1);
      await u.text('one');
      expect((await u.nextReply()).text).toBe('hook one');
      await emu.waitFor((e) => e.type === 'webhook_delivery' && e.ok);
      const deliveries = emu.events.filter(
        (e): e is Extract<EmulatorEvent, { type: 'webhook_delivery' }> =>
          e.type === 'webhook_delivery',
      );
      expect(deliveries.map((d) => d.ok)).toEqual([false, false, true]);
      expect(remotes.every((r) => r === '127.0.0.2')).toBe(true);
      const info = await bot.telegram.getWebhookInfo();
      expect(info).toMatchObject({
        url: `https://public.example:8443${path}`,
        pending_update_count: 0,
        last_error_message: 'Wrong response from the webhook: 500 Internal Server Error',
        allowed_updates: ['message'],
      });
      expect(info).not.toHaveProperty('secret_token');
      expect(emu.webhookInfo().secret_token).toBe('s3cret_-');
      expect((await raw(emu, 'getUpdates')).body['description']).toBe(TG_ERRORS.conflictWebhook);
      await bot.telegram.deleteWebhook({ drop_pending_updates: true });
      expect(emu.webhookInfo().url).toBe('');
    } finally {
      await close(server);
    }
  });

  it('gets 403 from telegraf with a wrong secret, records the error, and delivers after the fix', async () => {
    const bot = botFor(emu);
    bot.on('text', (ctx) => ctx.reply('ok'));
    const { server, origin } = await webhookServer(bot, '/hook', 'right');
    try {
      await bot.telegram.setWebhook(`${origin}/hook`, { secret_token: 'wrong' });
      const u = emu.user(1);
      await u.text('x');
      await emu.waitFor((e) => e.type === 'webhook_delivery' && !e.ok && e.status === 403);
      expect(emu.webhookInfo().last_error_message).toBe(
        'Wrong response from the webhook: 403 Forbidden',
      );
      await bot.telegram.setWebhook(`${origin}/hook`, { secret_token: 'right' });
      expect((await u.nextReply()).text).toBe('ok');
    } finally {
      await close(server);
    }
  });

  it("executes telegraf's webhookReply body", async () => {
    const bot = botFor(emu, true);
    bot.action('d', (ctx) => ctx.answerCbQuery('toast'));
    const { server, origin } = await webhookServer(bot, '/hook', 'k');
    try {
      const u = emu.user(1);
      const m = await bot.telegram.sendMessage(
        1,
        'k',
        Markup.inlineKeyboard([Markup.button.callback('b', 'd')]),
      );
      await bot.telegram.setWebhook(`${origin}/hook`, { secret_token: 'k' });
      const id = await u.press(m, 'd');
      expect(await emu.waitForCallbackAnswer(id)).toEqual({ text: 'toast' });
      expect(emu.calls.find((c) => c.method === 'answerCallbackQuery')?.via).toBe('webhook_reply');
    } finally {
      await close(server);
    }
  });

  it('keeps updates and records a refused connection without unhandled rejections', async () => {
    const spare = http.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const port = (spare.address() as AddressInfo).port;
    await new Promise((r) => spare.close(r));
    await raw(emu, 'setWebhook', {
      url: `http://127.0.0.1:${port}/hook`,
      drop_pending_updates: true,
    });
    await emu.user(1).text('lost?');
    await emu.waitFor((e) => e.type === 'webhook_delivery' && e.error === 'Connection refused');
    expect(emu.webhookInfo()).toMatchObject({
      pending_update_count: 1,
      last_error_message: 'Connection refused',
    });
    expect(() => emu.setWebhookTarget('http://10.0.0.1:80')).toThrow(/only http:\/\/127/);
  });
});
