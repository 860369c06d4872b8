/**
 * Chats of the embedded Bot API server: per-chat message ids shared by users and the bot,
 * sendMessage / sendPhoto / sendDocument / sendMediaGroup with Telegram's checks, deleteMessage,
 * messages as Telegram returns them, and transcripts with edit and delete state.
 */
import { randomBytes } from 'node:crypto';
import type { Chat, InlineKeyboardMarkup, User } from '@telegraf/types';
import { ApiError, TG_ERRORS } from './errors';
import { formatted, readMarkup, readReplyTo } from './message-format';
import type { FileStore } from './media';
import type { Clock } from '../../clock';
import { isRecord, nowSec, optJson, optNum, optStr } from './params';
import type {
  ChatState,
  EmuMessage,
  EmulatorEvent,
  Params,
  StoredMessage,
  TranscriptEntry,
} from './types';

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** What the chat store needs from the server. */
export interface ChatStoreDeps {
  bot: User;
  files: FileStore;
  emit(event: EmulatorEvent): void;
  rateLimit: { perChat?: number; global?: number } | undefined;
  clock: Clock;
}

/** Every known chat and its messages. */
export class ChatStore {
  private chats = new Map<number, ChatState>();
  private sendTimes = new Map<number, number[]>();

  constructor(private readonly deps: ChatStoreDeps) {}

  /** Makes a chat known (or updates its profile). */
  register(chat: Chat): ChatState {
    const known = this.chats.get(chat.id);
    if (known) {
      known.chat = chat;
      return known;
    }
    const state: ChatState = {
      chat,
      nextId: 1,
      messages: new Map(),
      instance: randomBytes(8).readBigUInt64BE().toString(),
    };
    this.chats.set(chat.id, state);
    return state;
  }

  /** A known chat, or undefined. */
  get(chatId: number): ChatState | undefined {
    return this.chats.get(chatId);
  }

  /** Forgets every chat and the rate limiter's history. */
  reset(): void {
    this.chats = new Map();
    this.sendTimes = new Map();
  }

  /** The chat a call names by `chat_id` (numeric or @username). */
  require(p: Params): ChatState {
    const raw = p['chat_id'];
    if (raw === undefined || raw === null || raw === '')
      throw new ApiError(400, TG_ERRORS.chatIdEmpty);
    if (typeof raw === 'string' && raw.startsWith('@')) {
      const name = raw.slice(1).toLowerCase();
      for (const state of this.chats.values()) {
        if ('username' in state.chat && state.chat.username?.toLowerCase() === name) return state;
      }
      throw new ApiError(400, TG_ERRORS.chatNotFound);
    }
    const id = optNum(p, 'chat_id');
    const state = id === undefined ? undefined : this.chats.get(id);
    if (!state) throw new ApiError(400, TG_ERRORS.chatNotFound);
    return state;
  }

  /** The opt-in rate limiter: 429 past `perChat` sends per chat or `global` in total per second. */
  checkRate(chatId: number): void {
    const limits = this.deps.rateLimit;
    if (!limits) return;
    const now = this.deps.clock.now();
    const recent = (key: number): number[] =>
      (this.sendTimes.get(key) ?? []).filter((t) => now - t < 1000);
    const chat = recent(chatId);
    const all = recent(Number.NaN);
    if (
      (limits.perChat !== undefined && chat.length >= limits.perChat) ||
      (limits.global !== undefined && all.length >= limits.global)
    ) {
      throw new ApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    }
    this.sendTimes.set(chatId, [...chat, now]);
    this.sendTimes.set(Number.NaN, [...all, now]);
  }

  /** Stores a new message under the chat's next message_id and reports it. */
  add(
    state: ChatState,
    sender: 'user' | 'bot',
    from: User,
    fields: Partial<StoredMessage>,
  ): StoredMessage {
    const stored: StoredMessage = {
      ...fields,
      chatId: state.chat.id,
      message_id: state.nextId++,
      sender,
      from,
      date: nowSec(this.deps.clock),
      deleted: false,
      edits: [],
    };
    state.messages.set(stored.message_id, stored);
    this.deps.emit({
      type: 'message',
      at: this.deps.clock.now(),
      chatId: state.chat.id,
      sender,
      message: this.toMessage(stored),
    });
    return stored;
  }

  /** The message as Telegram returns it now (a copy). */
  toMessage(m: StoredMessage, withReply = true): EmuMessage {
    const state = this.chats.get(m.chatId);
    const msg: EmuMessage = {
      message_id: m.message_id,
      from: m.from,
      chat: state?.chat ?? { id: m.chatId, type: 'private', first_name: '' },
      date: m.date,
    };
    if (m.edit_date !== undefined) msg.edit_date = m.edit_date;
    if (m.photo) msg.photo = m.photo;
    if (m.document) msg.document = m.document;
    if (m.media_group_id) msg.media_group_id = m.media_group_id;
    const isMedia = m.photo !== undefined || m.document !== undefined;
    if (!isMedia && m.text !== undefined) {
      msg.text = m.text;
      if (m.entities) msg.entities = m.entities;
    }
    if (isMedia && m.caption !== undefined) {
      msg.caption = m.caption;
      if (m.entities) msg.caption_entities = m.entities;
    }
    if (isRecord(m.reply_markup) && 'inline_keyboard' in m.reply_markup)
      msg.reply_markup = m.reply_markup as unknown as InlineKeyboardMarkup;
    const replied =
      m.reply_to_message_id === undefined ? undefined : state?.messages.get(m.reply_to_message_id);
    if (withReply && replied) msg.reply_to_message = this.toMessage(replied, false);
    return structuredClone(msg);
  }

