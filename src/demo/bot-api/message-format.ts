/**
 * Message content as Telegram reads it: chat lookup, text or caption after parse_mode (with its
 * length limits), reply markup (with the callback_data limit) and the replied-to message.
 */
import type { MessageEntity } from '@telegraf/types';
import { ApiError, TG_ERRORS } from './errors';
import { EntityParseError, parseHtml } from './html';
import { isRecord, optBool, optJson, optNum, optStr } from './params';
import type { ChatState, Params } from './types';

/** Telegram's limits, in UTF-16 units after parsing (text, caption) and bytes (callback data). */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
const CALLBACK_DATA_LIMIT = 64;

/** A text or caption after parse_mode. */
export interface Formatted {
  text: string | undefined;
  entities: MessageEntity[] | undefined;
  parseMode: string | undefined;
}

/** Text or caption after parse_mode, with Telegram's checks. */
export function formatted(p: Params, field: 'text' | 'caption'): Formatted {
  const source = optStr(p, field);
  const parseMode = optStr(p, 'parse_mode');
  const explicit = optJson(p, field === 'text' ? 'entities' : 'caption_entities');
  if (source === undefined) return { text: undefined, entities: undefined, parseMode };
  let text = source;
  let entities =
    Array.isArray(explicit) && explicit.length ? (explicit as MessageEntity[]) : undefined;
  if (!entities && parseMode?.toLowerCase() === 'html') {
    try {
      const parsed = parseHtml(source);
      text = parsed.text;
      entities = parsed.entities.length ? parsed.entities : undefined;
    } catch (err) {
      if (err instanceof EntityParseError)
        throw new ApiError(400, `Bad Request: can't parse entities: ${err.message}`);
      throw err;
    }
  }
  const limit = field === 'text' ? TEXT_LIMIT : CAPTION_LIMIT;
  if (text.length > limit)
    throw new ApiError(400, field === 'text' ? TG_ERRORS.textTooLong : TG_ERRORS.captionTooLong);
  return { text, entities, parseMode };
}

/** The reply_markup of a call, validated (any kind; only inline markup is echoed back). */
export function readMarkup(p: Params): unknown {
  const markup = optJson(p, 'reply_markup');
  if (markup === undefined) return undefined;
  if (!isRecord(markup)) throw new ApiError(400, TG_ERRORS.markupInvalid);
  if ('inline_keyboard' in markup) {
    const rows = markup['inline_keyboard'];
    if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.every(isRecord)))
      throw new ApiError(400, TG_ERRORS.markupInvalid);
    for (const b of rows.flat()) {
      const data = b['callback_data'];
      if (
        data !== undefined &&
        (typeof data !== 'string' ||
          data.length === 0 ||
          Buffer.byteLength(data) > CALLBACK_DATA_LIMIT)
      ) {
        throw new ApiError(400, TG_ERRORS.buttonDataInvalid);
      }
      if (typeof b['text'] !== 'string') throw new ApiError(400, TG_ERRORS.markupInvalid);
    }
    return markup;
  }
  if ('keyboard' in markup || 'remove_keyboard' in markup || 'force_reply' in markup) return markup;
  throw new ApiError(400, TG_ERRORS.markupInvalid);
}

/** The message_id a call replies to, checked to exist unless allow_sending_without_reply. */
export function readReplyTo(p: Params, state: ChatState): number | undefined {
  const rp = optJson(p, 'reply_parameters');
  const id = isRecord(rp) ? optNum(rp, 'message_id') : optNum(p, 'reply_to_message_id');
  if (id === undefined) return undefined;
  const target = state.messages.get(id);
  if (!target || target.deleted) {
    const lenient =
      (isRecord(rp) && optBool(rp, 'allow_sending_without_reply')) ||
      optBool(p, 'allow_sending_without_reply');
    if (lenient) return undefined;
    throw new ApiError(400, TG_ERRORS.replyNotFound);
  }
  return id;
}
