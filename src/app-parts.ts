/**
 * The builders `createApp` composes: each takes the ports it needs and returns one room's
 * parts. No I/O happens here; anything that runs is a component started by the app.
 */
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { DockerPort } from './adapters/docker/port';
import type { SystemPort } from './adapters/system/system-port';
import type { Clock } from './clock';
import type { Config } from './config/types';
import { dockerHealthTargets, dockerQuickSummary } from './adapters/docker/summary';
import { UpdateChecker } from './adapters/docker/update-checker';
import type { ContainerUpdatePort } from './adapters/docker/update-port';
import type { ExpectedChanges } from './alerts/expected';
import { authFeature } from './features/auth';
import { botUpdatesFeature } from './features/bot-updates';
import { HttpReleaseFeed } from './adapters/releases/release-feed';
import { dockerFeature } from './features/docker';
import type { Feature } from './features/feature';
import { healthFeature } from './features/health';
import { historyFeature } from './features/history';
import { HistoryRuntime } from './history/runtime';
import { menuFeature } from './features/menu';
import { serverFeature, type ServerDeps } from './features/server';
import { TwoFactorGuard } from './features/two-factor-guard';
import { dockerCheckers } from './health/checkers/docker';
import { pollingThresholds } from './health/checkers/update-loop';
import { createHealth, type Health } from './health/health';
import { readHostSample } from './health/host-sample';
import type { Component } from './lifecycle';
import type { Logger } from './log/logger';
import type { Plugin, PluginPorts } from './plugins/plugin';
import { ChatAdminNotifier } from './security/admin-notifier';
import { JsonlAuditLog } from './security/audit-log';
import { TwoFactorSessions } from './security/two-factor-sessions';
import type { StateStore } from './state/json-store';
import { AutoDeleteScheduler } from './telegram/auto-delete';
import { CallbackStore } from './telegram/callback-store';
import { Dispatcher } from './telegram/dispatcher';
import { asTelegrafSignal } from './telegram/telegraf-signal';
import { UpdateReceiver } from './telegram/receiver';
import { PrioritySender } from './telegram/send-queue';
import { SafeSender, type Sender } from './telegram/sender';
import type { AlertingDeps } from './app-alerts';
import type { AppDeps } from './app-types';
import type { WebhookObserver } from './webhook/server';
import { dockerReasonText } from './views/errors';
import { APP_VERSION } from './version';
import { forecastNoticeView } from './views/history';
import { FLEET_BUTTON } from './views/keyboards';

/** The bot (telegraf, never `launch`ed), the sender and what hangs off it. */
export function telegramParts(config: Config, clock: Clock, store: StateStore, tlog: Logger) {
  const bot = new Telegraf(config.botToken, {
    telegram: { apiRoot: config.telegram.apiRoot, webhookReply: false },
    handlerTimeout: 120_000,
  });
  bot.catch((err) => tlog.error('unhandled error in update handling', { error: err }));
  const callbacks = new CallbackStore(clock, store);
  // The people the bot serves are answered first; strangers and alert storms wait their turn.
  const served = new Set([
    ...config.access.userIds,
    ...config.access.chatIds,
    ...config.adminChatIds,
  ]);
  const sender = new PrioritySender(new SafeSender(bot.telegram, callbacks, tlog, clock), (chat) =>
    served.has(chat),
  );
  const autoDelete = new AutoDeleteScheduler((c, m) => sender.delete(c, m), clock, store, tlog);
  const dispatcher = new Dispatcher((u: Update) => bot.handleUpdate(u), tlog, clock);
  const botUsername = (): string | undefined => bot.botInfo?.username;
  return { bot, callbacks, sender, autoDelete, dispatcher, botUsername };
}

/** Buttons after the main menu's six sections: Fleet when remote hosts are configured. */
export function mainMenuExtras(config: Config): string[] {
  return config.fleet.hosts.length > 0 ? [FLEET_BUTTON] : [];
}

/** Whether any fleet part (remote hosts, the Alertmanager receiver, /metrics) is configured. */
export function fleetConfigured(config: Config): boolean {
  const fc = config.fleet;
  return fc.hosts.length > 0 || fc.receiver !== undefined || fc.metrics !== undefined;
}

/** Who may use the bot, from `access_control` and `chat_id`. */
export function accessPolicy(config: Config) {
  return {
    userIds: config.access.userIds,
    adminIds: config.access.adminIds,
    chatIds: config.access.chatIds,
    adminChatIds: config.adminChatIds,
  };
}

/** One audit log and one 2FA guard for the whole bot: privileged features get `guard` and `audit`. */
export function securityParts(deps: AppDeps, sender: Sender) {
  const { config, clock, store } = deps;
  const log = deps.log.child('auth');
  const audit = new JsonlAuditLog({ store, clock, log });
  const sessions = new TwoFactorSessions({
    authSalt: config.access.authSalt,
    store,
    clock,
    onSecret: (secret) => deps.redactor.add(secret),
    limits: { sessionMs: config.access.sessionMinutes * 60_000 },
    log,
  });
  const notifier = new ChatAdminNotifier(sender, config.adminChatIds, log);
  const guard = new TwoFactorGuard({ sessions, audit, notifier, clock, log });
  return { audit, sessions, guard };
}

