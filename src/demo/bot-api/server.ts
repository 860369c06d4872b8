/**
 * The embedded Telegram Bot API server (spec: shared/reference/bot-api-emulator.md). It speaks
 * the real HTTP protocol on 127.0.0.1, so the daemon runs unchanged with `telegram.api_root`
 * pointing here. `tmbot demo` puts a chat page on top of it; the tests put a driver on top of it.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BotCommand, Chat, User, UserFromGetMe, WebhookInfo } from '@telegraf/types';
import { systemClock, type Clock, type Timer } from '../../clock';
import { CallbackQueries } from './callbacks';
import { ChatStore } from './chats';
import { CommandRegistry, type DescriptionKind } from './commands';
import { MessageEditor } from './edits';
import { methodTable, type Handler } from './methods';
import { ApiError, TG_ERRORS } from './errors';
import { EventLog, type EventListener } from './event-log';
import { FileStore } from './media';
import { parseParams, readBody, sendError, sendJson } from './params';
import { UpdateQueue } from './updates';
import { People } from './users';
import { Webhook } from './webhook';
import type {
  ApiCall,
  CallbackAnswer,
  ChatState,
  CommandsPayload,
  EmuMessage,
  EmulatorEvent,
  EmulatorOptions,
  MessageRef,
  PressOptions,
  RawUpdate,
  StoredFile,
  TranscriptEntry,
  UserContent,
  UserProfile,
} from './types';

/** The server: an HTTP listener plus the in-memory Telegram state it serves. */
export class BotApiServer {
  /** Every API call, in arrival order (bounded like the events). */
  readonly calls: ApiCall[] = [];
  /** The bot user, as getMe returns it. */
  readonly bot: UserFromGetMe;
  /** The bot token the server accepts. */
  readonly token: string;

  protected readonly log: EventLog;
  protected readonly chats: ChatStore;
  protected readonly queue: UpdateQueue;
  protected readonly webhook: Webhook;
  private readonly files = new FileStore();
  private readonly editor: MessageEditor;
  private readonly commandRegistry = new CommandRegistry();
  private readonly queries: CallbackQueries;
  private readonly people: People;
  private readonly handlers: Readonly<Record<string, Handler>>;
  private readonly canonical = new Map<string, string>();
  private readonly server = http.createServer();
  private readonly sockets = new Set<Socket>();
  private readonly sleeps = new Map<Timer, () => void>();
  private readonly clock: Clock;
  private readonly maxEvents: number;
  private isStopped = false;

