import { setFlagsFromString } from 'node:v8';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Clock } from './clock';
import type { Config } from './config/types';
import { FatalTelegramError } from './errors';
import type { Feature } from './features/feature';
import { menuFeature } from './features/menu';
import type { Logger } from './log/logger';
import type { Redactor } from './log/redactor';
import { AccessControl } from './security/access-control';
import type { StateStore } from './state/json-store';
import { AutoDeleteScheduler } from './telegram/auto-delete';
import { CallbackStore } from './telegram/callback-store';
import { Dispatcher } from './telegram/dispatcher';
import { rateLimit, updateDedup } from './telegram/guards';
import { classifyTelegramFailure, DEFAULT_POLLING, Poller } from './telegram/polling';
import { Router } from './telegram/router';
import { SafeSender } from './telegram/sender';
import type { UpdateSource } from './telegram/update-source';
import { unknownTextView } from './views/menu';
import { WebhookSource } from './webhook/webhook-source';

export interface AppOptions {
  webhook: boolean;
  socketHost: string;
  plugins: readonly string[];
  /** How long /getmyid answers stay in the chat. */
  getMyIdDeleteMs: number;
  /** Bound on finishing in-flight work at shutdown. */
  shutdownGraceMs: number;
}

export interface AppDeps {
  config: Config;
  options: AppOptions;
  log: Logger;
  redactor: Redactor;
  clock: Clock;
  store: StateStore;
}

/** How updates arrive, for the health screen. */
export interface ReceiveStatus {
  mode: 'polling' | 'webhook';
  /** Set when webhook mode was asked for but could not be set up, so polling runs instead. */
  fallbackReason: string | undefined;
  /** Last getUpdates answer or accepted webhook delivery (ms; 0 = none yet). */
  lastSuccessAt: number;
}

export interface App {
  /** Connects to Telegram and starts receiving; resolves once updates flow. */
  start(): Promise<void>;
  /** The active update source and its liveness. */
  receiveStatus(): ReceiveStatus;
  /** Stops receiving, finishes in-flight work (bounded), flushes state. */
  stop(reason: string): Promise<void>;
  /** Settles when the update source ends; rejects with FatalTelegramError on 401/409. */
  readonly finished: Promise<void>;
}

/**
 * The composition root: builds every part from the config and owns the start
 * and stop order. Reading this function shows the whole daemon's shape.
 */
