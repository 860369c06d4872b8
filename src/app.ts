import { setFlagsFromString } from 'node:v8';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { sleep, type Clock } from './clock';
import type { Config } from './config/types';
import { FatalTelegramError } from './errors';
import { DockerodePort } from './adapters/docker/dockerode-port';
import { HttpRegistryClient } from './adapters/docker/registry';
import { dockerHealthTargets, dockerQuickSummary } from './adapters/docker/summary';
import { UpdateChecker } from './adapters/docker/update-checker';
import { dockerFeature } from './features/docker';
import type { Feature } from './features/feature';
import { authFeature } from './features/auth';
import { botUpdatesFeature } from './features/bot-updates';
import { HttpReleaseFeed } from './adapters/releases/release-feed';
import { healthFeature } from './features/health';
import { menuFeature } from './features/menu';
import { MONITOR_PLUGIN, monitorFeature } from './plugins/monitor/feature';
import { Monitor } from './plugins/monitor/monitor';
import { createOutlinePlugin, OUTLINE_PLUGIN } from './plugins/outline/plugin';
import { serverFeature } from './features/server';
import { HostSystem } from './adapters/system/host-system';
import { dockerCheckers } from './health/checkers/docker';
import { pollingThresholds } from './health/checkers/update-loop';
import { createHealth } from './health/health';
import type { HealthTimings } from './health/timings';
import type { Logger } from './log/logger';
import type { Redactor } from './log/redactor';
import { AccessControl } from './security/access-control';
import { ChatAdminNotifier } from './security/admin-notifier';
import { JsonlAuditLog } from './security/audit-log';
import { renderQrPng } from './security/qr-code';
import { TwoFactorGuard } from './security/two-factor-guard';
import { TwoFactorSessions } from './security/two-factor-sessions';
import type { StateStore } from './state/json-store';
import { AutoDeleteScheduler } from './telegram/auto-delete';
import { CallbackStore } from './telegram/callback-store';
import { Dispatcher } from './telegram/dispatcher';
import { rateLimit, updateDedup } from './telegram/guards';
import {
  asTelegrafSignal,
  classifyTelegramFailure,
  DEFAULT_POLLING,
  Poller,
} from './telegram/polling';
import { Router } from './telegram/router';
import { SafeSender } from './telegram/sender';
import type { UpdateSource } from './telegram/update-source';
import { unknownTextView } from './views/menu';
import { WebhookSource } from './webhook/webhook-source';
import { APP_VERSION } from './version';

