/**
 * The data the embedded Bot API server speaks: messages as it returns them, chat transcripts,
 * recorded calls and the event stream that tests and the demo page follow.
 */
import type { Clock } from '../../clock';
import type {
  BotCommand,
  Chat,
  Document,
  InlineKeyboardMarkup,
  MessageEntity,
  PhotoSize,
  User,
} from '@telegraf/types';

/** A message as the server returns it (the common subset of telegraf's `Message` union, flattened). */
export interface EmuMessage {
  message_id: number;
  from?: User;
  chat: Chat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo?: PhotoSize[];
  document?: Document;
  media_group_id?: string;
  reply_markup?: InlineKeyboardMarkup;
  reply_to_message?: EmuMessage;
}

/** One applied edit of a message, with the content it set. */
export interface MessageRevision {
  method: string;
  edit_date: number;
  text?: string;
  caption?: string;
  entities?: MessageEntity[];
  reply_markup?: unknown;
}

/** A message of a chat transcript, with its delete and edit state. */
export interface TranscriptEntry {
  message_id: number;
  sender: 'user' | 'bot';
  from: User;
  date: number;
  /** Text or caption as the user sees it (after parse_mode). */
  text?: string;
  caption?: string;
  /** Entities of the text or caption. */
  entities?: MessageEntity[];
  parse_mode?: string;
  /** Any markup kind as sent (inline_keyboard, keyboard, remove_keyboard, force_reply). */
  reply_markup?: unknown;
  photo?: PhotoSize[];
  document?: Document;
  reply_to_message_id?: number;
  edit_date?: number;
  deleted: boolean;
  edits: MessageRevision[];
  /** The message as Telegram would return it now. */
  message: EmuMessage;
}

/** One recorded API call. Uploaded files appear as {@link UploadedFile}. */
export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  /** ms since the epoch */
  at: number;
  via: 'http' | 'webhook_reply';
}

/** A file part of a multipart request. */
export interface UploadedFile {
  kind: 'upload';
  filename: string;
  data: Buffer;
}

/** A recorded answerCallbackQuery. */
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  at: number;
}

/** A raw update: `update_id` plus one payload field named after its type. */
export interface RawUpdate {
  update_id: number;
  [type: string]: unknown;
}

/** Everything the server observed, in order; `at` is ms since the epoch. */
export type EmulatorEvent =
  | { type: 'call'; at: number; call: ApiCall }
  | { type: 'message'; at: number; chatId: number; sender: 'user' | 'bot'; message: EmuMessage }
  | { type: 'edit'; at: number; chatId: number; method: string; message: EmuMessage }
  | { type: 'delete'; at: number; chatId: number; messageId: number }
  | { type: 'callback_answer'; at: number; answer: CallbackAnswer }
  | { type: 'chat_action'; at: number; chatId: number; action: string }
  | { type: 'update'; at: number; update: RawUpdate }
  | { type: 'confirmed'; at: number; offset: number }
  | {
      type: 'webhook_delivery';
      at: number;
      updateId: number;
      ok: boolean;
      status?: number;
      error?: string;
    }
  | { type: 'emulator_error'; at: number; message: string };

/** Options of {@link BotApiServer.start}. */
export interface EmulatorOptions {
  token: string;
  botUsername?: string;
  botFirstName?: string;
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** Source address for webhook delivery (e.g. '127.0.0.2'), to play Telegram's address. */
  localAddress?: string;
  /** First retry delay of webhook delivery; doubles up to 20x this. */
  webhookRetryMs?: number;
  /** A webhook POST with no answer in this time counts as failed. */
  webhookTimeoutMs?: number;
  /** Opt-in 429s: at most `perChat` sends per chat and `global` in total per second. */
  rateLimit?: { perChat?: number; global?: number };
  /** Events and calls kept in memory (oldest dropped first); default 50 000. */
  maxEvents?: number;
  /** Time for message dates, events, long-poll and retry timers; the system clock by default. */
  clock?: Clock;
}

/** Current setMyCommands payload for one scope/language. */
export interface CommandsPayload {
  commands: BotCommand[];
  scope?: unknown;
  language_code?: string;
}

/** Parameters of one Bot API call, from a query string, JSON, urlencoded or multipart body. */
export type Params = Record<string, unknown>;

/** A message as the server keeps it. */
export interface StoredMessage extends Omit<TranscriptEntry, 'message' | 'edits'> {
  chatId: number;
  edits: MessageRevision[];
  media_group_id?: string;
}

/** One chat: its messages and the per-chat message_id counter shared by users and the bot. */
export interface ChatState {
  chat: Chat;
  nextId: number;
  messages: Map<number, StoredMessage>;
  instance: string;
}

/** Uploaded bytes under their file_id. */
export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  data: Buffer;
}

/** Profile fields of a user; `first_name` defaults to `User<id>`. */
export interface UserProfile {
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** A group chat a user writes in. */
export interface GroupChatSpec {
  id: number;
  type: 'group' | 'supergroup';
  title: string;
  username?: string;
}

/** What a user sends. */
export interface UserContent {
  text?: string;
  commandEntity?: boolean;
  document?: { data: Buffer; fileName: string; mimeType?: string; caption?: string };
  replyTo?: number;
}

/** Options of a button press. */
export interface PressOptions {
  /** Skip the check that the message really carries a button with this callback_data (forged presses). */
  unchecked?: boolean;
}

/** A message reference: a server message or anything telegraf returned. */
export interface MessageRef {
  message_id: number;
  chat: { id: number };
}
