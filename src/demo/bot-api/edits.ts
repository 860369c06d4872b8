/**
 * editMessageText / editMessageCaption / editMessageReplyMarkup / editMessageMedia with Telegram's
 * rules: only the bot's own live messages, "not modified" when nothing changes, an inline keyboard
 * the edit does not repeat is dropped, and every applied edit is kept as a revision.
 */
import type { ChatStore } from './chats';
import { ApiError, TG_ERRORS } from './errors';
import type { FileStore } from './media';
import { formatted, readMarkup } from './message-format';
import type { Clock } from '../../clock';
import { isRecord, nowSec, optJson } from './params';
import type { ChatState, EmuMessage, Params, StoredMessage } from './types';

/** The edit methods this module serves. */
export type EditMethod =
  'editMessageText' | 'editMessageCaption' | 'editMessageReplyMarkup' | 'editMessageMedia';

const same = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const inline = (m: unknown): unknown => (isRecord(m) && 'inline_keyboard' in m ? m : undefined);
const isMedia = (m: StoredMessage): boolean => m.photo !== undefined || m.document !== undefined;

/** A message's fields as an edit sets them; undefined removes a field. */
type Draft = { [K in keyof StoredMessage]?: StoredMessage[K] | undefined };

const EDITED_KEYS = ['text', 'caption', 'entities', 'parse_mode', 'reply_markup'] as const;

/** Applies edits to the messages of a chat store. */
export class MessageEditor {
  constructor(
    private readonly chats: ChatStore,
    private readonly files: FileStore,
    private readonly clock: Clock,
  ) {}

  /** Runs one edit method. */
  edit(p: Params, method: EditMethod): EmuMessage {
    const { state, stored } = this.chats.find(p, TG_ERRORS.editNotFound);
    if (stored.sender !== 'bot') throw new ApiError(400, TG_ERRORS.cantEdit);
    // Telegram drops an inline keyboard that an edit does not repeat.
    const next: Draft = { reply_markup: readMarkup(p) };
    if (method === 'editMessageText') {
      if (isMedia(stored)) throw new ApiError(400, TG_ERRORS.noTextToEdit);
      const { text, entities, parseMode } = formatted(p, 'text');
      if (text === undefined || text.trim() === '') throw new ApiError(400, TG_ERRORS.textEmpty);
      Object.assign(next, { text, entities, parse_mode: parseMode });
    } else if (method === 'editMessageCaption') {
      if (!isMedia(stored)) throw new ApiError(400, TG_ERRORS.noCaptionToEdit);
      const { text, entities, parseMode } = formatted(p, 'caption');
      Object.assign(next, { caption: text, entities, parse_mode: parseMode });
    } else if (method === 'editMessageMedia') {
      Object.assign(next, this.newMedia(p, stored));
    } else {
      Object.assign(next, {
        text: stored.text,
        caption: stored.caption,
        entities: stored.entities,
        parse_mode: stored.parse_mode,
      });
    }
    const mediaSame =
      same(next.photo ?? stored.photo, stored.photo) &&
      same(next.document ?? stored.document, stored.document);
    if (
      mediaSame &&
      same(next.text, stored.text) &&
      same(next.caption, stored.caption) &&
      same(next.entities, stored.entities) &&
      same(inline(next.reply_markup), inline(stored.reply_markup))
    ) {
      throw new ApiError(400, TG_ERRORS.notModified);
    }
    return this.apply(state, stored, next, method);
  }

  /** The photo or document (and caption) of an editMessageMedia call. */
  private newMedia(p: Params, stored: StoredMessage): Draft {
    if (!isMedia(stored)) throw new ApiError(400, TG_ERRORS.noMediaToEdit);
    const media = optJson(p, 'media');
    if (!isRecord(media) || (media['type'] !== 'photo' && media['type'] !== 'document'))
      throw new ApiError(400, TG_ERRORS.mediaInvalid);
    const kind = media['type'];
    const { file, name } = this.files.resolve(media['media'], p, kind);
    const { text, entities, parseMode } = formatted(media, 'caption');
    // The new media replaces the old one entirely: photo or document, and the caption.
    return {
      photo: undefined,
      document: undefined,
      ...this.files.mediaFields(file, name, kind),
      caption: text,
      entities,
      parse_mode: parseMode,
    };
  }

  private apply(
    state: ChatState,
    stored: StoredMessage,
    next: Draft,
    method: EditMethod,
  ): EmuMessage {
    this.chats.checkRate(state.chat.id);
    const edit_date = nowSec(this.clock);
    const keys =
      method === 'editMessageMedia' ? [...EDITED_KEYS, 'photo', 'document'] : EDITED_KEYS;
    const target = stored as unknown as Record<string, unknown>;
    for (const key of keys) {
      const value = (next as Record<string, unknown>)[key];
      if (value === undefined) delete target[key];
      else target[key] = value;
    }
    stored.edit_date = edit_date;
    stored.edits.push(
      structuredClone({
        method,
        edit_date,
        ...(next.text !== undefined && { text: next.text }),
        ...(next.caption !== undefined && { caption: next.caption }),
        ...(next.entities !== undefined && { entities: next.entities }),
        ...(next.reply_markup !== undefined && { reply_markup: next.reply_markup }),
      }),
    );
    const message = this.chats.toMessage(stored);
    this.chats.emitEdit(state.chat.id, method, message);
    return message;
  }
}
