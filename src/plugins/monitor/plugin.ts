import type { ExpectedChanges } from '../../alerts/expected';
import type { DockerEventsPort } from '../../adapters/docker/events-port';
import type { DockerLogFollowPort } from '../../adapters/docker/log-follow-port';
import type { DockerPort } from '../../adapters/docker/port';
import type { SystemPort } from '../../adapters/system/system-port';
import { DockerAlertSource, type DockerEventObserver } from '../../alerts/docker-source';
import type { AlertMessenger, AlertPolicy } from '../../alerts/delivery';
import { AlertEngine } from '../../alerts/engine';
import { MaintenanceControl } from '../../alerts/maintenance-control';
import { compileNamePattern } from '../../alerts/patterns';
import type { AlertTarget } from '../../alerts/types';
import type { Clock } from '../../clock';
import type { UpdateCheckPort } from '../../adapters/docker/update-checker';
import type { ReportConfig } from '../../config/report';
import type { AlertsConfig, MonitorConfig } from '../../config/types';
import type { HistoryService } from '../../history/service';
import type { Feature } from '../../features/feature';
import type { AlertChart } from '../../history/alert-chart';
import { component, type Component } from '../../lifecycle';
import type { Logger } from '../../log/logger';
import type { AuditLog } from '../../security/second-factor';
import type { StateStore } from '../../state/json-store';
import type { Sender } from '../../telegram/sender';
import { sanitiseLog } from '../../views/docker-logs';
import { chartCaption } from '../../views/history';
import { definePlugin } from '../plugin';
import { monitorFeature } from './feature';
import { monitorExtras } from './extras';
import { Monitor } from './monitor';
import { MONITOR_BUTTON } from './views';

/** The monitor plugin's settings: pyTMBot's section, the alert engine's, and who may mute. */
export interface MonitorSettings {
  readonly monitor: MonitorConfig;
  readonly alerts: AlertsConfig;
  /** Scheduled reports to the alert chats (docs/reports.md). */
  readonly report?: ReportConfig;
  readonly adminIds: readonly number[];
}

export interface MonitorPluginDeps extends MonitorSettings {
  /** chat_id.global_chat_id: every one receives alerts. */
  globalChatIds: readonly number[];
  system: SystemPort;
  docker: DockerPort & DockerEventsPort & DockerLogFollowPort;
  /** Restarts by log patterns (`action: restart`) are recorded here. */
  audit?: AuditLog;
  sender: Pick<Sender, 'send' | 'edit' | 'sendPhoto'>;
  /** For reports: disk forecasts and a chart when history is on; image updates. */
  history?: Pick<HistoryService, 'chart' | 'forecast'>;
  updates?: UpdateCheckPort;
  /** Draws an alert's last hour (history.alert_charts); absent: alerts go without charts. */
  alertChart?: AlertChart;
  store: StateStore;
  clock: Clock;
  log: Logger;
  /** The Logs screen's sanitising, applied to quoted log lines and health output. */
  sanitise: (text: string) => string;
  /** Intended container changes (image updates) that must not alert. */
  expected?: ExpectedChanges;
}

/** How host-condition alerts name the machine tmbot runs on. */
const LOCAL_HOST = 'this host';

/** Where alerts go: every global chat, plus the alert chat (in its forum topic). */
export function alertTargets(
  globalChatIds: readonly number[],
  alerts: AlertsConfig,
): AlertTarget[] {
  const targets: AlertTarget[] = globalChatIds.map((chatId) => ({ chatId }));
  if (alerts.chatId !== undefined && !globalChatIds.includes(alerts.chatId))
    targets.push({
      chatId: alerts.chatId,
      ...(alerts.threadId !== undefined ? { threadId: alerts.threadId } : {}),
    });
  return targets;
}

/** Sends and edits alerts (and follows them with charts); buttons belong to a user: the private chat's own user, or in a group the first admin. */
function alertMessenger(
  sender: MonitorPluginDeps['sender'],
  adminIds: readonly number[],
  alertChart: AlertChart | undefined,
): AlertMessenger {
  const owner = (chatId: number): number => (chatId > 0 ? chatId : (adminIds[0] ?? chatId));
  return {
    send: async (t, view, silent) =>
      (
        await sender.send(t.chatId, view, {
          forUser: owner(t.chatId),
          silent,
          bulk: true,
          ...(t.threadId !== undefined ? { threadId: t.threadId } : {}),
        })
      ).messageId,
    edit: async (chatId, messageId, view) => {
      await sender.edit(chatId, messageId, view, { forUser: owner(chatId), bulk: true });
    },
    ...(alertChart !== undefined ? { attach: chartReplies(alertChart, sender) } : {}),
  };
}