  constructor(protected readonly opts: EmulatorOptions) {
    this.token = opts.token;
    const botId = Number(opts.token.split(':')[0]);
    this.bot = {
      id: Number.isSafeInteger(botId) && botId > 0 ? botId : 123456,
      is_bot: true,
      first_name: opts.botFirstName ?? 'tmbot test',
      username: opts.botUsername ?? 'tmbot_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
    this.clock = opts.clock ?? systemClock;
    this.maxEvents = opts.maxEvents ?? 50_000;
    this.log = new EventLog(this.maxEvents);
    const emit = (e: EmulatorEvent): void => this.log.emit(e);
    this.chats = new ChatStore({
      bot: this.bot,
      files: this.files,
      emit,
      rateLimit: opts.rateLimit,
      clock: this.clock,
    });
    this.editor = new MessageEditor(this.chats, this.files, this.clock);
    this.queries = new CallbackQueries(emit, this.clock);
    this.people = new People({
      chats: this.chats,
      files: this.files,
      queries: this.queries,
      inject: (raw) => this.injectUpdate(raw),
    });
    this.queue = new UpdateQueue({
      emit,
      send: (res, status, body) => this.send(res, status, body),
      reply: (res, err) => this.reply(res, err),
      webhookActive: () => this.webhook.active,
      clock: this.clock,
    });
    this.webhook = new Webhook(
      this.queue,
      {
        emit,
        record: (call) => this.record(call),
        sleep: (ms) => this.sleep(ms),
        stopped: () => this.isStopped,
        canonical: (m) => this.canonical.get(m.toLowerCase()),
        run: (m, p) => this.handlers[m]?.(p),
        clock: this.clock,
      },
      {
        retryMs: opts.webhookRetryMs ?? 10,
        timeoutMs: opts.webhookTimeoutMs ?? 10_000,
        localAddress: opts.localAddress,
      },
    );
    this.handlers = methodTable({
      bot: this.bot,
      chats: this.chats,
      editor: this.editor,
      queries: this.queries,
      commands: this.commandRegistry,
      webhook: this.webhook,
      files: this.files,
    });
    for (const name of Object.keys(this.handlers)) this.canonical.set(name.toLowerCase(), name);
  }

  /** Starts a server on 127.0.0.1 (a free port unless `opts.port`). */
  static async start(opts: EmulatorOptions): Promise<BotApiServer> {
    const server = new BotApiServer(opts);
    await server.listen();
    return server;
  }

  /** Binds 127.0.0.1 only. */
  async listen(): Promise<void> {
    const server = this.server;
    server.on('request', (req, res) => this.onRequest(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
  }

  /** The base URL to give telegraf as `apiRoot` (with a trailing slash). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** The port the server listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Every event (calls, messages, edits, deletes, answers, updates), in order. */
  get events(): EmulatorEvent[] {
    return this.log.events;
  }

  /** Every answerCallbackQuery, in order. */
  get callbackAnswers(): CallbackAnswer[] {
    return this.queries.answers;
  }

  /** The last setMyCommands payload (any scope), or undefined. */
  get commands(): CommandsPayload | undefined {
    return this.commandRegistry.latest;
  }

  /** What setMyDescription / setMyShortDescription last set. */
  description(kind: DescriptionKind): string | undefined {
    return this.commandRegistry.description(kind);
  }

  /** Commands currently set for one scope/language (what getMyCommands would answer). */
  commandsFor(scope?: unknown, languageCode?: string): BotCommand[] {
    return this.commandRegistry.get({ scope, language_code: languageCode });
  }

  /** Updates queued and not yet confirmed. */
  get pendingUpdates(): readonly RawUpdate[] {
    return this.queue.pending;
  }

  /** Follows every new event until the returned function is called. */
  subscribe(listener: EventListener): () => void {
    return this.log.subscribe(listener);
  }

  /** A file the bot or a user sent, by file_id. */
  file(fileId: string): StoredFile | undefined {
    return this.files.byId(fileId);
  }

  /** Makes a user and their private chat known; profile fields stick for later calls. */
  privateChat(id: number, profile: UserProfile = {}): { user: User; chat: Chat } {
    return this.people.privateChat(id, profile);
  }

  /** Makes a chat known (or updates its profile). */
  registerChat(chat: Chat): void {
    this.chats.register(chat);
  }

  /** Queues any raw update (update_id assigned when missing) and returns it. */
  injectUpdate(raw: Record<string, unknown>): RawUpdate {
    const update = this.queue.push(raw);
    this.webhook.kick();
    return update;
  }

  /** Redirects webhook delivery to an http loopback origin (see {@link Webhook.setTarget}). */
  setWebhookTarget(url: string | null, opts: { localAddress?: string } = {}): void {
    this.webhook.setTarget(url, opts);
  }

  /** Current webhook state as getWebhookInfo answers it, plus the secret. */
  webhookInfo(): WebhookInfo & { secret_token?: string } {
    return this.webhook.info();
  }

  /** Messages of a chat, user and bot, ordered by message_id. */
  transcript(chatId: number): TranscriptEntry[] {
    return this.chats.transcript(chatId);
  }

  /** One message of a chat with its edit and delete state, or undefined. */
  entry(chatId: number, messageId: number): TranscriptEntry | undefined {
    return this.chats.entry(chatId, messageId);
  }

  /** Forgets all chats, messages, updates, logs, webhook and commands; update ids keep counting. */
  reset(): void {
    this.chats.reset();
    this.people.reset();
    this.queue.reset();
    this.calls.length = 0;
    this.queries.reset();
    this.log.clear();
    this.files.clear();
    this.commandRegistry.reset();
    this.webhook.reset();
  }

  /** Closes the server, held long polls, webhook requests and every socket. */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    this.queue.endHeldPoll(undefined);
    for (const [t, wake] of this.sleeps) {
      t.cancel();
      wake();
    }
    this.sleeps.clear();
    for (const r of this.webhook.outgoing) r.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** True once stop() was called. */
  get stopped(): boolean {
    return this.isStopped;
  }

  /** A user's message (text with its bot_command entity, or a document) queued as an update. */
  sendAsUser(user: User, chat: Chat, content: UserContent): EmuMessage {
    return this.people.send(user, chat, content);
  }

  /**
   * A press of an inline button of a bot message, queued as a callback_query; returns its id.
   * Throws when the message is gone or has no such button, unless `opts.unchecked`.
   */
  pressAsUser(user: User, _chat: Chat, ref: MessageRef, data: string, opts: PressOptions): string {
    return this.people.press(user, ref, data, opts);
  }

  /** The highest message_id used in a chat so far (0 for an unknown chat). */
  lastMessageId(chatId: number): number {
    const state: ChatState | undefined = this.chats.get(chatId);
    return state ? state.nextId - 1 : 0;
  }

  // ---------------------------------------------------------------- HTTP

  /**
   * Called for each known method before it runs; returns true when it answered the request
   * itself. The base server never does; a test subclass scripts faults here.
   */
  protected intercept(
    _method: string,
    _req: http.IncomingMessage,
    _res: http.ServerResponse,
  ): Promise<boolean> {
    return Promise.resolve(false);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    this.handleRequest(req, res).catch((err: unknown) => {
      if (err instanceof ApiError) return this.reply(res, err);
      this.log.emit({
        type: 'emulator_error',
        at: this.clock.now(),
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
      const f = this.files.atPath(file[2] ?? '');
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
    this.record({ method: method ?? m[2] ?? '', params, at: this.clock.now(), via: 'http' });
    if (!method) throw new ApiError(404, TG_ERRORS.notFound);
    if (await this.intercept(method, req, res)) return;
    if (method === 'getUpdates') return this.queue.getUpdates(params, res);
    const result = this.handlers[method]?.(params);
    this.send(res, 200, { ok: true, result });
  }

  /** Answers with a Bot API error (HTTP status = error_code). */
  protected reply(res: http.ServerResponse, err: ApiError): void {
    sendError(res, err);
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    sendJson(res, status, body);
  }

  private record(call: ApiCall): void {
    this.calls.push(call);
    if (this.calls.length > this.maxEvents)
      this.calls.splice(0, this.calls.length - this.maxEvents);
    this.log.emit({ type: 'call', at: call.at, call });
  }

  /** A sleep that stop() cuts short. */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => {
        this.sleeps.delete(t);
        resolve();
      }, ms);
      this.sleeps.set(t, resolve);
    });
  }
}
