import type { ExpectedChanges } from '../../alerts/expected';
import type { DockerEventsPort } from '../../adapters/docker/events-port';
import type { DockerLogFollowPort } from '../../adapters/docker/log-follow-port';
import type { DockerPort } from '../../adapters/docker/port';
import type { SystemPort } from '../../adapters/system/system-port';
import { DockerAlertSource, type DockerEventObserver } from '../../alerts/docker-source';
import { alertTargets } from '../../alerts/delivery';
import type { AlertEngine } from '../../alerts/engine';
import { MaintenanceControl } from '../../alerts/maintenance-control';
import { compileNamePattern } from '../../alerts/patterns';
import { LOCAL_HOST } from '../../alerts/types';
import type { Clock } from '../../clock';
import type { UpdateCheckPort } from '../../adapters/docker/update-checker';
import type { ReportConfig } from '../../config/report';
import type { AlertsConfig, MonitorConfig } from '../../config/types';
import type { HistoryService } from '../../history/service';
import type { Feature } from '../../features/feature';
import { component, type Component } from '../../lifecycle';
import type { Logger } from '../../log/logger';
import type { AuditLog } from '../../security/second-factor';
import type { StateStore } from '../../state/json-store';
import type { Sender } from '../../telegram/sender';
import { sanitiseLog } from '../../views/docker-logs';
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
  /** Scheduled reports are sent (and their charts) through it. */
  sender: Pick<Sender, 'send' | 'edit' | 'sendPhoto'>;
  /** The core's alert engine (src/app-alerts.ts), shared with the fleet's remote hosts. */
  engine: AlertEngine;
  /** For reports: disk forecasts and a chart when history is on; image updates. */
  history?: Pick<HistoryService, 'chart' | 'forecast'>;
  updates?: UpdateCheckPort;
  store: StateStore;
  clock: Clock;
  log: Logger;
  /** The Logs screen's sanitising, applied to quoted log lines and health output. */
  sanitise: (text: string) => string;
  /** Intended container changes (image updates) that must not alert. */
  expected?: ExpectedChanges;
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
 * The monitor plugin: Docker events from every host, host conditions and the maintenance
 * switch for scripts, feeding the core's alert engine, behind one feature.
 */
export function createMonitorPlugin(deps: MonitorPluginDeps): {
  feature: Feature;
  components: Component[];
} {
  const { monitor: m, alerts, engine, clock, store, log } = deps;
  const targets = alertTargets(deps.globalChatIds, alerts);
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
    // Started in this order, stopped in reverse; the engine (a core component) outlives them all.
    components: [
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
      engine: ctx.alerts(),
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