/** One getMe attempt at start-up may take this long before it is retried. */
const CONNECT_TIMEOUT_MS = 30_000;

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

  // One audit log and one 2FA guard for the whole bot: privileged features get `guard` (SecondFactor) and `audit`.
  const alog = deps.log.child('auth');
  const audit = new JsonlAuditLog({
    dir: store.persistent ? store.dir : undefined,
    clock,
    log: alog,
  });
  const sessions = new TwoFactorSessions({
    authSalt: config.access.authSalt,
    store,
    clock,
    onSecret: (secret) => deps.redactor.add(secret),
    limits: { sessionMs: config.access.sessionMinutes * 60_000 },
  });
  const notifier = new ChatAdminNotifier(sender, config.adminChatIds, alog);
  const guard = new TwoFactorGuard({ sessions, audit, notifier, clock, log: alog });

  // One SystemPort for every feature that shows host figures (its caches are shared).
  const system = new HostSystem({ clock, log: deps.log.child('system') });

  const dispatcher = new Dispatcher((u: Update) => bot.handleUpdate(u), tlog);
  const poller = new Poller(bot.telegram, (u) => dispatcher.enqueue(u), tlog, {
    ...DEFAULT_POLLING,
    timeoutSeconds: options.pollTimeoutSeconds,
  });
  // Polling until webhook mode is set up (and after it fails to be).
  let source: UpdateSource = poller;
  let webhookFailed = false;
  const receiving = (): string => {
    if (source.kind === 'webhook') return 'webhook delivery or check';
    return webhookFailed ? 'getUpdates (the webhook could not be set up)' : 'getUpdates';
  };

  const health = createHealth({
    telegram: {
      getMe: (signal) => bot.telegram.callApi('getMe', {}, { signal: asTelegrafSignal(signal) }),
    },
    // The webhook source proves liveness as often as a long poll returns, so the thresholds are shared.
    updates: {
      source: {
        get lastSuccessAt() {
          return source.lastSuccessAt;
        },
      },
      what: receiving,
      ...pollingThresholds(options.pollTimeoutSeconds, options.health.scale),
    },
    stateDir: store.dir,
    clock,
    log: deps.log.child('health'),
    timings: options.health,
  });

  const docker = new DockerodePort({
    hosts: config.docker.hosts,
    tls: config.docker.tls,
    log: deps.log.child('docker'),
    clock,
    env: options.env,
    logCalls: config.docker.debug,
  });
  for (const checker of dockerCheckers(dockerHealthTargets(docker), {
    intervalMs: options.health.dockerMs,
    timeoutMs: options.health.checkTimeoutMs,
    required: config.docker.strictAccess,
  })) {
    health.monitor.register(checker);
  }
  const registry = new HttpRegistryClient({
    clock,
    log: deps.log.child('registry'),
    userAgent: `tmbot/${APP_VERSION}`,
  });

  const monitorOn = options.plugins.includes(MONITOR_PLUGIN.name);
  // Outline stays off, with a warning, when its settings are empty, placeholders or malformed.
  const outline = options.plugins.includes(OUTLINE_PLUGIN.name)
    ? createOutlinePlugin(config.plugins.outline, deps.log.child('outline'))
    : undefined;
  if (outline !== undefined && 'off' in outline)
    log.warn(`plugin 'outline' is off: ${outline.off}`);
  const outlineFeature =
    outline !== undefined && 'feature' in outline ? outline.feature : undefined;
  const features: Feature[] = [
    menuFeature({
      isAllowed: (id) => config.access.userIds.includes(id),
      getMyIdDeleteMs: options.getMyIdDeleteMs,
      plugins: [
        ...(monitorOn ? [MONITOR_PLUGIN] : []),
        ...(outlineFeature ? [OUTLINE_PLUGIN] : []),
      ],
    }),
    authFeature({
      guard,
      sessions,
      audit,
      clock,
      renderQr: renderQrPng,
      qrDeleteMs: options.qrDeleteMs,
      botUsername,
    }),
    serverFeature({
      system,
      clock,
      log: deps.log.child('server'),
      nodeVersion: process.version,
      // Quick view counts the first configured host, as the Docker overview counts it.
      dockerSummary: async () => {
        const s = await dockerQuickSummary(docker, 0);
        return s.ok
          ? { running: s.running, total: s.total, images: s.images }
          : { unavailable: s.reason };
      },
    }),
    healthFeature({
      health: health.monitor,
      refreshMaxAgeMs: options.health.refreshMaxAgeMs,
      refreshWaitMs: options.health.refreshWaitMs,
    }),
    botUpdatesFeature({
      feed: new HttpReleaseFeed({
        url: config.botUpdates.releaseFeedUrl,
        timeoutMs: config.botUpdates.timeoutMs,
        userAgent: `tmbot/${APP_VERSION}`,
      }),
      clock,
      log: deps.log.child('updates'),
    }),
    dockerFeature({
      docker,
      updates: new UpdateChecker(registry, { clock }),
      secondFactor: guard,
      clock,
      log: deps.log.child('docker'),
      redact: (text) => deps.redactor.redact(text),
      strictAccess: config.docker.strictAccess,
      logFileDeleteMs: options.dockerLogFileDeleteMs,
    }),
  ];
  if (monitorOn) {
    const monitor = new Monitor({
      config: config.plugins.monitor,
      system,
      docker,
      sender,
      chatIds: config.adminChatIds,
      store,
      clock,
      log: deps.log.child('monitor'),
    });
    features.push(monitorFeature({ monitor }));
  }
  if (outlineFeature) features.push(outlineFeature);
  for (const f of features) f.install(router);
  for (const p of options.plugins) {
    if (p !== MONITOR_PLUGIN.name && p !== OUTLINE_PLUGIN.name)
      log.warn(`plugin '${p}' is not available in this build; ignored`);
  }

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

  let resolveFinished!: () => void;
  let rejectFinished!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  // The caller awaits `finished`; this keeps an early rejection from counting as unhandled.
  finished.catch(() => undefined);

  let started = false;

  /** Aborted by stop(), so a start-up still waiting for Telegram ends at once. */
  const stopping = new AbortController();

  /** Waits for getMe; false when stop() came first. Each attempt gives up after a while. */
  async function connect(): Promise<boolean> {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      try {
        bot.botInfo = await bot.telegram.callApi(
          'getMe',
          {},
          {
            signal: asTelegrafSignal(
              AbortSignal.any([stopping.signal, AbortSignal.timeout(CONNECT_TIMEOUT_MS)]),
            ),
          },
        );
        return true;
      } catch (err) {
        if (stopping.signal.aborted) break;
        const decision = classifyTelegramFailure(err);
        if (decision.kind === 'fatal') throw decision.error;
        const wait = Math.min(1000 * 2 ** attempt, 30_000);
        tlog.warn(
          `cannot reach the Telegram Bot API (attempt ${attempt}); retrying in ${wait / 1000}s`,
          { error: err },
        );
        await sleep(wait, stopping.signal);
      }
    }
    return false;
  }

  /** Tries webhook mode; on a failure polling can survive, records why and returns false. */
  async function startWebhook(): Promise<boolean> {
    const allowedUpdates = DEFAULT_POLLING.allowedUpdates;
    const webhook = new WebhookSource(
      {
        settings: config.webhook,
        listenHost: options.socketHost,
        allowedUpdates,
        probeEveryMs: options.pollTimeoutSeconds * 1000,
      },
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
        favourMemory: (on) =>
          setFlagsFromString(on ? '--optimize-for-size' : '--no-optimize-for-size'),
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
      webhookFailed = true;
      log.error('could not set up the webhook; falling back to long polling', { error: err });
      return false;
    }
  }

  return {
    finished,
    async start() {
      log.info('starting', { mode: config.mode, receive: options.webhook ? 'webhook' : 'polling' });
      if (!(await connect())) return;
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
      // After connect(): no heartbeat until Telegram has answered once, and no getMe racing connect's;
      // after the source is chosen, so the first update-loop check already names it.
      health.start();
      started = true;
      source.run().then(resolveFinished, (err: unknown) => {
        if (err instanceof FatalTelegramError) tlog.error(err.message);
        rejectFinished(err);
      });
      log.info(
        `ready: receiving updates by ${source.kind === 'webhook' ? 'webhook' : 'long polling'}`,
      );
    },
    async stop(reason) {
      log.info(`stopping (${reason})`);
      stopping.abort();
      source.stop();
      const drained = await dispatcher.drain(options.shutdownGraceMs);
      if (!drained)
        log.warn(`gave up waiting for ${dispatcher.pending} update(s) still in progress`);
      autoDelete.stop();
      for (const f of [...features].reverse()) {
        await Promise.resolve(f.stop?.()).catch((err: unknown) =>
          log.warn(`feature ${f.name} did not stop cleanly`, { error: err }),
        );
      }
      await health.stop();
      await callbacks.save();
      await access.save();
      await store.flush();
      if (!started) resolveFinished();
      log.info('stopped');
    },
  };
}
