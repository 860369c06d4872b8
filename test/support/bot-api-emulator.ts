/**
 * An in-process Telegram Bot API emulator for tests (spec: shared/reference/bot-api-emulator.md).
 * It speaks the real HTTP protocol on 127.0.0.1 so the daemon, or telegraf in-process, runs
 * unchanged with `apiRoot` pointing here; tests drive users and inspect state through this class.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type {
  BotCommand,
  Chat,
  Document,
  File as TgFile,
  InlineKeyboardMarkup,
  MessageEntity,
  PhotoSize,
  User,
  UserFromGetMe,
  WebhookInfo,
} from '@telegraf/types';
import { EntityParseError, parseHtml } from './bot-api-html';
import {
  UserDriver,
  type DriverHost,
  type MessageRef,
  type PressOptions,
  type UserContent,
  type UserProfile,
} from './bot-api-driver';

export { UserDriver } from './bot-api-driver';
export type { GroupChatSpec, MessageRef, PressOptions, UserProfile } from './bot-api-driver';

/** Telegram's error descriptions, verbatim, for assertions in tests. */
export const TG_ERRORS = {
  unauthorized: 'Unauthorized',
  notFound: 'Not Found',
  chatIdEmpty: 'Bad Request: chat_id is empty',
  chatNotFound: 'Bad Request: chat not found',
  textEmpty: 'Bad Request: message text is empty',
  textTooLong: 'Bad Request: message is too long',
  captionTooLong: 'Bad Request: message caption is too long',
  buttonDataInvalid: 'Bad Request: BUTTON_DATA_INVALID',
  markupInvalid: "Bad Request: can't parse reply keyboard markup JSON object",
  queryInvalid: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
  editNotFound: 'Bad Request: message to edit not found',
  notModified:
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
  noTextToEdit: 'Bad Request: there is no text in the message to edit',
  noCaptionToEdit: 'Bad Request: there is no caption in the message to edit',
  cantEdit: "Bad Request: message can't be edited",
  deleteNotFound: 'Bad Request: message to delete not found',
  replyNotFound: 'Bad Request: message to be replied not found',
  messageIdMissing: 'Bad Request: message identifier is not specified',
  wrongFile: 'Bad Request: wrong file identifier/HTTP URL specified',
  fileEmpty: 'Bad Request: file must be non-empty',
  imageFailed: 'Bad Request: IMAGE_PROCESS_FAILED',
  invalidFileId: 'Bad Request: invalid file_id',
  wrongAction: 'Bad Request: wrong parameter action in request',
  commandInvalid: 'Bad Request: BOT_COMMAND_INVALID',
  webhookHttps: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
  webhookPort: 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443',
  conflictPolling:
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  conflictWebhook:
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
} as const;

/** A Bot API error answer: HTTP status = `error_code`. */
export class ApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

/** A message as the emulator returns it (the common subset of telegraf's `Message` union, flattened). */
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

/** Everything the emulator observed, in order; `at` is ms since the epoch. */
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

/** A scripted fault for the next call(s) of one method. */
export type FaultSpec =
  | {
      error_code: number;
      description?: string;
      parameters?: { retry_after?: number; migrate_to_chat_id?: number };
    }
  | { delayMs: number }
  | { dropSocket: true };

/** Options of {@link BotApiEmulator.start}. */
export interface EmulatorOptions {
  token: string;
  botUsername?: string;
  botFirstName?: string;
  /** Source address for webhook delivery (e.g. '127.0.0.2'), to play Telegram's address. */
  localAddress?: string;
  /** First retry delay of webhook delivery; doubles up to 20× this. */
  webhookRetryMs?: number;
  /** A webhook POST with no answer in this time counts as failed. */
  webhookTimeoutMs?: number;
  /** Opt-in 429s: at most `perChat` sends per chat and `global` in total per second. */
  rateLimit?: { perChat?: number; global?: number };
}

/** Current setMyCommands payload for one scope/language. */
export interface CommandsPayload {
  commands: BotCommand[];
  scope?: unknown;
  language_code?: string;
}

type Params = Record<string, unknown>;
type Handler = (p: Params) => unknown;

interface StoredMessage extends Omit<TranscriptEntry, 'message' | 'edits'> {
  chatId: number;
  edits: MessageRevision[];
  media_group_id?: string;
}

interface ChatState {
  chat: Chat;
  nextId: number;
  messages: Map<number, StoredMessage>;
  instance: string;
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  data: Buffer;
}

interface Waiter {
  test: (e: EmulatorEvent) => boolean;
  resolve: (e: EmulatorEvent) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface HeldPoll {
  res: http.ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
}

interface WebhookState {
  url: string;
  secret_token?: string;
  max_connections?: number;
  last_error_date?: number;
  last_error_message?: string;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_EVENTS = 50_000;
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const CALLBACK_DATA_LIMIT = 64;
// Telegram's default when allowed_updates is []: everything but these.
const NOT_DEFAULT_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
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
const MIME_BY_EXT: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  log: 'text/plain',
  json: 'application/json',
  yaml: 'application/x-yaml',
  yml: 'application/x-yaml',
  csv: 'text/csv',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
};

const nowSec = (): number => Math.floor(Date.now() / 1000);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUpload(v: unknown): v is UploadedFile {
  return isRecord(v) && v['kind'] === 'upload' && Buffer.isBuffer(v['data']);
}

function optStr(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ApiError(400, `Bad Request: field "${key}" must be of type String`);
}

function optNum(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n))
    throw new ApiError(400, `Bad Request: field "${key}" must be a valid Number`);
  return Math.trunc(n);
}

function optBool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  return v === true || v === 'true' || v === '1' || v === 1;
}

function optJson(p: Params, key: string): unknown {
  const v = p[key];
  if (typeof v !== 'string') return v ?? undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new ApiError(400, `Bad Request: can't parse ${key} JSON object`);
  }
}

function updateType(u: RawUpdate): string {
  return Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';
}

function mimeFor(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}

/** Width/height from PNG, GIF, WEBP or JPEG headers; undefined when it is no image Telegram takes. */
function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8')
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (
    b.length >= 12 &&
    b.toString('latin1', 0, 4) === 'RIFF' &&
    b.toString('latin1', 8, 12) === 'WEBP'
  )
    return { width: 0, height: 0 };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length && b[i] === 0xff) {
      const marker = b[i + 1] ?? 0;
      const len = b.readUInt16BE(i + 2);
      if (
        marker >= 0xc0 &&
        marker <= 0xcf &&
        marker !== 0xc4 &&
        marker !== 0xc8 &&
        marker !== 0xcc
      ) {
        return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      }
      i += 2 + len;
    }
    return { width: 0, height: 0 };
  }
  return undefined;
}