export function createApp(deps: AppDeps): App {
  const { config, options, clock, store } = deps;
  const log = deps.log.child('app');
  const tlog = deps.log.child('telegram');

  const bot = new Telegraf(config.botToken, {
    telegram: { apiRoot: config.telegram.apiRoot, webhookReply: false },
    handlerTimeout: 120_000,
  });
  bot.catch((err) => tlog.error('unhandled error in update handling', { error: err }));

  const callbacks = new CallbackStore(clock, store);
  const sender = new SafeSender(bot.telegram, callbacks, tlog);
  const autoDelete = new AutoDeleteScheduler((c, m) => sender.delete(c, m), clock, store, tlog);
  const botUsername = (): string | undefined => bot.botInfo?.username;

  const router = new Router({
    sender,
    callbacks,
    autoDelete,
    log: deps.log.child('router'),
    botUsername,
    fallback: async (req) => {
      await req.reply(unknownTextView());
    },
  });

  const features: Feature[] = [
    menuFeature({
      isAllowed: (id) => config.access.userIds.includes(id),
      getMyIdDeleteMs: options.getMyIdDeleteMs,
      plugins: [],
    }),
  ];
  for (const f of features) f.install(router);
  for (const p of options.plugins) log.warn(`plugin '${p}' is not available in this build; ignored`);

  const access = new AccessControl(
    {
      userIds: config.access.userIds,
      adminIds: config.access.adminIds,
      chatIds: config.access.chatIds,
      adminChatIds: config.adminChatIds,
      publicCommands: router.publicCommands(),
    },
    { sender, store, clock, log: deps.log.child('access'), botUsername },
  );

  bot.use(updateDedup(clock));
  bot.use(access.middleware());
  bot.use(rateLimit({ clock, sender, log: deps.log.child('ratelimit') }));
  bot.use(router.middleware());

  const dispatcher = new Dispatcher((u: Update) => bot.handleUpdate(u), tlog);
  const poller = new Poller(bot.telegram, (u) => dispatcher.enqueue(u), tlog, DEFAULT_POLLING);
  let source: UpdateSource = poller;
  let fallbackReason: string | undefined;

  let resolveFinished!: () => void;
  let rejectFinished!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  // The caller awaits `finished`; this keeps an early rejection from counting as unhandled.
  finished.catch(() => undefined);

  let started = false;

  async function connect(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        bot.botInfo = await bot.telegram.getMe();
        return;
      } catch (err) {
        const decision = classifyTelegramFailure(err);
        if (decision.kind === 'fatal') throw decision.error;
        const wait = Math.min(1000 * 2 ** attempt, 30_000);
        tlog.warn(`cannot reach the Telegram Bot API (attempt ${attempt}); retrying in ${wait / 1000}s`, {
          error: err,
        });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** Tries webhook mode; on a failure polling can survive, records why and returns false. */
  async function startWebhook(): Promise<boolean> {
    const allowedUpdates = DEFAULT_POLLING.allowedUpdates;
    const webhook = new WebhookSource(
      { settings: config.webhook, listenHost: options.socketHost, allowedUpdates },
      {
        api: {
          setWebhook: ({ url, certificate, ...extra }) =>
            bot.telegram.setWebhook(url, {
              ...extra,
              allowed_updates: [...allowedUpdates],
              ...(certificate !== undefined ? { certificate: { source: certificate } } : {}),
            }),
          getWebhookInfo: () => bot.telegram.getWebhookInfo(),
        },
        deliver: (update) => {
          if (dispatcher.saturated) return false;
          void dispatcher.enqueue(update);
          return true;
        },
        addSecret: (secret) => deps.redactor.add(secret),
        // V8 reads this flag as it sizes the heap, so it can be switched while running.
        favourMemory: (on) => setFlagsFromString(on ? '--optimize-for-size' : '--no-optimize-for-size'),
        clock,
        store,
        log: deps.log.child('webhook'),
      },
    );
    try {
      const where = await webhook.start();
      source = webhook;
      log.info(`webhook registered: ${where}`);
      return true;
    } catch (err) {
      const decision = classifyTelegramFailure(err);
      if (decision.kind === 'fatal') throw decision.error;
      fallbackReason = err instanceof Error ? err.message : String(err);
      log.error('could not set up the webhook; falling back to long polling', { error: err });
      return false;
    }
  }

  return {
    finished,
    receiveStatus: () => ({ mode: source.kind, fallbackReason, lastSuccessAt: source.lastSuccessAt }),
    async start() {
      log.info('starting', { mode: config.mode, receive: options.webhook ? 'webhook' : 'polling' });
      await connect();
      tlog.info(`connected as @${bot.botInfo?.username ?? '?'}`);
      await bot.telegram
        .setMyCommands(router.commands())
        .catch((err: unknown) => tlog.warn('could not set the command menu', { error: err }));
      autoDelete.start();
      for (const f of features) await f.start?.();
      if (!options.webhook || !(await startWebhook())) {
        // Commands sent while the bot was down are stale (a "restart" from hours ago): drop them.
        try {
          await bot.telegram.deleteWebhook({ drop_pending_updates: true });
        } catch (err) {
          const decision = classifyTelegramFailure(err);
          if (decision.kind === 'fatal') throw decision.error;
          tlog.warn('could not clear pending updates', { error: err });
        }
      }
      started = true;
      source.run().then(resolveFinished, (err: unknown) => {
        if (err instanceof FatalTelegramError) tlog.error(err.message);
        rejectFinished(err);
      });
      log.info(`ready: receiving updates by ${source.kind === 'webhook' ? 'webhook' : 'long polling'}`);
    },
    async stop(reason) {
      log.info(`stopping (${reason})`);
      source.stop();
      const drained = await dispatcher.drain(options.shutdownGraceMs);
      if (!drained) log.warn(`gave up waiting for ${dispatcher.pending} update(s) still in progress`);
      autoDelete.stop();
      for (const f of [...features].reverse()) {
        await Promise.resolve(f.stop?.()).catch((err: unknown) => log.warn(`feature ${f.name} did not stop cleanly`, { error: err }));
      }
      await callbacks.save();
      await access.save();
      await store.flush();
      if (!started) resolveFinished();
      log.info('stopped');
    },
  };
}