  /** sendMessage. */
  sendMessage(p: Params): EmuMessage {
    const state = this.require(p);
    const { text, entities, parseMode } = formatted(p, 'text');
    if (text === undefined || text.trim() === '') throw new ApiError(400, TG_ERRORS.textEmpty);
    const reply_markup = readMarkup(p);
    const reply_to_message_id = readReplyTo(p, state);
    this.checkRate(state.chat.id);
    const stored = this.add(state, 'bot', this.deps.bot, {
      text,
      ...(entities && { entities }),
      ...(parseMode !== undefined && { parse_mode: parseMode }),
      ...(reply_markup !== undefined && { reply_markup }),
      ...(reply_to_message_id !== undefined && { reply_to_message_id }),
    });
    return this.toMessage(stored);
  }

  /** sendPhoto / sendDocument: an upload, a known file_id or a URL, with an optional caption. */
  sendMedia(p: Params, kind: 'photo' | 'document'): EmuMessage {
    const state = this.require(p);
    const { text: caption, entities, parseMode } = formatted(p, 'caption');
    const reply_markup = readMarkup(p);
    const reply_to_message_id = readReplyTo(p, state);
    const { file, name } = this.deps.files.resolve(p[kind], p, kind);
    const media = this.deps.files.mediaFields(file, name, kind);
    this.checkRate(state.chat.id);
    const stored = this.add(state, 'bot', this.deps.bot, {
      ...media,
      ...(caption !== undefined && { caption }),
      ...(entities && { entities }),
      ...(parseMode !== undefined && { parse_mode: parseMode }),
      ...(reply_markup !== undefined && { reply_markup }),
      ...(reply_to_message_id !== undefined && { reply_to_message_id }),
    });
    return this.toMessage(stored);
  }

  /** sendMediaGroup: 2-10 photos or documents sharing a media_group_id. */
  sendMediaGroup(p: Params): EmuMessage[] {
    const state = this.require(p);
    const media = optJson(p, 'media');
    if (!Array.isArray(media) || media.length < 2 || media.length > 10 || !media.every(isRecord)) {
      throw new ApiError(400, 'Bad Request: wrong number of media specified');
    }
    const groupId = String(13_000_000_000_000_000 + Math.floor(Math.random() * 1e15));
    const prepared = media.map((item) => {
      const kind = item['type'] === 'photo' ? 'photo' : 'document';
      const { text: caption, entities, parseMode } = formatted(item, 'caption');
      const { file, name } = this.deps.files.resolve(item['media'], p, kind);
      return {
        ...this.deps.files.mediaFields(file, name, kind),
        ...(caption !== undefined && { caption }),
        ...(entities && { entities }),
        ...(parseMode !== undefined && { parse_mode: parseMode }),
      };
    });
    this.checkRate(state.chat.id);
    return prepared.map((fields) =>
      this.toMessage(this.add(state, 'bot', this.deps.bot, { ...fields, media_group_id: groupId })),
    );
  }

  /** The live message a call names by chat_id + message_id; `notFound` otherwise. */
  find(p: Params, notFound: string): { state: ChatState; stored: StoredMessage } {
    if (p['inline_message_id'] !== undefined) throw new ApiError(400, notFound);
    const state = this.require(p);
    const id = optNum(p, 'message_id');
    if (id === undefined) throw new ApiError(400, TG_ERRORS.messageIdMissing);
    const stored = state.messages.get(id);
    if (!stored || stored.deleted) throw new ApiError(400, notFound);
    return { state, stored };
  }

  /** Reports an applied edit. */
  emitEdit(chatId: number, method: string, message: EmuMessage): void {
    this.deps.emit({ type: 'edit', at: this.deps.clock.now(), chatId, method, message });
  }

  /** deleteMessage. */
  deleteMessage(p: Params): true {
    const { state, stored } = this.find(p, TG_ERRORS.deleteNotFound);
    stored.deleted = true;
    this.deps.emit({
      type: 'delete',
      at: this.deps.clock.now(),
      chatId: state.chat.id,
      messageId: stored.message_id,
    });
    return true;
  }

  /** Messages of a chat, user and bot, ordered by message_id. */
  transcript(chatId: number): TranscriptEntry[] {
    const state = this.chats.get(chatId);
    if (!state) return [];
    return [...state.messages.values()]
      .sort((a, b) => a.message_id - b.message_id)
      .map((m) => this.toEntry(m));
  }

  /** One message with its edit and delete state. */
  entry(chatId: number, messageId: number): TranscriptEntry | undefined {
    const m = this.chats.get(chatId)?.messages.get(messageId);
    return m && this.toEntry(m);
  }

  private toEntry(m: StoredMessage): TranscriptEntry {
    const copy: Partial<StoredMessage> = structuredClone(m);
    delete copy.chatId;
    delete copy.media_group_id;
    return { ...(copy as Omit<StoredMessage, 'chatId'>), message: this.toMessage(m) };
  }

  /** sendChatAction: recorded as an event. */
  sendChatAction(p: Params): true {
    const state = this.require(p);
    const action = optStr(p, 'action') ?? '';
    if (!CHAT_ACTIONS.has(action)) throw new ApiError(400, TG_ERRORS.wrongAction);
    this.deps.emit({
      type: 'chat_action',
      at: this.deps.clock.now(),
      chatId: state.chat.id,
      action,
    });
    return true;
  }
}
