import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type {
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  ReplyKeyboardMarkup,
} from 'telegraf/types';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { clip, clipUnits, visibleText } from '../views/html';
import { isActionButton, TELEGRAM_LIMITS, type Keyboard, type View } from '../views/view';
import type { CallbackStore } from './callback-store';

export interface SentMessage {
  readonly chatId: number;
  readonly messageId: number;
}

export interface SendOptions {
  /** The user whose buttons these are; required when the view has action buttons. */
  readonly forUser?: number;
  readonly replyTo?: number;
  /** Forbid forwarding and saving (QR codes, secrets). */
  readonly protect?: boolean;
  readonly silent?: boolean;
  /** Forum topic (message_thread_id) in a supergroup. */
  readonly threadId?: number;
  /** Alerts, digests, notices: queued behind replies to people (see PrioritySender). */
  readonly bulk?: boolean;
}

/** Everything features send goes through this port. */
export interface Sender {
  send(chatId: number, view: View, options?: SendOptions): Promise<SentMessage>;
  /** Edits in place; 'unchanged' when Telegram says the content is the same. */
  edit(
    chatId: number,
    messageId: number,
    view: View,
    options?: SendOptions,
  ): Promise<'edited' | 'unchanged'>;
  answer(callbackQueryId: string, text?: string, alert?: boolean): Promise<void>;
  /** Deletes a message; false when it is already gone. */
  delete(chatId: number, messageId: number): Promise<boolean>;
  sendPhoto(
    chatId: number,
    png: Buffer,
    caption: View,
    options?: SendOptions & { spoiler?: boolean },
  ): Promise<SentMessage>;
  sendDocument(
    chatId: number,
    content: Buffer,
    filename: string,
    caption: View,
    options?: SendOptions,
  ): Promise<SentMessage>;
  /**
   * Replaces the picture of a photo message in place (a chart's period picker); a message
   * that is gone or holds no photo gets a new photo message instead.
   */
  editPhoto(
    chatId: number,
    messageId: number,
    png: Buffer,
    caption: View,
    options?: SendOptions,
  ): Promise<SentMessage>;
}

/**
 * An object parameter of an upload (multipart) request, as the JSON text the Bot API expects:
 * telegraf serialises only a few known fields (reply_markup…) and would drop the others
 * (reply_parameters: the reply was lost, test/e2e/history-alerts.test.ts).
 */
function multipartJson<T extends object>(value: T): T {
  return JSON.stringify(value) as unknown as T;
}

/** How many times a 429 or 5xx is retried before giving up. */
const MAX_RETRIES = 3;
/** Longest retry_after we are willing to sleep inside one request. */
const MAX_RETRY_AFTER_S = 60;

/**
 * Connection failures before any response came back (node-fetch words these "request to … failed"):
 * Telegram was unreachable, or it had closed an idle keep-alive connection just as the request went
 * out on it, so nothing was read. Resending once is safe and saves the reply; a failure while the
 * response was being read is never resent (the message may have gone out).
 */
const UNSENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

function unsentRequestCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !err.message.startsWith('request to ')) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && UNSENT_CODES.has(code) ? code : undefined;
}

export function isNotModified(err: unknown): boolean {
  return (
    err instanceof TelegramError &&
    err.code === 400 &&
    /message is not modified/i.test(err.description)
  );
}

function isNotMedia(err: unknown): boolean {
  return (
    err instanceof TelegramError &&
    err.code === 400 &&
    /no media in the message|there is no (text|caption)/i.test(err.description)
  );
}

function isGone(err: unknown): boolean {
  return (
    err instanceof TelegramError &&
    err.code === 400 &&
    /message to (edit|delete) not found|message can't be (edited|deleted)|MESSAGE_ID_INVALID/i.test(
      err.description,
    )
  );
}

const CUT_MARKER = '\n[cut to fit Telegram]';

/**
 * Sends through the Bot API with the limits and failures Telegram imposes:
 * 429 waits `retry_after`, 5xx retries with backoff, over-long text is cut
 * safely, "not modified" is success, callback buttons become opaque tokens.
 */
