import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { clipUnits, visibleText } from '../views/html';
import { TELEGRAM_LIMITS, type Keyboard, type View } from '../views/view';
import { isGone, isNotMedia, isNotModified, unsentRequestCode } from './api-errors';
import type { CallbackStore } from './callback-store';
import { replyMarkup, type ReplyMarkup } from './reply-markup';
import { asTelegrafSignal } from './telegraf-signal';

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

/** The longest one Bot API call may take before it is abandoned; uploads get longer. */
const CALL_DEADLINE_MS = 30_000;
const UPLOAD_DEADLINE_MS = 120_000;

/** How many times a 429 or 5xx is retried before giving up. */
const MAX_RETRIES = 3;
/** Longest retry_after we are willing to sleep inside one request. */
const MAX_RETRY_AFTER_S = 60;

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

  /**
   * One Bot API call with its retries. Each attempt is abandoned after `deadlineMs` (a connection
   * that stalls would otherwise hold its send slot for telegraf's 500 s); an abandoned call is not
   * resent, since Telegram may have acted on it.
   */
  private async call<T>(
    what: string,
    fn: (signal: ReturnType<typeof asTelegrafSignal>) => Promise<T>,
    deadlineMs = CALL_DEADLINE_MS,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const abort = new AbortController();
      const timer = this.clock.setTimeout(() => abort.abort(), deadlineMs);
      try {
        return await fn(asTelegrafSignal(abort.signal));
      } catch (err) {
        if (abort.signal.aborted) {
          throw new Error(`${what}: Telegram gave no answer within ${deadlineMs / 1000} s`);
        }
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
      } finally {
        timer.cancel();
      }
    }
  }

  private markup(keyboard: Keyboard | undefined, forUser: number | undefined): ReplyMarkup {
    return replyMarkup(keyboard, forUser, this.callbacks);
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
    const msg = await this.call('sendMessage', (signal) =>
      this.telegram.callApi(
        'sendMessage',
        {
          chat_id: chatId,
          text: body.text,
          ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
          ...(reply_markup ? { reply_markup } : {}),
          ...(options.replyTo !== undefined
            ? {
                reply_parameters: {
                  message_id: options.replyTo,
                  allow_sending_without_reply: true,
                },
              }
            : {}),
          ...(options.protect ? { protect_content: true } : {}),
          ...(options.silent ? { disable_notification: true } : {}),
          ...(options.threadId !== undefined ? { message_thread_id: options.threadId } : {}),
          link_preview_options: { is_disabled: view.disablePreview ?? true },
        },
        { signal },
      ),
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
      await this.call('editMessageText', (signal) =>
        this.telegram.callApi(
          'editMessageText',
          {
            chat_id: chatId,
            message_id: messageId,
            text: body.text,
            ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
            ...(reply_markup ? { reply_markup } : {}),
            link_preview_options: { is_disabled: view.disablePreview ?? true },
          },
          { signal },
        ),
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
      await this.call('answerCallbackQuery', (signal) =>
        this.telegram.callApi(
          'answerCallbackQuery',
          {
            callback_query_id: callbackQueryId,
            ...(text === undefined ? {} : { text: clipUnits(text, 200) }),
            show_alert: alert,
          },
          { signal },
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
      return await this.call('deleteMessage', (signal) =>
        this.telegram.callApi(
          'deleteMessage',
          { chat_id: chatId, message_id: messageId },
          { signal },
        ),
      );
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
    const msg = await this.call(
      'sendPhoto',
      (signal) =>
        this.telegram.callApi(
          'sendPhoto',
          {
            chat_id: chatId,
            photo: { source: png, filename: 'image.png' },
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
          { signal },
        ),
      UPLOAD_DEADLINE_MS,
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
    const msg = await this.call(
      'sendDocument',
      (signal) =>
        this.telegram.callApi(
          'sendDocument',
          {
            chat_id: chatId,
            document: { source: content, filename },
            caption: body.text,
            ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
            ...(reply_markup ? { reply_markup } : {}),
            ...(options.protect ? { protect_content: true } : {}),
          },
          { signal },
        ),
      UPLOAD_DEADLINE_MS,
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
      await this.call(
        'editMessageMedia',
        (signal) =>
          this.telegram.callApi(
            'editMessageMedia',
            {
              chat_id: chatId,
              message_id: messageId,
              media: {
                type: 'photo',
                media: { source: png, filename: 'chart.png' },
                caption: body.text,
                ...(body.parse_mode ? { parse_mode: body.parse_mode } : {}),
              },
              ...(reply_markup ? { reply_markup } : {}),
            },
            { signal },
          ),
        UPLOAD_DEADLINE_MS,
      );
      return { chatId, messageId };
    } catch (err) {
      if (isGone(err) || isNotMedia(err)) return this.sendPhoto(chatId, png, caption, options);
      throw err;
    }
  }
}