/** Long polling, or the webhook receiver when `--webhook` asks for it. */
export function updateReceiver(
  deps: AppDeps,
  tg: ReturnType<typeof telegramParts>,
  tlog: Logger,
  observe?: WebhookObserver,
): UpdateReceiver {
  const { config, options } = deps;
  const { bot, dispatcher } = tg;
  return new UpdateReceiver({
    telegram: bot.telegram,
    dispatcher,
    pollTimeoutSeconds: options.pollTimeoutSeconds,
    clock: deps.clock,
    webhook: !options.webhook
      ? undefined
      : async (onLost) =>
          (await import('./webhook/telegram-webhook')).telegramWebhook({
            onLost,
            telegram: bot.telegram,
            settings: config.webhook,
            listenHost: options.socketHost,
            probeEveryMs: options.pollTimeoutSeconds * 1000,
            dispatcher,
            addSecret: (secret) => deps.redactor.add(secret),
            clock: deps.clock,
            store: deps.store,
            log: deps.log.child('webhook'),
            ...(observe !== undefined ? { observe } : {}),
          }),
    log: tlog,
  });
}

/** The health monitor with the core checks, the update loop's and one per Docker host. */
export function healthParts(
  deps: AppDeps,
  bot: Telegraf,
  receiver: UpdateReceiver,
  docker: DockerPort,
  system: SystemPort,
): Health {
  const { options } = deps;
  const health = createHealth({
    telegram: {
      getMe: (signal) => bot.telegram.callApi('getMe', {}, { signal: asTelegrafSignal(signal) }),
    },
    // The webhook source proves liveness as often as a long poll returns, so the thresholds are shared.
    updates: {
      source: receiver,
      what: () => receiver.what(),
      ...pollingThresholds(options.pollTimeoutSeconds, options.health.scale),
    },
    store: deps.store,
    system,
    clock: deps.clock,
    log: deps.log.child('health'),
    timings: options.health,
  });
  for (const checker of dockerCheckers(dockerHealthTargets(docker), {
    intervalMs: options.health.dockerMs,
    timeoutMs: options.health.checkTimeoutMs,
    required: deps.config.docker.strictAccess,
  })) {
    health.monitor.register(checker);
  }
  return health;
}

export interface CoreFeatureDeps {
  app: AppDeps;
  security: ReturnType<typeof securityParts>;
  system: SystemPort;
  docker: DockerPort & { readonly updates: ContainerUpdatePort };
  /** Intended container changes the alerts must not report as crashes (shared with the monitor). */
  expected: ExpectedChanges;
  /** Unattended image updates report to the admin chats through it. */
  sender: Sender;
  health: Health;
  botUsername: () => string | undefined;
  /** Enabled plugins, for the Plugins screen. */
  plugins: readonly { label: string; description: string }[];
  /** The remote-host picker for Server / Quick view (docs/fleet.md). */
  hostPicker: ServerDeps['hostPicker'];
  /** Undefined when `history.enabled` is false. */
  history: HistoryRuntime | undefined;
  /** One update checker (and its registry cache) for the Docker screens and the reports. */
  updates: UpdateChecker;
}

/** The Docker section: screens, registry update checks and (unless off) safe image updates. */
function dockerFeatureFor(d: CoreFeatureDeps): Feature {
  const { config, options, clock, log } = d.app;
  const admins = new ChatAdminNotifier(d.sender, config.adminChatIds, log.child('docker'));
  return dockerFeature({
    docker: d.docker,
    updates: d.updates,
    secondFactor: d.security.guard,
    clock,
    log: log.child('docker'),
    redact: (text) => d.app.redactor.redact(text),
    strictAccess: config.docker.strictAccess,
    charts: d.history !== undefined,
    ...(d.history !== undefined ? { recentStats: d.history.recentStats.bind(d.history) } : {}),
    logFileDeleteMs: options.dockerLogFileDeleteMs,
    strictWaitMs: options.dockerStrictWaitMs,
    ...(config.docker.imageUpdates !== undefined
      ? {
          imageUpdates: {
            ops: d.docker.updates,
            store: d.app.store,
            expected: d.expected,
            settings: config.docker.imageUpdates,
            unattended: {
              audit: d.security.audit,
              notify: (view) => admins.notify(view),
              ...(options.autoUpdateEveryMs !== undefined
                ? { everyMs: options.autoUpdateEveryMs }
                : {}),
            },
          },
        }
      : {}),
  });
}