function isLoopbackHost(hostname: string): boolean {
  return (
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || hostname === '[::1]' || hostname === '::1'
  );
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () =>
      tooBig
        ? reject(new ApiError(413, 'Request Entity Too Large'))
        : resolve(Buffer.concat(chunks)),
    );
    req.on('error', () => reject(new ApiError(400, 'Bad Request: request aborted')));
  });
}

async function parseParams(req: http.IncomingMessage, url: URL, body: Buffer): Promise<Params> {
  const params: Params = Object.create(null) as Params;
  for (const [k, v] of url.searchParams) params[k] = v;
  if (body.length === 0) return params;
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new ApiError(400, "Bad Request: can't parse JSON request body");
    }
    if (!isRecord(parsed)) throw new ApiError(400, "Bad Request: can't parse JSON request body");
    for (const [k, v] of Object.entries(parsed)) params[k] = v;
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  } else if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(body), {
        headers: { 'content-type': type === '' ? '' : String(req.headers['content-type']) },
      }).formData();
    } catch {
      throw new ApiError(400, "Bad Request: can't parse multipart/form-data request body");
    }
    for (const [k, v] of form.entries()) {
      params[k] =
        typeof v === 'string'
          ? v
          : ({
              kind: 'upload',
              filename: v.name,
              data: Buffer.from(await v.arrayBuffer()),
            } satisfies UploadedFile);
    }
  }
  return params;
}

/** The emulator: an HTTP server plus the in-memory Telegram state it serves. */
export class BotApiEmulator implements DriverHost {
  /** Every API call, in arrival order. */
  readonly calls: ApiCall[] = [];
  /** Every answerCallbackQuery, in order. */
  readonly callbackAnswers: CallbackAnswer[] = [];
  /** Every event (calls, messages, edits, deletes, answers, updates), in order. */
  readonly events: EmulatorEvent[] = [];
  /** The bot user, as getMe returns it. */
  readonly bot: UserFromGetMe;

  private readonly handlers: Readonly<Record<string, Handler>>;
  private readonly canonical = new Map<string, string>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private readonly outgoing = new Set<http.ClientRequest>();
  private chats = new Map<number, ChatState>();
  private users = new Map<number, User>();
  private queue: RawUpdate[] = [];
  private nextUpdateId = 1;
  private allowedUpdates: string[] | null = null;
  private held: HeldPoll | undefined;
  private hung = new Set<http.ServerResponse>();
  private unresponsive = false;
  private waiters = new Set<Waiter>();
  private pendingQueries = new Map<string, { chatId: number }>();
  private nextQueryId = 1;
  private cursors = new Map<string, number>();
  private faults = new Map<string, Array<{ spec: FaultSpec; left: number }>>();
  private files = new Map<string, StoredFile>();
  private filesByPath = new Map<string, StoredFile>();
  private commandSets = new Map<string, CommandsPayload>();
  private lastCommands: CommandsPayload | undefined;
  private descriptions = new Map<'description' | 'short_description', string>();
  private webhook: WebhookState | undefined;
  private lastWebhookError: { date: number; message: string } | undefined;
  private webhookTarget: string | undefined;
  private localAddress: string | undefined;
  private delivering = false;
  private sendTimes = new Map<number, number[]>();
  private stopped = false;

