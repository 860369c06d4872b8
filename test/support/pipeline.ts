import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { ManualClock, systemClock } from '../../src/clock';
import type { Feature } from '../../src/features/feature';
import { type Logger } from '../../src/log/logger';
import { silentLogger } from './silent-logger';
import type { AccessControl, AccessPolicy } from '../../src/security/access-control';
import { AutoDeleteScheduler } from '../../src/telegram/auto-delete';
import { CallbackStore } from '../../src/telegram/callback-store';
import { Dispatcher } from '../../src/telegram/dispatcher';
import { installPipeline } from '../../src/telegram/pipeline';
import type { Router } from '../../src/telegram/router';
import { html } from '../../src/views/html';
import { FakeSender } from './fake-sender';
import { MemoryStore } from './memory-store';

/**
 * The daemon's middleware chain (`installPipeline`, as app.ts builds it) around
 * in-memory ports, driven with bot.handleUpdate. For unit tests.
 */
export class Pipeline {
  readonly clock = new ManualClock();
  readonly sender = new FakeSender();
  readonly store: MemoryStore;
  readonly callbacks: CallbackStore;
  readonly router: Router;
  readonly access: AccessControl;
  readonly bot: Telegraf;
  /** The daemon's entry point for received updates (shape check, per-chat queues). */
  readonly dispatcher: Dispatcher;
  /** Errors the dispatcher logged: an update whose handling threw. */
  readonly dispatchErrors: string[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;

  constructor(
    policy: Partial<Omit<AccessPolicy, 'publicCommands'>> & { userIds: number[] },
    features: Feature[],
    store = new MemoryStore(),
  ) {
    this.store = store;
    this.bot = new Telegraf('123:TEST', { telegram: { webhookReply: false } });
    this.bot.botInfo = {
      id: 1,
      is_bot: true,
      first_name: 'tmbot',
      username: 'tmbot_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
    this.callbacks = new CallbackStore(this.clock, store);
    this.callbacks.load();
    const autoDelete = new AutoDeleteScheduler(
      (c, m) => this.sender.delete(c, m),
      this.clock,
      store,
      silentLogger,
    );
    autoDelete.load();
    // Like app.ts, no error reaches telegraf's default handler (which sets process.exitCode).
    this.bot.catch((err) => {
      throw err;
    });
    const { adminIds = [], chatIds = [], adminChatIds = [], ...rest } = policy;
    ({ router: this.router, access: this.access } = installPipeline(this.bot, features, {
      sender: this.sender,
      callbacks: this.callbacks,
      autoDelete,
      clock: this.clock,
      store,
      log: silentLogger,
      botUsername: () => 'tmbot_test_bot',
      fallback: async (req) => {
        await req.reply({ html: html`unknown` });
      },
      access: { adminIds, chatIds, adminChatIds, ...rest },
    }));
    const errors: Logger = {
      ...silentLogger,
      error: (message, meta) => void this.dispatchErrors.push(`${message}: ${String(meta?.error)}`),
    };
    this.dispatcher = new Dispatcher((u) => this.bot.handleUpdate(u), errors, systemClock);
  }

  /** A text message from `userId` in their private chat (or `chat`). */
  async text(
    userId: number,
    text: string,
    chat?: { id: number; type: 'group' | 'supergroup'; title: string },
  ): Promise<Update> {
    const update = {
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(this.clock.now() / 1000),
        from: { id: userId, is_bot: false, first_name: `User${userId}` },
        chat: chat ?? { id: userId, type: 'private', first_name: `User${userId}` },
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] }
          : {}),
      },
    } as Update;
    await this.bot.handleUpdate(update);
    return update;
  }

  /** A button press with raw `data` on bot message `messageId`. */
  async press(userId: number, data: string, messageId = 1, chatId = userId): Promise<string> {
    const id = `cq${this.nextUpdateId}`;
    const update = {
      update_id: this.nextUpdateId++,
      callback_query: {
        id,
        from: { id: userId, is_bot: false, first_name: `User${userId}` },
        chat_instance: 'ci',
        data,
        message: {
          message_id: messageId,
          date: Math.floor(this.clock.now() / 1000),
          chat: { id: chatId, type: 'private', first_name: `User${chatId}` },
          text: 'screen',
        },
      },
    } as Update;
    await this.bot.handleUpdate(update);
    return id;
  }

  /** Any value, handed in the way received updates are (through the Dispatcher), then drained. */
  async raw(update: unknown): Promise<void> {
    await this.dispatcher.enqueue(update as Update);
    await this.dispatcher.drain(10_000);
  }
}
