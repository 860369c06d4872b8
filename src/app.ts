import { HostSystem } from './adapters/system/host-system';
import {
  accessPolicy,
  alertingDeps,
  coreFeatures,
  fleetConfigured,
  healthParts,
  historyParts,
  mainMenuExtras,
  pluginParts,
  securityParts,
  telegramParts,
  updateReceiver,
} from './app-parts';
import {
  backgroundComponents,
  commandsComponent,
  featureComponents,
  healthComponent,
  receiverComponent,
  stateComponent,
} from './app-components';
import type { App, AppDeps } from './app-types';
import { dockerPort, updateChecker } from './app-docker';
import { ExpectedChanges } from './alerts/expected';
import type { AlertEngine } from './alerts/engine';
import { Lifecycle } from './lifecycle';
import { builtInPlugins } from './plugins/registry';
import { connectToTelegram } from './telegram/connect';
import { installPipeline } from './telegram/pipeline';
import { asTelegrafSignal } from './telegram/telegraf-signal';
import type { UpdateReceiver } from './telegram/receiver';
import { unknownTextView } from './views/menu';

/**
 * The composition root: builds every part from the config and owns the start and stop
 * order (components start in the order added, stop in reverse). The daemon's table of contents.
 * Parts that are not configured (plugins not asked for, the fleet, the alert engine, the
 * webhook receiver in polling mode) are never loaded.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, options, clock, store } = deps;
  const log = deps.log.child('app');
  const tlog = deps.log.child('telegram');
  const tg = telegramParts(config, clock, store, tlog);
  const { bot, sender } = tg;
  const security = securityParts(deps, sender);
  // Shared resources, owned here: one host sampler and one Docker port for every feature.
  const system = new HostSystem({ clock, log: deps.log.child('system'), env: deps.options.env });
  const docker = dockerPort(deps);
  const history = historyParts(deps, system, docker, sender);
  const requested = await (deps.plugins ?? builtInPlugins()).load(options.plugins, log);
  // One alert engine for every source (plugins, remote hosts), built if one asks.
  const alerting =
    requested.length > 0 || config.fleet.hosts.length > 0
      ? (await import('./app-alerts')).lazyAlerting(alertingDeps(deps, sender, history))
      : undefined;
  const core = { system, docker, sender, alerts: alerting?.engine ?? noAlertSource };
  // Remote hosts, the Alertmanager receiver and /metrics: only when configured (docs/fleet.md).
  const fleet = fleetConfigured(config)
    ? (await import('./fleet/parts')).fleetParts({ ...deps, ...core, secondFactor: security.guard })
    : undefined;
  if (fleet !== undefined) sender.onApiError = fleet.telegramError;
  const receiver = updateReceiver(deps, tg, tlog, fleet?.webhookObserver);
  const health = healthParts(deps, bot, receiver, docker, system);
  const shared = { expected: new ExpectedChanges(clock), updates: updateChecker(deps) };
  const ports = { ...shared, ...core, audit: security.audit, history: history?.service };
  const plugins = pluginParts(requested, deps, ports);
  const alerts = alerting?.built();
  const features = [
    ...coreFeatures({
      app: deps,
      security,
      system,
      docker,
      ...shared,
      sender,
      health,
      botUsername: tg.botUsername,
      plugins: plugins.entries,
      hostPicker: () => fleet?.picker,
      history,
    }),
    ...(alerts !== undefined ? [alerts.feature] : []),
    ...plugins.features,
    ...(fleet !== undefined ? [fleet.feature] : []),
  ];
  if (fleet !== undefined) bot.use(fleet.middleware);
  const { router, access } = installPipeline(bot, features, {
    ...tg,
    clock,
    store,
    log: deps.log,
    fallback: (req) => req.reply(unknownTextView(mainMenuExtras(config))).then(() => undefined),
    access: accessPolicy(config),
    rateLimit: config.access.rateLimit,
  });

  const parts = new Lifecycle(log);
  parts.add(
    stateComponent(tg.callbacks, access, store),
    commandsComponent(bot, router, tlog),
    ...backgroundComponents(tg.autoDelete, system, history),
    ...featureComponents(features),
    // The engine starts before its sources and stops after them.
    ...(alerts !== undefined ? [alerts.component] : []),
    ...plugins.components,
    ...(fleet !== undefined ? [fleet.component] : []),
    receiverComponent(receiver, options.shutdownGraceMs),
    healthComponent(health, parts, options.health.processMs),
  );
  return runner(deps, bot, receiver, parts);
}

/** The engine's code is loaded only when a plugin or remote hosts may raise alerts. */
function noAlertSource(): AlertEngine {
  throw new Error('no alert engine: no plugin or remote host was configured to raise alerts');
}

/** Connect, then start the components; stop them in reverse. */
function runner(
  deps: AppDeps,
  bot: ReturnType<typeof telegramParts>['bot'],
  receiver: UpdateReceiver,
  parts: Lifecycle,
): App {
  const { config, options, clock } = deps;
  const log = deps.log.child('app');
  const tlog = deps.log.child('telegram');
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