/** Docker events from every host, with pyTMBot's retry_* used for re-subscribing and its interval for the polling fallback. */
function dockerSource(
  deps: MonitorPluginDeps,
  engine: AlertEngine,
  observer: DockerEventObserver | undefined,
): DockerAlertSource {
  const { monitor: m, alerts } = deps;
  return new DockerAlertSource({
    docker: deps.docker,
    engine,
    clock: deps.clock,
    store: deps.store,
    log: deps.log.child('docker-events'),
    sanitise: deps.sanitise,
    ...(deps.expected !== undefined ? { expected: deps.expected } : {}),
    options: {
      ...alerts.docker,
      include: alerts.docker.include.map(compileNamePattern),
      exclude: alerts.docker.exclude.map(compileNamePattern),
      retryIntervalMs: m.retryIntervalSeconds * 1000,
      retryAttempts: m.retryAttempts,
      pollIntervalMs: m.checkIntervalSeconds * 1000,
    },
    ...(observer !== undefined ? { observer } : {}),
  });
}

/**
 * Follows an alert with the last hour's chart of its subject, a photo replying to the
 * alert's message in each chat; nothing when the alert has no chart or no data yet.
 */
function chartReplies(
  draw: AlertChart,
  sender: Pick<Sender, 'sendPhoto'>,
): NonNullable<AlertMessenger['attach']> {
  return async (alert, sent, silent) => {
    const chart = await draw({
      kind: alert.facts.kind,
      target: alert.target,
      host: alert.host,
      local: alert.host === LOCAL_HOST,
    });
    if (chart === undefined) return;
    const caption = { html: chartCaption(chart.title, chart.series, chart.unit) };
    for (const { target, messageId } of sent) {
      await sender.sendPhoto(target.chatId, chart.png, caption, {
        replyTo: messageId,
        silent,
        ...(target.threadId !== undefined ? { threadId: target.threadId } : {}),
      });
    }
  };
}

/**
 * The monitor plugin: the alert engine, Docker events from every host, host
 * conditions and the maintenance switch for scripts, behind one feature.
 */
export function createMonitorPlugin(deps: MonitorPluginDeps): {
  feature: Feature;
  components: Component[];
} {
  const { monitor: m, alerts, clock, store, log } = deps;
  const targets = alertTargets(deps.globalChatIds, alerts);
  if (targets.length === 0)
    log.warn(
      'monitor: no global_chat_id or alerts.chat_id is configured; alerts have nowhere to go',
    );
  const messenger = alertMessenger(deps.sender, deps.adminIds, deps.alertChart);
  const policy: AlertPolicy = {
    severity: alerts.severity,
    maxNotifications: m.maxNotifications,
    budgetWindowMs: m.resetNotificationSeconds * 1000,
    settleMs: alerts.settleMs,
    groupWindowMs: alerts.groupWindowMs,
    quietHours: alerts.quietHours,
    targets,
  };
  const engine = new AlertEngine({ policy, clock, store, messenger, log: log.child('alerts') });
  const extras = monitorExtras(deps, engine, targets);
  const source = m.monitorDocker ? dockerSource(deps, engine, extras.logWatch) : undefined;
  const monitor = new Monitor({
    config: m,
    alerts,
    system: deps.system,
    engine,
    clock,
    log,
    host: LOCAL_HOST,
  });
  const control = new MaintenanceControl({ store, engine, clock, log });
  const part = (name: string, p: { start(): void; stop(): void | Promise<void> }): Component =>
    component(name, { required: false, start: () => p.start(), stop: () => p.stop() });
  return {
    feature: monitorFeature({
      engine,
      monitor,
      source,
      intervalSeconds: m.checkIntervalSeconds,
      clock,
    }),
    // Started in this order, stopped in reverse: the engine outlives its sources.
    components: [
      part('alerts', engine),
      part('maintenance-control', control),
      part('monitor', monitor),
      ...extras.components,
      ...(source !== undefined ? [part('docker-events', source)] : []),
    ],
  };
}

/** `--plugins monitor`: alerts on Docker events and host conditions, with a status screen. */
export const monitorPlugin = definePlugin<MonitorSettings>({
  name: 'monitor',
  label: MONITOR_BUTTON,
  description:
    'alerts on Docker events and host conditions, with ack / snooze / mute; status screen',
  settings: (config) => ({
    monitor: config.plugins.monitor,
    alerts: config.alerts,
    report: config.report,
    adminIds: config.access.adminIds,
  }),
  create: (ctx) =>
    createMonitorPlugin({
      ...ctx.settings,
      globalChatIds: ctx.notifyChatIds,
      system: ctx.system,
      docker: ctx.docker,
      sender: ctx.sender,
      ...(ctx.alertChart !== undefined ? { alertChart: ctx.alertChart } : {}),
      store: ctx.store,
      clock: ctx.clock,
      log: ctx.log,
      sanitise: (text) => sanitiseLog(text, ctx.redact),
      ...(ctx.audit !== undefined ? { audit: ctx.audit } : {}),
      ...(ctx.history !== undefined ? { history: ctx.history } : {}),
      ...(ctx.updates !== undefined ? { updates: ctx.updates } : {}),
      ...(ctx.expected !== undefined ? { expected: ctx.expected } : {}),
    }),
});