  private constructor(
    private readonly server: http.Server,
    /** The bot token the emulator accepts. */
    readonly token: string,
    private readonly opts: EmulatorOptions,
  ) {
    const botId = Number(token.split(':')[0]);
    this.bot = {
      id: Number.isSafeInteger(botId) && botId > 0 ? botId : 123456,
      is_bot: true,
      first_name: opts.botFirstName ?? 'tmbot test',
      username: opts.botUsername ?? 'tmbot_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
    this.localAddress = opts.localAddress;
    this.handlers = {
      getMe: () => this.bot,
      sendMessage: (p) => this.sendMessage(p),
      sendPhoto: (p) => this.sendMedia(p, 'photo'),
      sendDocument: (p) => this.sendMedia(p, 'document'),
      sendMediaGroup: (p) => this.sendMediaGroup(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      editMessageText: (p) => this.editMessage(p, 'editMessageText'),
      editMessageCaption: (p) => this.editMessage(p, 'editMessageCaption'),
      editMessageReplyMarkup: (p) => this.editMessage(p, 'editMessageReplyMarkup'),
      deleteMessage: (p) => this.deleteMessage(p),
      sendChatAction: (p) => this.sendChatAction(p),
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => this.commandSets.get(this.commandKey(p))?.commands ?? [],
      deleteMyCommands: (p) => this.commandSets.delete(this.commandKey(p)) || true,
      setMyDescription: (p) => this.setDescription(p, 'description', 512),
      setMyShortDescription: (p) => this.setDescription(p, 'short_description', 120),
      setWebhook: (p) => this.setWebhook(p),
      deleteWebhook: (p) => this.deleteWebhook(p),
      getWebhookInfo: () => {
        const info = this.webhookInfo();
        delete info.secret_token;
        return info;
      },
      getFile: (p) => this.getFile(p),
      getChat: (p) => this.requireChat(p).chat,
      getUpdates: () => {
        throw new ApiError(400, 'Bad Request: getUpdates is not allowed here');
      },
    };
    for (const name of Object.keys(this.handlers)) this.canonical.set(name.toLowerCase(), name);
  }

  /** Starts an emulator on 127.0.0.1 with a random port. */
  static async start(opts: EmulatorOptions): Promise<BotApiEmulator> {
    const server = http.createServer();
    const emu = new BotApiEmulator(server, opts.token, opts);
    server.on('request', (req, res) => emu.onRequest(req, res));
    server.on('connection', (s) => {
      emu.sockets.add(s);
      s.on('close', () => emu.sockets.delete(s));
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return emu;
  }

  /** The base URL to give telegraf as `apiRoot` (with a trailing slash). */
  get apiRoot(): string {
    const addr = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}/`;
  }

  /** The port the emulator listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The last setMyCommands payload (any scope), or undefined. */
  get commands(): CommandsPayload | undefined {
    return this.lastCommands;
  }

  /** What setMyDescription / setMyShortDescription last set (default language). */
  description(kind: 'description' | 'short_description'): string | undefined {
    return this.descriptions.get(kind);
  }

  /** Commands currently set for one scope/language (what getMyCommands would answer). */
  commandsFor(scope?: unknown, languageCode?: string): BotCommand[] {
    return (
      this.commandSets.get(this.commandKey({ scope, language_code: languageCode }))?.commands ?? []
    );
  }

  /** Updates queued and not yet confirmed. */
  get pendingUpdates(): readonly RawUpdate[] {
    return this.queue;
  }

  /** A user driver; the user's private chat becomes known. Profile fields stick for later calls. */
  user(id: number, profile: UserProfile = {}): UserDriver {
    const merged = { ...this.users.get(id), ...profile };
    const user: User = { id, is_bot: false, first_name: merged.first_name ?? `User${id}` };
    if (merged.last_name !== undefined) user.last_name = merged.last_name;
    if (merged.username !== undefined) user.username = merged.username;
    if (merged.language_code !== undefined) user.language_code = merged.language_code;
    this.users.set(id, user);
    const chat: Chat = {
      id,
      type: 'private',
      first_name: user.first_name,
      ...(user.last_name !== undefined ? { last_name: user.last_name } : {}),
      ...(user.username !== undefined ? { username: user.username } : {}),
    };
    this.registerChat(chat);
    return new UserDriver(this, user, chat);
  }

  /** @internal */
  registerChat(chat: Chat): void {
    const known = this.chats.get(chat.id);
    if (known) known.chat = chat;
    else
      this.chats.set(chat.id, {
        chat,
        nextId: 1,
        messages: new Map(),
        instance: randomBytes(8).readBigUInt64BE().toString(),
      });
  }

  /** Queues any raw update (update_id assigned when missing) and returns it. */
  injectUpdate(raw: Record<string, unknown>): RawUpdate {
    const id = typeof raw['update_id'] === 'number' ? raw['update_id'] : this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, id + 1);
    const update: RawUpdate = { ...raw, update_id: id };
    this.queue.push(update);
    this.emit({ type: 'update', at: Date.now(), update });
    this.flushHeldPoll();
    this.kickWebhook();
    return update;
  }

  /** Scripts `times` faults for the next calls of `method` (queued after earlier scripts). */
  fail(method: string, spec: FaultSpec, times = 1): void {
    const key = method.toLowerCase();
    const list = this.faults.get(key) ?? [];
    list.push({ spec, left: times });
    this.faults.set(key, list);
  }

  /** While on, getUpdates and getMe are never answered (the client must give up by itself). */
  setUnresponsive(on: boolean): void {
    this.unresponsive = on;
  }

  /**
   * Redirects webhook delivery: scheme, host and port of the registered URL are replaced by
   * `url`'s, the path is kept. Only http loopback targets. `null` clears the override.
   */
  setWebhookTarget(url: string | null, opts: { localAddress?: string } = {}): void {
    if (opts.localAddress !== undefined) this.localAddress = opts.localAddress;
    if (url === null) {
      this.webhookTarget = undefined;
      return;
    }
    const u = new URL(url);
    if (u.protocol !== 'http:' || !isLoopbackHost(u.hostname)) {
      throw new Error(
        `setWebhookTarget: only http://127.x.x.x or http://[::1] targets, got ${url}`,
      );
    }
    this.webhookTarget = u.origin;
    this.kickWebhook();
  }

  /** Current webhook state as getWebhookInfo answers it, plus the secret. */
  webhookInfo(): WebhookInfo & { secret_token?: string } {
    const info: WebhookInfo & { secret_token?: string } = {
      url: this.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
    };
    if (this.webhook) {
      if (this.lastWebhookError) {
        info.last_error_date = this.lastWebhookError.date;
        info.last_error_message = this.lastWebhookError.message;
      }
      if (this.webhook.max_connections !== undefined)
        info.max_connections = this.webhook.max_connections;
      if (this.allowedUpdates) info.allowed_updates = [...this.allowedUpdates];
      if (this.webhook.secret_token !== undefined) info.secret_token = this.webhook.secret_token;
    }
    return info;
  }

  /** Messages of a chat, user and bot, ordered by message_id. */
  transcript(chatId: number): TranscriptEntry[] {
    const state = this.chats.get(chatId);
    if (!state) return [];
    return [...state.messages.values()]
      .sort((a, b) => a.message_id - b.message_id)
      .map((m) => {
        const copy: Partial<StoredMessage> = structuredClone(m);
        delete copy.chatId;
        delete copy.media_group_id;
        return { ...(copy as Omit<StoredMessage, 'chatId'>), message: this.toMessage(m) };
      });
  }

  /** Resolves with the first event (past or future) matching `pred`. */
  waitFor<E extends EmulatorEvent>(
    pred: (e: EmulatorEvent) => e is E,
    timeoutMs?: number,
  ): Promise<E>;
  waitFor(pred: (e: EmulatorEvent) => boolean, timeoutMs?: number): Promise<EmulatorEvent>;
  waitFor(pred: (e: EmulatorEvent) => boolean, timeoutMs = 5000): Promise<EmulatorEvent> {
    return this.waitEvent(pred, timeoutMs, 'a matching event');
  }

  /** Resolves with the first bot-sent message (already sent or still to come) matching `pred`. */
  async waitForMessage(
    pred: (m: EmuMessage) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<EmuMessage> {
    const e = await this.waitEvent(
      (ev) => ev.type === 'message' && ev.sender === 'bot' && pred(ev.message),
      timeoutMs,
      'a bot message',
    );
    return (e as Extract<EmulatorEvent, { type: 'message' }>).message;
  }

  /** Resolves with the first edited message (state right after that edit) matching `pred`. */
  async waitForEdit(
    pred: (m: EmuMessage) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<EmuMessage> {
    const e = await this.waitEvent(
      (ev) => ev.type === 'edit' && pred(ev.message),
      timeoutMs,
      'an edit',
    );
    return (e as Extract<EmulatorEvent, { type: 'edit' }>).message;
  }

  /** Resolves with the bot's answer to a callback query. */
  async waitForCallbackAnswer(
    callbackQueryId: string,
    timeoutMs = 5000,
  ): Promise<{ text?: string; show_alert?: boolean; url?: string }> {
    const e = await this.waitEvent(
      (ev) => ev.type === 'callback_answer' && ev.answer.callback_query_id === callbackQueryId,
      timeoutMs,
      `the answer to callback query ${callbackQueryId}`,
    );
    const { text, show_alert, url } = (e as Extract<EmulatorEvent, { type: 'callback_answer' }>)
      .answer;
    return {
      ...(text !== undefined && { text }),
      ...(show_alert !== undefined && { show_alert }),
      ...(url !== undefined && { url }),
    };
  }

  /** Forgets all chats, messages, updates, logs, faults, webhook and commands; update ids keep counting. */
  reset(): void {
    // update_id keeps increasing: a connected client's offset would otherwise swallow new updates.
    this.chats = new Map();
    this.users = new Map();
    this.queue = [];
    this.allowedUpdates = null;
    this.calls.length = 0;
    this.callbackAnswers.length = 0;
    this.events.length = 0;
    this.pendingQueries = new Map();
    this.cursors = new Map();
    this.faults = new Map();
    this.files = new Map();
    this.filesByPath = new Map();
    this.commandSets = new Map();
    this.lastCommands = undefined;
    this.webhook = undefined;
    this.lastWebhookError = undefined;
    this.webhookTarget = undefined;
    this.localAddress = this.opts.localAddress;
    this.sendTimes = new Map();
    this.unresponsive = false;
    this.rejectWaiters('BotApiEmulator was reset');
  }

  /** Closes the server, held long polls, webhook requests and every socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.rejectWaiters('BotApiEmulator stopped');
    if (this.held) clearTimeout(this.held.timer);
    this.held = undefined;
    for (const [t, wake] of this.sleeps) {
      clearTimeout(t);
      wake();
    }
    this.sleeps.clear();
    for (const r of this.outgoing) r.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  // ---------------------------------------------------------------- driver host

  /** @internal */
  sendAsUser(user: User, chat: Chat, content: UserContent): EmuMessage {
    this.registerChat(chat);
    const state = this.chats.get(chat.id) as ChatState;
    const fields: Partial<StoredMessage> = {};
    if (content.text !== undefined) {
      fields.text = content.text;
      const cmd = /^\/[\w@]+/.exec(content.text);
      if (cmd) fields.entities = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
      else if (content.commandEntity) throw new Error(`not a command: ${content.text}`);
    }
    if (content.document) {
      const { data, fileName, mimeType, caption } = content.document;
      const f = this.storeFile(data, 'documents', fileName);
      fields.document = {
        file_id: f.file_id,
        file_unique_id: f.file_unique_id,
        file_name: fileName,
        mime_type: mimeType ?? mimeFor(fileName),
        file_size: data.length,
      };
      if (caption !== undefined) fields.caption = caption;
    }
    if (content.replyTo !== undefined) fields.reply_to_message_id = content.replyTo;
    const stored = this.addMessage(state, 'user', user, fields);
    const message = this.toMessage(stored);
    this.cursors.set(`${user.id}:${chat.id}`, stored.message_id);
    this.injectUpdate({ message });
    return message;
  }

  /** @internal */
  pressAsUser(user: User, chat: Chat, ref: MessageRef, data: string, opts: PressOptions): string {
    const state = this.chats.get(ref.chat.id);
    const stored = state?.messages.get(ref.message_id);
    if (!state || !stored || stored.deleted) {
      throw new Error(
        `press: message ${ref.message_id} in chat ${ref.chat.id} does not exist (or was deleted)`,
      );
    }
    let callbackData = data;
    if (!opts.unchecked) {
      const markup = stored.reply_markup;
      const rawRows: unknown = isRecord(markup) ? markup['inline_keyboard'] : undefined;
      const rows: unknown[] = Array.isArray(rawRows) ? rawRows : [];
      const buttons = rows
        .flatMap((r): unknown[] => (Array.isArray(r) ? (r as unknown[]) : []))
        .filter(isRecord);
      const hit =
        buttons.find((b) => b['callback_data'] === data) ??
        buttons.find((b) => b['text'] === data && typeof b['callback_data'] === 'string');
      if (!hit) {
        const have = buttons
          .map((b) => `${String(b['text'])} → ${String(b['callback_data'])}`)
          .join('; ');
        throw new Error(
          `press: message ${ref.message_id} has no button with callback_data or text ${JSON.stringify(data)} (buttons: ${have || 'none'})`,
        );
      }
      callbackData = String(hit['callback_data']);
    }
    const id = String(4_200_000_000_000_000 + this.nextQueryId++);
    this.pendingQueries.set(id, { chatId: state.chat.id });
    this.cursors.set(`${user.id}:${chat.id}`, state.nextId - 1);
    this.injectUpdate({
      callback_query: {
        id,
        from: user,
        message: this.toMessage(stored),
        chat_instance: state.instance,
        data: callbackData,
      },
    });
    return id;
  }

  /** @internal */
  async nextBotMessage(user: User, chat: Chat, timeoutMs: number): Promise<EmuMessage> {
    const key = `${user.id}:${chat.id}`;
    const after = this.cursors.get(key) ?? 0;
    const e = await this.waitEvent(
      (ev) =>
        ev.type === 'message' &&
        ev.sender === 'bot' &&
        ev.chatId === chat.id &&
        ev.message.message_id > after,
      timeoutMs,
      `a bot reply in chat ${chat.id} after message ${after}`,
    );
    const message = (e as Extract<EmulatorEvent, { type: 'message' }>).message;
    this.cursors.set(key, Math.max(this.cursors.get(key) ?? 0, message.message_id));
    return message;
  }

  // ---------------------------------------------------------------- HTTP

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    this.handleRequest(req, res).catch((err: unknown) => {
      if (err instanceof ApiError) return this.reply(res, err);
      this.emit({
        type: 'emulator_error',
        at: Date.now(),
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      this.reply(res, new ApiError(500, 'Internal Server Error'));
    });
  }

  private async handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith('/')) throw new ApiError(400, 'Bad Request: invalid request URI');
    let url: URL;
    let path: string;
    try {
      url = new URL(`http://emulator${rawUrl}`);
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new ApiError(400, 'Bad Request: invalid request URI');
    }
    const file = /^\/file\/bot([^/]*)\/(.+)$/.exec(path);
    if (file && (req.method === 'GET' || req.method === 'HEAD')) {
      if (file[1] !== this.token) throw new ApiError(401, TG_ERRORS.unauthorized);
      const f = this.filesByPath.get(file[2] ?? '');
      if (!f) throw new ApiError(404, TG_ERRORS.notFound);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': f.data.length,
      });
      res.end(req.method === 'HEAD' ? undefined : f.data);
      return;
    }
    const m = /^\/bot([^/]*)\/([^/]*)\/?$/.exec(path);
    if (!m) throw new ApiError(404, TG_ERRORS.notFound);
    if (m[1] !== this.token) throw new ApiError(401, TG_ERRORS.unauthorized);
    const params = await parseParams(req, url, await readBody(req));
    const method = this.canonical.get((m[2] ?? '').toLowerCase());
    this.record({ method: method ?? m[2] ?? '', params, at: Date.now(), via: 'http' });
    if (!method) throw new ApiError(404, TG_ERRORS.notFound);
    if (this.unresponsive && (method === 'getUpdates' || method === 'getMe')) {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    const fault = this.takeFault(method);
    if (fault && 'dropSocket' in fault) {
      req.socket.destroy();
      return;
    }
    if (fault && 'delayMs' in fault) {
      await this.sleep(fault.delayMs);
      if (this.stopped || res.destroyed) return;
    }
    if (fault && 'error_code' in fault) {
      throw new ApiError(
        fault.error_code,
        fault.description ?? defaultDescription(fault.error_code, fault.parameters),
        fault.parameters,
      );
    }
    if (method === 'getUpdates') return this.getUpdates(params, res);
    const result = this.handlers[method]?.(params);
    this.send(res, 200, { ok: true, result });
  }

  private reply(res: http.ServerResponse, err: ApiError): void {
    this.send(res, err.error_code, {
      ok: false,
      error_code: err.error_code,
      description: err.description,
      ...(err.parameters ? { parameters: err.parameters } : {}),
    });
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status >= 100 && status <= 599 ? status : 500, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  }

  private record(call: ApiCall): void {
    this.calls.push(call);
    if (this.calls.length > MAX_EVENTS) this.calls.splice(0, this.calls.length - MAX_EVENTS);
    this.emit({ type: 'call', at: call.at, call });
  }

  private takeFault(method: string): FaultSpec | undefined {
    const list = this.faults.get(method.toLowerCase());
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.left -= 1;
    if (head.left <= 0) list.shift();
    return head.spec;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleeps.delete(t);
        resolve();
      }, ms);
      this.sleeps.set(t, resolve);
    });
  }

  // ---------------------------------------------------------------- events

  private emit(e: EmulatorEvent): void {
    this.events.push(e);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    for (const w of [...this.waiters]) {
      let hit = false;
      try {
        hit = w.test(e);
      } catch (err) {
        this.settle(w);
        w.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (hit) {
        this.settle(w);
        w.resolve(e);
      }
    }
  }

  private settle(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }

  private waitEvent(
    test: (e: EmulatorEvent) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<EmulatorEvent> {
    try {
      const past = this.events.find(test);
      if (past) return Promise.resolve(past);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (this.stopped) return Promise.reject(new Error('BotApiEmulator stopped'));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(
            new Error(
              `BotApiEmulator: timed out after ${timeoutMs} ms waiting for ${what}; recent:\n${this.describeRecent()}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  private rejectWaiters(reason: string): void {
    for (const w of [...this.waiters]) {
      this.settle(w);
      w.reject(new Error(reason));
    }
  }

  private describeRecent(): string {
    return this.events
      .slice(-12)
      .map((e) => {
        if (e.type === 'call')
          return `  call ${e.call.method} ${JSON.stringify(e.call.params).slice(0, 160)}`;
        if (e.type === 'message' || e.type === 'edit') {
          return `  ${e.type === 'edit' ? 'edit' : e.sender} #${e.message.message_id} chat ${e.chatId}: ${JSON.stringify(e.message.text ?? e.message.caption ?? '').slice(0, 120)}`;
        }
        return `  ${e.type}`;
      })
      .join('\n');
  }

  // ---------------------------------------------------------------- updates

  private isAllowed(u: RawUpdate): boolean {
    const type = updateType(u);
    return this.allowedUpdates
      ? this.allowedUpdates.includes(type)
      : !NOT_DEFAULT_UPDATES.has(type);
  }

  /** Drops updates the bot did not subscribe to and returns up to `limit` deliverable ones. */
  private deliverable(limit: number): RawUpdate[] {
    this.queue = this.queue.filter((u) => this.isAllowed(u));
    return this.queue.slice(0, limit);
  }

  private getUpdates(p: Params, res: http.ServerResponse): void {
    if (this.webhook) throw new ApiError(409, TG_ERRORS.conflictWebhook);
    const offset = optNum(p, 'offset') ?? 0;
    if (offset > 0) {
      const before = this.queue.length;
      this.queue = this.queue.filter((u) => u.update_id >= offset);
      if (this.queue.length !== before) this.emit({ type: 'confirmed', at: Date.now(), offset });
    } else if (offset < 0) {
      this.queue = this.queue.slice(offset);
    }
    const allowed = optJson(p, 'allowed_updates');
    if (Array.isArray(allowed)) this.allowedUpdates = allowed.length ? allowed.map(String) : null;
    const limit = Math.min(100, Math.max(1, optNum(p, 'limit') ?? 100));
    const timeout = Math.max(0, optNum(p, 'timeout') ?? 0);
    if (this.held) {
      const old = this.held;
      this.held = undefined;
      clearTimeout(old.timer);
      this.reply(old.res, new ApiError(409, TG_ERRORS.conflictPolling));
    }
    const batch = this.deliverable(limit);
    if (batch.length > 0 || timeout === 0) return this.send(res, 200, { ok: true, result: batch });
    const held: HeldPoll = {
      res,
      limit,
      timer: setTimeout(() => {
        if (this.held !== held) return;
        this.held = undefined;
        this.send(res, 200, { ok: true, result: this.deliverable(limit) });
      }, timeout * 1000),
    };
    this.held = held;
    // A client abort must not lose updates: they stay queued until an offset confirms them.
    res.on('close', () => {
      if (this.held === held) {
        clearTimeout(held.timer);
        this.held = undefined;
      }
    });
  }

  private flushHeldPoll(): void {
    const held = this.held;
    if (!held) return;
    const batch = this.deliverable(held.limit);
    if (batch.length === 0) return;
    this.held = undefined;
    clearTimeout(held.timer);
    this.send(held.res, 200, { ok: true, result: batch });
  }

  // ---------------------------------------------------------------- webhook

  private setWebhook(p: Params): true {
    const url = optStr(p, 'url') ?? '';
    if (url === '') return this.deleteWebhook(p);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ApiError(
        400,
        'Bad Request: bad webhook: Failed to resolve host: Name or service not known',
      );
    }
    if (u.protocol === 'http:' && !isLoopbackHost(u.hostname))
      throw new ApiError(400, TG_ERRORS.webhookHttps);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new ApiError(400, TG_ERRORS.webhookHttps);
    if (u.protocol === 'https:' && !['', '80', '88', '443', '8443'].includes(u.port))
      throw new ApiError(400, TG_ERRORS.webhookPort);
    if (optBool(p, 'drop_pending_updates')) this.queue = [];
    const allowed = optJson(p, 'allowed_updates');
    if (Array.isArray(allowed)) this.allowedUpdates = allowed.length ? allowed.map(String) : null;
    const secret = optStr(p, 'secret_token');
    const max = optNum(p, 'max_connections');
    if (this.webhook?.url !== url) this.lastWebhookError = undefined;
    this.webhook = {
      url,
      ...(secret !== undefined && { secret_token: secret }),
      max_connections: max ?? 40,
    };
    if (this.held) {
      const old = this.held;
      this.held = undefined;
      clearTimeout(old.timer);
      this.reply(old.res, new ApiError(409, TG_ERRORS.conflictWebhook));
    }
    this.kickWebhook();
    return true;
  }

  private deleteWebhook(p: Params): true {
    if (optBool(p, 'drop_pending_updates')) this.queue = [];
    this.webhook = undefined;
    this.lastWebhookError = undefined;
    return true;
  }

  /** Where the registered URL is delivered: the override's origin + the registered path. */
  private deliveryUrl(): URL | undefined {
    if (!this.webhook) return undefined;
    const registered = new URL(this.webhook.url);
    if (this.webhookTarget)
      return new URL(registered.pathname + registered.search, this.webhookTarget);
    return registered.protocol === 'http:' && isLoopbackHost(registered.hostname)
      ? registered
      : undefined;
  }

  private kickWebhook(): void {
    if (this.delivering || !this.webhook || this.stopped) return;
    this.delivering = true;
    this.deliveryLoop().catch((err: unknown) => {
      this.delivering = false;
      this.emit({
        type: 'emulator_error',
        at: Date.now(),
        message: `webhook loop: ${String(err)}`,
      });
    });
  }

  private async deliveryLoop(): Promise<void> {
    const base = this.opts.webhookRetryMs ?? 10;
    let backoff = base;
    try {
      for (;;) {
        if (this.stopped || !this.webhook) return;
        const update = this.deliverable(1)[0];
        if (!update) return;
        const target = this.deliveryUrl();
        if (!target) {
          this.lastWebhookError = {
            date: nowSec(),
            message: 'emulator: no loopback delivery target; call setWebhookTarget()',
          };
          return;
        }
        const outcome = await this.post(target, update, this.webhook.secret_token);
        this.emit({
          type: 'webhook_delivery',
          at: Date.now(),
          updateId: update.update_id,
          ok: outcome.ok,
          ...(outcome.status !== undefined && { status: outcome.status }),
          ...(outcome.error !== undefined && { error: outcome.error }),
        });
        if (outcome.ok) {
          backoff = base;
          this.queue = this.queue.filter((u) => u !== update);
          this.runWebhookReply(outcome.body);
          continue;
        }
        if (this.webhook)
          this.lastWebhookError = { date: nowSec(), message: outcome.error ?? 'unknown error' };
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, base * 20);
      }
    } finally {
      this.delivering = false;
    }
  }

  private post(
    target: URL,
    update: RawUpdate,
    secret: string | undefined,
  ): Promise<{ ok: boolean; status?: number; error?: string; body?: string }> {
    const json = JSON.stringify(update);
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: { ok: boolean; status?: number; error?: string; body?: string }): void => {
        if (done) return;
        done = true;
        this.outgoing.delete(req);
        resolve(r);
      };
      const req = http.request(
        {
          method: 'POST',
          hostname: target.hostname.replace(/^\[|\]$/g, ''),
          port: target.port || 80,
          path: target.pathname + target.search,
          agent: false,
          timeout: this.opts.webhookTimeoutMs ?? 10_000,
          ...(this.localAddress !== undefined && { localAddress: this.localAddress }),
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(json),
            ...(secret !== undefined && { 'x-telegram-bot-api-secret-token': secret }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= 1024 * 1024) chunks.push(c);
          });
          res.on('error', (err) => finish({ ok: false, error: err.message }));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const ok = status >= 200 && status < 300;
            finish(
              ok
                ? { ok, status, body: Buffer.concat(chunks).toString('utf8') }
                : {
                    ok,
                    status,
                    error:
                      `Wrong response from the webhook: ${status} ${http.STATUS_CODES[status] ?? ''}`.trim(),
                  },
            );
          });
        },
      );
      this.outgoing.add(req);
      req.on('timeout', () => {
        finish({ ok: false, error: 'Read timeout expired' });
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish({
          ok: false,
          error: err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message,
        });
      });
      req.end(json);
    });
  }

  /** Executes a `{method, ...}` webhook reply body the way Telegram does (errors are swallowed). */
  private runWebhookReply(body: string | undefined): void {
    if (!body || !body.trimStart().startsWith('{')) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return;
    }
    if (!isRecord(parsed) || typeof parsed['method'] !== 'string') return;
    const { method: raw, ...params } = parsed;
    const method = this.canonical.get(String(raw).toLowerCase());
    this.record({ method: method ?? String(raw), params, at: Date.now(), via: 'webhook_reply' });
    if (!method || method === 'getUpdates') return;
    try {
      this.handlers[method]?.(params);
    } catch (err) {
      this.emit({
        type: 'emulator_error',
        at: Date.now(),
        message: `webhook reply ${method}: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  // ---------------------------------------------------------------- messages

  private requireChat(p: Params): ChatState {
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

  /** Text or caption after parse_mode, with Telegram's checks. */
  private formatted(
    p: Params,
    field: 'text' | 'caption',
  ): {
    text: string | undefined;
    entities: MessageEntity[] | undefined;
    parseMode: string | undefined;
  } {
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

  private readMarkup(p: Params): unknown {
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
    if ('keyboard' in markup || 'remove_keyboard' in markup || 'force_reply' in markup)
      return markup;
    throw new ApiError(400, TG_ERRORS.markupInvalid);
  }

  private readReplyTo(p: Params, state: ChatState): number | undefined {
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

  private checkRate(chatId: number): void {
    const limits = this.opts.rateLimit;
    if (!limits) return;
    const now = Date.now();
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

  private addMessage(
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
      date: nowSec(),
      deleted: false,
      edits: [],
    };
    state.messages.set(stored.message_id, stored);
    this.emit({
      type: 'message',
      at: Date.now(),
      chatId: state.chat.id,
      sender,
      message: this.toMessage(stored),
    });
    return stored;
  }

  private toMessage(m: StoredMessage, withReply = true): EmuMessage {
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

  private sendMessage(p: Params): EmuMessage {
    const state = this.requireChat(p);
    const { text, entities, parseMode } = this.formatted(p, 'text');
    if (text === undefined || text.trim() === '') throw new ApiError(400, TG_ERRORS.textEmpty);
    const reply_markup = this.readMarkup(p);
    const reply_to_message_id = this.readReplyTo(p, state);
    this.checkRate(state.chat.id);
    const stored = this.addMessage(state, 'bot', this.bot, {
      text,
      ...(entities && { entities }),
      ...(parseMode !== undefined && { parse_mode: parseMode }),
      ...(reply_markup !== undefined && { reply_markup }),
      ...(reply_to_message_id !== undefined && { reply_to_message_id }),
    });
    return this.toMessage(stored);
  }

  private storeFile(data: Buffer, dir: string, name: string): StoredFile {
    const n = this.files.size + 1;
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.')) : '';
    const f: StoredFile = {
      file_id: `BQAC${randomBytes(12).toString('hex')}`,
      file_unique_id: `AgAD${createHash('sha256').update(data).digest('hex').slice(0, 12)}`,
      file_path: `${dir}/file_${n}${ext}`,
      data,
    };
    this.files.set(f.file_id, f);
    this.filesByPath.set(f.file_path, f);
    return f;
  }

  /** Resolves an upload, an existing file_id or a URL to stored bytes (URLs are not fetched). */
  private resolveInputFile(
    value: unknown,
    uploads: Params,
    kind: 'photo' | 'document',
  ): { file: StoredFile; name: string } {
    let v = value;
    if (typeof v === 'string' && v.startsWith('attach://'))
      v = uploads[v.slice('attach://'.length)];
    if (isUpload(v)) {
      if (v.data.length === 0) throw new ApiError(400, TG_ERRORS.fileEmpty);
      return {
        file: this.storeFile(v.data, kind === 'photo' ? 'photos' : 'documents', v.filename),
        name: v.filename,
      };
    }
    if (typeof v === 'string' && v !== '') {
      const known = this.files.get(v);
      if (known) return { file: known, name: known.file_path.split('/').pop() ?? 'file' };
      if (/^https?:\/\//.test(v)) {
        const name = new URL(v).pathname.split('/').pop() || 'file';
        return {
          file: this.storeFile(Buffer.alloc(0), kind === 'photo' ? 'photos' : 'documents', name),
          name,
        };
      }
    }
    throw new ApiError(400, TG_ERRORS.wrongFile);
  }

  private mediaFields(
    file: StoredFile,
    name: string,
    kind: 'photo' | 'document',
  ): Partial<StoredMessage> {
    if (kind === 'document') {
      return {
        document: {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_name: name,
          mime_type: mimeFor(name),
          file_size: file.data.length,
        },
      };
    }
    const size = file.data.length === 0 ? { width: 0, height: 0 } : imageSize(file.data);
    if (!size) throw new ApiError(400, TG_ERRORS.imageFailed);
    const full: PhotoSize = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: size.width,
      height: size.height,
      file_size: file.data.length,
    };
    const longest = Math.max(size.width, size.height);
    if (longest <= 90) return { photo: [full] };
    const scale = 90 / longest;
    const thumb: PhotoSize = {
      ...full,
      file_unique_id: `${file.file_unique_id}t`,
      width: Math.round(size.width * scale),
      height: Math.round(size.height * scale),
    };
    return { photo: [thumb, full] };
  }

  private sendMedia(p: Params, kind: 'photo' | 'document'): EmuMessage {
    const state = this.requireChat(p);
    const { text: caption, entities, parseMode } = this.formatted(p, 'caption');
    const reply_markup = this.readMarkup(p);
    const reply_to_message_id = this.readReplyTo(p, state);
    const { file, name } = this.resolveInputFile(p[kind], p, kind);
    const media = this.mediaFields(file, name, kind);
    this.checkRate(state.chat.id);
    const stored = this.addMessage(state, 'bot', this.bot, {
      ...media,
      ...(caption !== undefined && { caption }),
      ...(entities && { entities }),
      ...(parseMode !== undefined && { parse_mode: parseMode }),
      ...(reply_markup !== undefined && { reply_markup }),
      ...(reply_to_message_id !== undefined && { reply_to_message_id }),
    });
    return this.toMessage(stored);
  }

  private sendMediaGroup(p: Params): EmuMessage[] {
    const state = this.requireChat(p);
    const media = optJson(p, 'media');
    if (!Array.isArray(media) || media.length < 2 || media.length > 10 || !media.every(isRecord)) {
      throw new ApiError(400, 'Bad Request: wrong number of media specified');
    }
    const groupId = String(13_000_000_000_000_000 + Math.floor(Math.random() * 1e15));
    const prepared = media.map((item) => {
      const kind = item['type'] === 'photo' ? 'photo' : 'document';
      const { text: caption, entities, parseMode } = this.formatted(item, 'caption');
      const { file, name } = this.resolveInputFile(item['media'], p, kind);
      return {
        ...this.mediaFields(file, name, kind),
        ...(caption !== undefined && { caption }),
        ...(entities && { entities }),
        ...(parseMode !== undefined && { parse_mode: parseMode }),
      };
    });
    this.checkRate(state.chat.id);
    return prepared.map((fields) =>
      this.toMessage(
        this.addMessage(state, 'bot', this.bot, { ...fields, media_group_id: groupId }),
      ),
    );
  }

  private findMessage(p: Params, notFound: string): { state: ChatState; stored: StoredMessage } {
    if (p['inline_message_id'] !== undefined) throw new ApiError(400, notFound);
    const state = this.requireChat(p);
    const id = optNum(p, 'message_id');
    if (id === undefined) throw new ApiError(400, TG_ERRORS.messageIdMissing);
    const stored = state.messages.get(id);
    if (!stored || stored.deleted) throw new ApiError(400, notFound);
    return { state, stored };
  }

  private editMessage(
    p: Params,
    method: 'editMessageText' | 'editMessageCaption' | 'editMessageReplyMarkup',
  ): EmuMessage {
    const { state, stored } = this.findMessage(p, TG_ERRORS.editNotFound);
    if (stored.sender !== 'bot') throw new ApiError(400, TG_ERRORS.cantEdit);
    const isMedia = stored.photo !== undefined || stored.document !== undefined;
    // Telegram drops an inline keyboard that an edit does not repeat.
    const reply_markup = this.readMarkup(p);
    const next: Partial<StoredMessage> = { reply_markup };
    if (method === 'editMessageText') {
      if (isMedia) throw new ApiError(400, TG_ERRORS.noTextToEdit);
      const { text, entities, parseMode } = this.formatted(p, 'text');
      if (text === undefined || text.trim() === '') throw new ApiError(400, TG_ERRORS.textEmpty);
      Object.assign(next, { text, entities, parse_mode: parseMode });
    } else if (method === 'editMessageCaption') {
      if (!isMedia) throw new ApiError(400, TG_ERRORS.noCaptionToEdit);
      const { text, entities, parseMode } = this.formatted(p, 'caption');
      Object.assign(next, { caption: text, entities, parse_mode: parseMode });
    } else {
      Object.assign(next, {
        text: stored.text,
        caption: stored.caption,
        entities: stored.entities,
        parse_mode: stored.parse_mode,
      });
    }
    const same = (a: unknown, b: unknown): boolean =>
      JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const inline = (m: unknown): unknown => (isRecord(m) && 'inline_keyboard' in m ? m : undefined);
    if (
      same(next.text, stored.text) &&
      same(next.caption, stored.caption) &&
      same(next.entities, stored.entities) &&
      same(inline(next.reply_markup), inline(stored.reply_markup))
    ) {
      throw new ApiError(400, TG_ERRORS.notModified);
    }
    this.checkRate(state.chat.id);
    const edit_date = nowSec();
    for (const key of ['text', 'caption', 'entities', 'parse_mode', 'reply_markup'] as const) {
      if (next[key] === undefined) delete stored[key];
      else (stored as unknown as Record<string, unknown>)[key] = next[key];
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
    const message = this.toMessage(stored);
    this.emit({ type: 'edit', at: Date.now(), chatId: state.chat.id, method, message });
    return message;
  }

  private deleteMessage(p: Params): true {
    const { state, stored } = this.findMessage(p, TG_ERRORS.deleteNotFound);
    stored.deleted = true;
    this.emit({
      type: 'delete',
      at: Date.now(),
      chatId: state.chat.id,
      messageId: stored.message_id,
    });
    return true;
  }

  private answerCallbackQuery(p: Params): true {
    const id = optStr(p, 'callback_query_id') ?? '';
    if (!this.pendingQueries.delete(id)) throw new ApiError(400, TG_ERRORS.queryInvalid);
    const text = optStr(p, 'text');
    const show_alert = optBool(p, 'show_alert');
    const url = optStr(p, 'url');
    const cache_time = optNum(p, 'cache_time');
    const answer: CallbackAnswer = {
      callback_query_id: id,
      ...(text !== undefined && { text }),
      ...(show_alert !== undefined && { show_alert }),
      ...(url !== undefined && { url }),
      ...(cache_time !== undefined && { cache_time }),
      at: Date.now(),
    };
    this.callbackAnswers.push(answer);
    this.emit({ type: 'callback_answer', at: answer.at, answer });
    return true;
  }

  private sendChatAction(p: Params): true {
    const state = this.requireChat(p);
    const action = optStr(p, 'action') ?? '';
    if (!CHAT_ACTIONS.has(action)) throw new ApiError(400, TG_ERRORS.wrongAction);
    this.emit({ type: 'chat_action', at: Date.now(), chatId: state.chat.id, action });
    return true;
  }

  private commandKey(p: Params): string {
    const scope = optJson(p, 'scope');
    return `${JSON.stringify(scope ?? { type: 'default' })}|${optStr(p, 'language_code') ?? ''}`;
  }

  private setMyCommands(p: Params): true {
    const commands = optJson(p, 'commands');
    if (!Array.isArray(commands) || commands.length > 100)
      throw new ApiError(400, TG_ERRORS.commandInvalid);
    for (const c of commands) {
      if (
        !isRecord(c) ||
        typeof c['command'] !== 'string' ||
        !/^[a-z0-9_]{1,32}$/.test(c['command'])
      )
        throw new ApiError(400, TG_ERRORS.commandInvalid);
      if (
        typeof c['description'] !== 'string' ||
        c['description'].length < 1 ||
        c['description'].length > 256
      ) {
        throw new ApiError(400, 'Bad Request: command description must be non-empty');
      }
    }
    const scope = optJson(p, 'scope');
    const language_code = optStr(p, 'language_code');
    const payload: CommandsPayload = {
      commands: structuredClone(commands as BotCommand[]),
      ...(scope !== undefined && { scope }),
      ...(language_code !== undefined && { language_code }),
    };
    this.commandSets.set(this.commandKey(p), payload);
    this.lastCommands = payload;
    return true;
  }

  private setDescription(p: Params, kind: 'description' | 'short_description', max: number): true {
    const text = optStr(p, kind) ?? '';
    if (text.length > max) throw new ApiError(400, `Bad Request: ${kind} is too long`);
    this.descriptions.set(kind, text);
    return true;
  }

  private getFile(p: Params): TgFile {
    const f = this.files.get(optStr(p, 'file_id') ?? '');
    if (!f) throw new ApiError(400, TG_ERRORS.invalidFileId);
    return {
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      file_size: f.data.length,
      file_path: f.file_path,
    };
  }
}

function defaultDescription(code: number, parameters?: { retry_after?: number }): string {
  if (code === 429) return `Too Many Requests: retry after ${parameters?.retry_after ?? 1}`;
  if (code === 403) return 'Forbidden: bot was blocked by the user';
  if (code === 400) return 'Bad Request';
  if (code === 401) return TG_ERRORS.unauthorized;
  if (code === 404) return TG_ERRORS.notFound;
  if (code === 409) return TG_ERRORS.conflictPolling;
  return http.STATUS_CODES[code] ?? 'Error';
}