/** The built-in features, in menu order. */
export function coreFeatures(d: CoreFeatureDeps): Feature[] {
  const { config, options, clock, log } = d.app;
  const { guard, sessions, audit } = d.security;
  return [
    menuFeature({
      isAllowed: (id) => config.access.userIds.includes(id),
      getMyIdDeleteMs: options.getMyIdDeleteMs,
      plugins: d.plugins,
      mainExtras: mainMenuExtras(config),
    }),
    authFeature({
      guard,
      sessions,
      audit,
      clock,
      // qrcode is loaded at the first enrolment, not at start.
      renderQr: async (text) => (await import('./security/qr-code')).renderQrPng(text),
      qrDeleteMs: options.qrDeleteMs,
      botUsername: d.botUsername,
    }),
    serverFeature({
      system: d.system,
      ...(d.history !== undefined ? { history: d.history.service } : {}),
      clock,
      log: log.child('server'),
      nodeVersion: process.version,
      // Quick view counts the first configured host, as the Docker overview counts it.
      dockerSummary: async () => {
        const s = await dockerQuickSummary(d.docker, 0);
        return s.ok
          ? { running: s.running, total: s.total, images: s.images }
          : { unavailable: dockerReasonText(s.error) };
      },
      ...(d.hostPicker !== undefined ? { hostPicker: d.hostPicker } : {}),
    }),
    healthFeature({
      health: d.health.monitor,
      refreshMaxAgeMs: options.health.refreshMaxAgeMs,
      refreshWaitMs: options.health.refreshWaitMs,
      hostSample: () =>
        readHostSample(d.system, async () => {
          const s = await dockerQuickSummary(d.docker, 0);
          return s.ok ? { running: s.running, total: s.total } : undefined;
        }),
      log: log.child('health'),
    }),
    dockerFeatureFor(d),
    botUpdatesFeature({
      feed: new HttpReleaseFeed({
        url: config.botUpdates.releaseFeedUrl,
        timeoutMs: config.botUpdates.timeoutMs,
        userAgent: `tmbot/${APP_VERSION}`,
      }),
      clock,
      log: log.child('updates'),
    }),
    ...(d.history !== undefined
      ? [historyFeature({ history: d.history.service, docker: d.docker })]
      : []),
  ];
}

/** Metric history (on unless `history.enabled: false`); forecast alerts go to the admin chats. */
export function historyParts(
  deps: AppDeps,
  system: SystemPort,
  docker: DockerPort,
  sender: Pick<Sender, 'send'>,
): HistoryRuntime | undefined {
  const { config, clock, store } = deps;
  if (!config.history.enabled) return undefined;
  const log = deps.log.child('history');
  return new HistoryRuntime({
    config: config.history,
    influxdb: config.influxdb,
    stateDir: store.persistent ? store.dir : undefined,
    system,
    docker,
    clock,
    log: deps.log,
    notify: async (notice) => {
      for (const chatId of config.adminChatIds) {
        await sender
          .send(chatId, forecastNoticeView(notice))
          .catch((err: unknown) =>
            log.warn('could not send a forecast alert', { error: err, chatId }),
          );
      }
    },
  });
}

/** The alert engine's settings (built by src/app-alerts.ts when a source asks for it). */
export function alertingDeps(
  deps: AppDeps,
  sender: Sender,
  history: HistoryRuntime | undefined,
): AlertingDeps {
  const { config } = deps;
  return {
    monitor: config.plugins.monitor,
    alerts: config.alerts,
    globalChatIds: config.adminChatIds,
    adminIds: config.access.adminIds,
    sender,
    // The last hour's chart after an alert (history.alert_charts).
    alertChart:
      history !== undefined && config.history.alertCharts
        ? history.alertChart.bind(history)
        : undefined,
    store: deps.store,
    clock: deps.clock,
    log: deps.log.child('alerts'),
  };
}

/** The enabled plugins built: their features, their (optional) components and their menu entries. */
export function pluginParts(
  plugins: readonly Plugin[],
  deps: AppDeps,
  shared: Pick<
    PluginPorts,
    'system' | 'docker' | 'sender' | 'expected' | 'audit' | 'history' | 'updates' | 'alerts'
  >,
): { features: Feature[]; components: Component[]; entries: Plugin[] } {
  const { config, clock, store, log } = deps;
  const ports: PluginPorts = {
    ...shared,
    clock,
    store,
    notifyChatIds: config.adminChatIds,
    redact: (text: string) => deps.redactor.redact(text),
  };
  const built = {
    features: [] as Feature[],
    components: [] as Component[],
    entries: [] as Plugin[],
  };
  for (const plugin of plugins) {
    const b = plugin.build(config, ports, log);
    if ('off' in b) {
      log.child('app').warn(`plugin '${plugin.name}' is off: ${b.off}`);
      continue;
    }
    built.features.push(b.feature);
    built.entries.push(plugin);
    // A plugin never stops the bot from starting: its parts are optional whatever they say.
    for (const c of b.components ?? [])
      built.components.push({
        name: c.name,
        required: false,
        start: () => c.start?.(),
        stop: () => c.stop?.(),
      });
  }
  return built;
}
