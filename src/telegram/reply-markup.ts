import type {
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  ReplyKeyboardMarkup,
} from 'telegraf/types';
import { clip } from '../views/html';
import { isActionButton, TELEGRAM_LIMITS, type Keyboard } from '../views/view';
import type { CallbackStore } from './callback-store';

export type ReplyMarkup =
  | InlineKeyboardMarkup
  | ReplyKeyboardMarkup
  | { remove_keyboard: true }
  | { force_reply: true; selective: true }
  | undefined;

/** A view's keyboard as the Bot API's reply_markup; action buttons become opaque callback tokens. */
export function replyMarkup(
  keyboard: Keyboard | undefined,
  forUser: number | undefined,
  callbacks: CallbackStore,
): ReplyMarkup {
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
            return { text, callback_data: callbacks.issue(forUser, b.action, b.args) };
          }),
        ),
      };
  }
}
