import type { Clock } from './clock';
import type { Config } from './config/types';
import { HostSystem } from './adapters/system/host-system';
import {
  coreFeatures,
  dockerPort,
  featureComponents,
  healthParts,
  pluginParts,
  securityParts,
  telegramParts,
} from './app-parts';
import { componentsChecker } from './health/checkers/components';
import type { HealthTimings } from './health/timings';
import { component, Lifecycle } from './lifecycle';
import type { Logger } from './log/logger';
import type { Redactor } from './log/redactor';
import { builtInPlugins, type PluginRegistry } from './plugins/registry';
import type { StateStore } from './state/json-store';
import { connectToTelegram } from './telegram/connect';
import { installPipeline } from './telegram/pipeline';
import { asTelegrafSignal } from './telegram/polling';
import { UpdateReceiver } from './telegram/receiver';
import { unknownTextView } from './views/menu';
import { telegramWebhook } from './webhook/telegram-webhook';

export interface AppOptions {
  webhook: boolean;
  socketHost: string;
  plugins: readonly string[];
  /** How long /getmyid answers stay in the chat. */
  getMyIdDeleteMs: number;
  /** How long a 2FA QR code photo stays in the chat. */
  qrDeleteMs: number;
  /** Bound on finishing in-flight work at shutdown. */
  shutdownGraceMs: number;
  /** How long "As file" container logs stay in the chat. */
  dockerLogFileDeleteMs: number;
  /** The process environment parts adapters read (SSH_AUTH_SOCK for ssh:// Docker hosts). */
  env: Readonly<Record<string, string | undefined>>;
  /** Long-poll timeout of getUpdates (Telegram allows up to 50 s). */
  pollTimeoutSeconds: number;
  /** Check intervals, heartbeat period and staleness (docs/health.md). */
  health: HealthTimings;
}

export interface AppDeps {
  config: Config;
  options: AppOptions;
  log: Logger;
  redactor: Redactor;
  clock: Clock;
  store: StateStore;
  /** Where `options.plugins` are looked up (default: the built-in plugins). */
  plugins?: PluginRegistry;
}

export interface App {
  /** Connects to Telegram and starts receiving; resolves once updates flow. */
  start(): Promise<void>;
  /** Stops receiving, finishes in-flight work (bounded), flushes state. */
  stop(reason: string): Promise<void>;
  /** Settles when the update source ends; rejects with FatalTelegramError on 401/409. */
  readonly finished: Promise<void>;
}

/**
 * The composition root: builds every part from the config and owns the start and stop
 * order (components start in the order added, stop in reverse). The daemon's table of contents.
 */
export function createApp(deps: AppDeps): App {
  const { config, options, clock, store } = deps;
  const log = deps.log.child('app');
  const tlog = deps.log.child('telegram');
  const tg = telegramParts(config, clock, store, tlog);
  const { bot, sender } = tg;
  const security = securityParts(deps, sender);
  // Shared resources, owned here: one host sampler and one Docker port for every feature.
  const system = new HostSystem({ clock, log: deps.log.child('system') });
  const docker = dockerPort(deps);
  const receiver = new UpdateReceiver({
    telegram: bot.telegram,
    dispatcher: tg.dispatcher,
    pollTimeoutSeconds: options.pollTimeoutSeconds,
    webhook: !options.webhook
      ? undefined
      : () =>
          telegramWebhook({
            telegram: bot.telegram,
            settings: config.webhook,
            listenHost: options.socketHost,
            probeEveryMs: options.pollTimeoutSeconds * 1000,
            dispatcher: tg.dispatcher,
            addSecret: (secret) => deps.redactor.add(secret),
            clock,
            store,
            log: deps.log.child('webhook'),
          }),
    log: tlog,
  });
  const health = healthParts(deps, bot, receiver, docker);
  const ports = { system, docker, clock, store, sender, notifyChatIds: config.adminChatIds };
  const requested = (deps.plugins ?? builtInPlugins()).resolve(options.plugins, log);
  const plugins = pluginParts(requested, config, ports, deps.log);
  const botUsername = tg.botUsername;
  const features = [
    ...coreFeatures({
      app: deps,
      security,
      system,
      docker,
      health,
      botUsername,
      plugins: plugins.entries,
    }),
    ...plugins.features,
  ];
  const { router, access } = installPipeline(bot, features, {
    ...tg,
    clock,
    store,
    log: deps.log,
    fallback: (req) => req.reply(unknownTextView()).then(() => undefined),
    access: {
      userIds: config.access.userIds,
      adminIds: config.access.adminIds,
      chatIds: config.access.chatIds,
      adminChatIds: config.adminChatIds,
    },
  });

  const parts = new Lifecycle(log);
  parts.add(
    component('state', {
      // Stopped last: what the others wrote reaches the disk.
      stop: async () => {
        await tg.callbacks.save();
        await access.save();
        await store.flush();
      },
    }),
    component('commands', {
      start: () =>
        bot.telegram.setMyCommands(router.commands()).then(
          () => undefined,
          (err: unknown) => tlog.warn('could not set the command menu', { error: err }),
        ),
    }),
    component('auto-delete', {
      start: () => tg.autoDelete.start(),
      stop: () => tg.autoDelete.stop(),
    }),
    component('system', { start: () => system.start(), stop: () => system.stop() }),
    ...featureComponents(features),
    ...plugins.components,
    component('updates', {
      start: async () => {
        await receiver.prepare();
        receiver.run();
      },
      stop: () => receiver.stop(options.shutdownGraceMs),
    }),
    component('health', {
      // After the source is chosen (the first update-loop check names it); names what failed.
      start: () => {
        if (parts.failed.length > 0)
          health.monitor.register(componentsChecker(() => parts.failed, options.health.processMs));
        health.start();
      },
      stop: () => health.stop(),
    }),
  );

  /** Aborted by stop(), so a start-up still waiting for Telegram ends at once. */
  const stopping = new AbortController();
  return {
    finished: receiver.finished,
    async start() {
      log.info('starting', { mode: config.mode, receive: options.webhook ? 'webhook' : 'polling' });
      const me = await connectToTelegram(
        (signal) => bot.telegram.callApi('getMe', {}, { signal: asTelegrafSignal(signal) }),
        { clock, log: tlog, signal: stopping.signal },
      );
      if (me === undefined) return;
      bot.botInfo = me;
      tlog.info(`connected as @${me.username}`);
      await parts.start(stopping.signal);
      log.info(
        `ready: receiving updates by ${receiver.kind === 'webhook' ? 'webhook' : 'long polling'}`,
      );
    },
    async stop(reason) {
      log.info(`stopping (${reason})`);
      stopping.abort();
      await parts.stop();
      receiver.settleIfIdle();
      log.info('stopped');
    },
  };
}