export class SafeSender implements Sender {
  /** Told the code of every Bot API error (tmbot's /metrics counts them). */
  onApiError: ((code: number) => void) | undefined;

  constructor(
    private readonly telegram: Telegram,
    private readonly callbacks: CallbackStore,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const unsent = attempt === 0 ? unsentRequestCode(err) : undefined;
        if (unsent !== undefined) {
          this.log.warn(`${what}: connection to the Bot API failed (${unsent}), resending once`);
          await this.clock.sleep(250);
          continue;
        }
        if (err instanceof TelegramError) this.onApiError?.(err.code);
        if (!(err instanceof TelegramError) || attempt >= MAX_RETRIES) throw err;
        if (err.code === 429) {
          const after = Math.min(err.parameters?.retry_after ?? 1, MAX_RETRY_AFTER_S);
          this.log.warn(`${what}: rate limited by Telegram, retrying in ${after}s`);
          await this.clock.sleep(after * 1000);
        } else if (err.code >= 500) {
          await this.clock.sleep(500 * 2 ** attempt);
        } else {
          throw err;
        }
      }
    }
  }

  private markup(
    keyboard: Keyboard | undefined,
    forUser: number | undefined,
  ):
    | InlineKeyboardMarkup
    | ReplyKeyboardMarkup
    | { remove_keyboard: true }
    | { force_reply: true; selective: true }
    | undefined {
    if (keyboard === undefined) return undefined;
    switch (keyboard.kind) {
      case 'reply':
        return {
          keyboard: keyboard.rows.map((r) => r.map((text) => ({ text }))),
          resize_keyboard: true,
          is_persistent: true,
        };
      case 'remove':
        return { remove_keyboard: true };
      case 'force_reply':
        return { force_reply: true, selective: true };
      case 'inline':
        return {
          inline_keyboard: keyboard.rows.map((r) =>
            r.map((b): InlineKeyboardButton => {
              const text = clip(b.text, TELEGRAM_LIMITS.buttonText);
              if (!isActionButton(b)) return { text, url: b.url };
              if (forUser === undefined)
                throw new Error('action buttons need the user they belong to');
              return { text, callback_data: this.callbacks.issue(forUser, b.action, b.args) };
            }),
          ),
        };
    }
  }

  /** Text and parse mode within `limit`; an over-long message degrades to clipped plain text. */
  private static fit(view: View, limit: number): { text: string; parse_mode?: 'HTML' } {
    const markup = view.html.value;
    const plain = visibleText(markup);
    if (plain.length <= limit) return { text: markup, parse_mode: 'HTML' };
    return { text: clipUnits(plain, limit - CUT_MARKER.length) + CUT_MARKER };
  }

  async send(chatId: number, view: View, options: SendOptions = {}): Promise<SentMessage> {
    const body = SafeSender.fit(view, TELEGRAM_LIMITS.messageText);
    const reply_markup = this.markup(view.keyboard, options.forUser);
    const msg = await this.call('sendMessage', () =>
      this.telegram.sendMessage(chatId, body.text, {
        ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
        ...(reply_markup ? { reply_markup } : {}),
        ...(options.replyTo !== undefined
          ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } }
          : {}),
        ...(options.protect ? { protect_content: true } : {}),
        ...(options.silent ? { disable_notification: true } : {}),
        ...(options.threadId !== undefined ? { message_thread_id: options.threadId } : {}),
        link_preview_options: { is_disabled: view.disablePreview ?? true },
      }),
    );
    return { chatId, messageId: msg.message_id };
  }

  async edit(
    chatId: number,
    messageId: number,
    view: View,
    options: SendOptions = {},
  ): Promise<'edited' | 'unchanged'> {
    const body = SafeSender.fit(view, TELEGRAM_LIMITS.messageText);
    const reply_markup = this.markup(view.keyboard, options.forUser);
    if (reply_markup !== undefined && !('inline_keyboard' in reply_markup)) {
      throw new Error('only inline keyboards can be edited into a message');
    }
    try {
      await this.call('editMessageText', () =>
        this.telegram.editMessageText(chatId, messageId, undefined, body.text, {
          ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
          ...(reply_markup ? { reply_markup } : {}),
          link_preview_options: { is_disabled: view.disablePreview ?? true },
        }),
      );
      return 'edited';
    } catch (err) {
      if (isNotModified(err)) return 'unchanged';
      if (isGone(err)) {
        // The message was deleted or is too old to edit: show the screen anew.
        await this.send(chatId, view, options);
        return 'edited';
      }
      throw err;
    }
  }

  async answer(callbackQueryId: string, text?: string, alert = false): Promise<void> {
    try {
      await this.call('answerCallbackQuery', () =>
        this.telegram.answerCbQuery(
          callbackQueryId,
          text === undefined ? undefined : clipUnits(text, 200),
          {
            show_alert: alert,
          },
        ),
      );
    } catch (err) {
      // A query older than Telegram's answer window cannot be answered; nothing is lost.
      if (err instanceof TelegramError && err.code === 400) {
        this.log.debug('callback answer refused', { error: err });
        return;
      }
      throw err;
    }
  }

  async delete(chatId: number, messageId: number): Promise<boolean> {
    try {
      return await this.call('deleteMessage', () => this.telegram.deleteMessage(chatId, messageId));
    } catch (err) {
      if (isGone(err)) return false;
      throw err;
    }
  }

  async sendPhoto(
    chatId: number,
    png: Buffer,
    caption: View,
    options: SendOptions & { spoiler?: boolean } = {},
  ): Promise<SentMessage> {
    const body = SafeSender.fit(caption, TELEGRAM_LIMITS.caption);
    const reply_markup = this.markup(caption.keyboard, options.forUser);
    const msg = await this.call('sendPhoto', () =>
      this.telegram.sendPhoto(
        chatId,
        { source: png, filename: 'image.png' },
        {
          caption: body.text,
          ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
          ...(reply_markup ? { reply_markup } : {}),
          ...(options.replyTo !== undefined
            ? {
                reply_parameters: multipartJson({
                  message_id: options.replyTo,
                  allow_sending_without_reply: true,
                }),
              }
            : {}),
          ...(options.protect ? { protect_content: true } : {}),
          ...(options.spoiler ? { has_spoiler: true } : {}),
          ...(options.silent ? { disable_notification: true } : {}),
          ...(options.threadId !== undefined ? { message_thread_id: options.threadId } : {}),
        },
      ),
    );
    return { chatId, messageId: msg.message_id };
  }

  async sendDocument(
    chatId: number,
    content: Buffer,
    filename: string,
    caption: View,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    const body = SafeSender.fit(caption, TELEGRAM_LIMITS.caption);
    const reply_markup = this.markup(caption.keyboard, options.forUser);
    const msg = await this.call('sendDocument', () =>
      this.telegram.sendDocument(
        chatId,
        { source: content, filename },
        {
          caption: body.text,
          ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
          ...(reply_markup ? { reply_markup } : {}),
          ...(options.protect ? { protect_content: true } : {}),
        },
      ),
    );
    return { chatId, messageId: msg.message_id };
  }

  async editPhoto(
    chatId: number,
    messageId: number,
    png: Buffer,
    caption: View,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    const body = SafeSender.fit(caption, TELEGRAM_LIMITS.caption);
    const reply_markup = this.markup(caption.keyboard, options.forUser);
    if (reply_markup !== undefined && !('inline_keyboard' in reply_markup)) {
      throw new Error('only inline keyboards can be edited into a message');
    }
    try {
      await this.call('editMessageMedia', () =>
        this.telegram.editMessageMedia(
          chatId,
          messageId,
          undefined,
          {
            type: 'photo',
            media: { source: png, filename: 'chart.png' },
            caption: body.text,
            ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
          },
          reply_markup ? { reply_markup } : {},
        ),
      );
      return { chatId, messageId };
    } catch (err) {
      if (isGone(err) || isNotMedia(err)) return this.sendPhoto(chatId, png, caption, options);
      throw err;
    }
  }
}
