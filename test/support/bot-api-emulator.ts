/**
 * The Bot API emulator for tests: the product's embedded Bot API server (src/demo/bot-api) plus
 * what only tests need: scripted faults, an unresponsive mode, user drivers, and waiting on events.
 */
import http from 'node:http';
import type { Chat, User } from '@telegraf/types';
import { ApiError } from '../../src/demo/bot-api/errors';
import { BotApiServer } from '../../src/demo/bot-api/server';
import type {
  EmuMessage,
  EmulatorEvent,
  EmulatorOptions,
  MessageRef,
  PressOptions,
  UserContent,
  UserProfile,
} from '../../src/demo/bot-api/types';
import { UserDriver, type DriverHost } from './bot-api-driver';

export { ApiError, TG_ERRORS } from '../../src/demo/bot-api/errors';
export type * from '../../src/demo/bot-api/types';
export { UserDriver } from './bot-api-driver';

/** A scripted fault for the next call(s) of one method. */
export type FaultSpec =
  | {
      error_code: number;
      description?: string;
      parameters?: { retry_after?: number; migrate_to_chat_id?: number };
    }
  | { delayMs: number }
  | { dropSocket: true }
  /** Answers 200 with this body verbatim (malformed answers: `{"ok":true,"result":null}`). */
  | { rawBody: string };

/**
 * How long a wait for the bot lasts unless told: a reply that involves Docker, a child process
 * or a chart render can take seconds on a loaded 2-core CI machine, and a generous deadline
 * costs nothing when the reply comes.
 */
export const DEFAULT_WAIT_MS = 20_000;

interface Waiter {
  test: (e: EmulatorEvent) => boolean;
  resolve: (e: EmulatorEvent) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The embedded server with fault injection and a typed driver for tests. */
export class BotApiEmulator extends BotApiServer implements DriverHost {
  private hung = new Set<http.ServerResponse>();
  private unresponsive = false;
  private waiters = new Set<Waiter>();
  private cursors = new Map<string, number>();
  private faults = new Map<string, Array<{ spec: FaultSpec; left: number }>>();

  /** Starts an emulator on 127.0.0.1 with a random port. */
  static override async start(opts: EmulatorOptions): Promise<BotApiEmulator> {
    const emu = new BotApiEmulator(opts);
    emu.subscribe((e) => emu.settleWaiters(e));
    await emu.listen();
    return emu;
  }

  /** A user driver; the user's private chat becomes known. Profile fields stick for later calls. */
  user(id: number, profile: UserProfile = {}): UserDriver {
    const { user, chat } = this.privateChat(id, profile);
    return new UserDriver(this, user, chat);
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

  /** Resolves with the first event (past or future) matching `pred`. */
  waitFor<E extends EmulatorEvent>(
    pred: (e: EmulatorEvent) => e is E,
    timeoutMs?: number,
  ): Promise<E>;
  waitFor(pred: (e: EmulatorEvent) => boolean, timeoutMs?: number): Promise<EmulatorEvent>;
  waitFor(
    pred: (e: EmulatorEvent) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<EmulatorEvent> {
    return this.waitEvent(pred, timeoutMs, 'a matching event');
  }

  /** Resolves with the first bot-sent message (already sent or still to come) matching `pred`. */
  async waitForMessage(
    pred: (m: EmuMessage) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
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
    timeoutMs = DEFAULT_WAIT_MS,
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
    timeoutMs = DEFAULT_WAIT_MS,
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

  /** Forgets everything (see BotApiServer.reset), faults too; pending waits reject. */
  override reset(): void {
    super.reset();
    this.cursors = new Map();
    this.faults = new Map();
    this.unresponsive = false;
    this.rejectWaiters('BotApiEmulator was reset');
  }

  /** Closes everything; pending waits reject. */
  override async stop(): Promise<void> {
    if (this.stopped) return;
    this.rejectWaiters('BotApiEmulator stopped');
    await super.stop();
  }

  // ---------------------------------------------------------------- driver host

  /** @internal */
  override sendAsUser(user: User, chat: Chat, content: UserContent): EmuMessage {
    const message = super.sendAsUser(user, chat, content);
    this.cursors.set(`${user.id}:${chat.id}`, message.message_id);
    return message;
  }

  /** @internal */
  override pressAsUser(
    user: User,
    chat: Chat,
    ref: MessageRef,
    data: string,
    opts: PressOptions,
  ): string {
    const id = super.pressAsUser(user, chat, ref, data, opts);
    this.cursors.set(`${user.id}:${chat.id}`, this.lastMessageId(ref.chat.id));
    return id;
  }

  /** @internal */
  async nextBotMessage(
    user: User,
    chat: Chat,
    timeoutMs: number,
    match: (m: EmuMessage) => boolean = () => true,
  ): Promise<EmuMessage> {
    const key = `${user.id}:${chat.id}`;
    const after = this.cursors.get(key) ?? 0;
    const e = await this.waitEvent(
      (ev) =>
        ev.type === 'message' &&
        ev.sender === 'bot' &&
        ev.chatId === chat.id &&
        ev.message.message_id > after &&
        match(ev.message),
      timeoutMs,
      `a bot reply in chat ${chat.id} after message ${after}`,
    );
    const message = (e as Extract<EmulatorEvent, { type: 'message' }>).message;
    this.cursors.set(key, Math.max(this.cursors.get(key) ?? 0, message.message_id));
    return message;
  }

  // ---------------------------------------------------------------- faults

  protected override async intercept(
    method: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<boolean> {
    if (this.unresponsive && (method === 'getUpdates' || method === 'getMe')) {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return true;
    }
    const fault = this.takeFault(method);
    if (fault && 'dropSocket' in fault) {
      req.socket.destroy();
      return true;
    }
    if (fault && 'rawBody' in fault) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(fault.rawBody);
      return true;
    }
    if (fault && 'delayMs' in fault) {
      await this.sleep(fault.delayMs);
      if (this.stopped || res.destroyed) return true;
    }
    if (fault && 'error_code' in fault) {
      throw new ApiError(
        fault.error_code,
        fault.description ?? defaultDescription(fault.error_code, fault.parameters),
        fault.parameters,
      );
    }
    return false;
  }

  private takeFault(method: string): FaultSpec | undefined {
    const list = this.faults.get(method.toLowerCase());
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.left -= 1;
    if (head.left <= 0) list.shift();
    return head.spec;
  }

  // ---------------------------------------------------------------- waiting

  private settleWaiters(e: EmulatorEvent): void {
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
}

function defaultDescription(code: number, parameters?: { retry_after?: number }): string {
  if (code === 429) return `Too Many Requests: retry after ${parameters?.retry_after ?? 1}`;
  if (code === 403) return 'Forbidden: bot was blocked by the user';
  if (code === 400) return 'Bad Request';
  if (code === 401) return 'Unauthorized';
  if (code === 404) return 'Not Found';
  if (code === 409)
    return 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
  return http.STATUS_CODES[code] ?? 'Error';
}
