/**
 * SafeSender, given any view (hostile text of any length, nested markup, hostile buttons), only
 * makes Bot API calls Telegram accepts: parseable HTML or plain text within 4096 (1024 for
 * captions) UTF-16 units after parsing, callback_data within 64 bytes, answers within 200 chars.
 */
import fc from 'fast-check';
import type { Telegram } from 'telegraf';
import { ManualClock, systemClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { CallbackStore } from '../../../src/telegram/callback-store';
import { SafeSender } from '../../../src/telegram/sender';
import { clip, html, joinHtml, visibleText, type Html } from '../../../src/views/html';
import { TELEGRAM_LIMITS, type InlineButton, type View } from '../../../src/views/view';
import { fuzzParams, hostileString, hostileText } from '../../support/fuzz';
import { MemoryStore } from '../../support/memory-store';
import { checkHtmlText, checkPlainText, TelegramRuleError } from '../../support/telegram-rules';
import { rawAction } from '../../support/raw-action';

interface Extra {
  parse_mode?: string;
  caption?: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data?: string; url?: string }[][] };
}

function checkBody(text: string, extra: Extra, limit: number): void {
  if (extra.parse_mode === 'HTML') checkHtmlText(text, limit);
  else checkPlainText(text, limit);
  for (const b of extra.reply_markup?.inline_keyboard?.flat() ?? []) {
    checkPlainText(b.text, TELEGRAM_LIMITS.buttonText * 2);
    if (
      b.callback_data !== undefined &&
      Buffer.byteLength(b.callback_data) > TELEGRAM_LIMITS.callbackData
    ) {
      throw new TelegramRuleError(`callback_data of ${Buffer.byteLength(b.callback_data)} bytes`);
    }
  }
}

/** The Bot API methods SafeSender calls, checking each request the way Telegram would. */
function strictTelegram(calls: string[]): Telegram {
  type Payload = Extra & { text?: string; caption?: string };
  const fake = {
    callApi: (method: string, p: Payload) => {
      calls.push(method);
      switch (method) {
        case 'sendMessage':
        case 'editMessageText':
          checkBody(p.text ?? '', p, TELEGRAM_LIMITS.messageText);
          return Promise.resolve(method === 'sendMessage' ? { message_id: calls.length } : true);
        case 'sendPhoto':
        case 'sendDocument':
          checkBody(p.caption ?? '', p, TELEGRAM_LIMITS.caption);
          return Promise.resolve({ message_id: calls.length });
        case 'answerCallbackQuery': {
          // A blank toast is allowed (it shows nothing); a long one is refused.
          const text = p.text;
          if (text !== undefined && (text.length > 200 || !text.isWellFormed())) {
            throw new TelegramRuleError(`callback answer of ${text.length} UTF-16 units`);
          }
          return Promise.resolve(true);
        }
        default:
          throw new TelegramRuleError(`unexpected method ${method}`);
      }
    },
  };
  // Only the methods above are reachable from SafeSender's send paths.
  return fake as unknown as Telegram;
}

/** Markup shapes views build: escaped text, labelled lists, long tables (never blank: views' rule). */
const body: fc.Arbitrary<Html> = fc
  .oneof(
    hostileText.map((t) => html`${t}`),
    fc
      .array(fc.tuple(hostileString, hostileText), { maxLength: 8 })
      .map((rows) => joinHtml(rows.map(([k, v]) => html`<b>${k}</b>: <code>${v}</code>`))),
    fc.tuple(hostileString, fc.integer({ min: 1, max: 600 })).map(
      ([t, n]) =>
        html`📋
            <b>List</b> ${Array.from({ length: n }, (_, i) => html`${i}. <i>${clip(t, 40)}</i> `)}`,
    ),
    fc.tuple(hostileText, hostileText).map(
      ([a, b]) =>
        html`<blockquote expandable>${a}</blockquote>
          <pre><code class="language-log">${b}</code></pre>`,
    ),
  )
  .filter((h) => visibleText(h.value).trim() !== '');

const buttonLabel = hostileString.filter((s) => s.toWellFormed().trim() !== '');
const button: fc.Arbitrary<InlineButton> = fc.oneof(
  fc
    .tuple(
      buttonLabel,
      fc.constantFrom(rawAction('docker.logs'), rawAction('server.cpu')),
      fc.array(hostileText, { maxLength: 3 }),
    )
    .map(([text, action, args]) => action.button(text, args)),
  fc.record({ text: buttonLabel, url: fc.constantFrom('https://example.com/', 'tg://user?id=1') }),
);

const view: fc.Arbitrary<View> = fc.record(
  {
    html: body,
    keyboard: fc
      .array(fc.array(button, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 })
      .map((rows) => ({ kind: 'inline' as const, rows })),
  },
  { requiredKeys: ['html'] },
);

describe('SafeSender under hostile views', () => {
  it('sends, edits and captions only what the Bot API accepts', async () => {
    await fc.assert(
      fc.asyncProperty(view, hostileText, async (v, toast) => {
        const calls: string[] = [];
        const sender = new SafeSender(
          strictTelegram(calls),
          new CallbackStore(new ManualClock(), new MemoryStore()),
          silentLogger,
          systemClock,
        );
        await sender.send(1, v, { forUser: 7 });
        await sender.edit(1, 2, v, { forUser: 7 });
        await sender.sendPhoto(1, Buffer.from('png'), v, { forUser: 7 });
        await sender.sendDocument(1, Buffer.from('log'), 'x.log', v, { forUser: 7 });
        await sender.answer('cq', toast);
        expect(calls).toEqual([
          'sendMessage',
          'editMessageText',
          'sendPhoto',
          'sendDocument',
          'answerCallbackQuery',
        ]);
      }),
      fuzzParams(600),
    );
  }, 60_000);
});
