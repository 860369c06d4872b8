import type { DockerPort } from '../adapters/docker/port';
import type { SystemPort } from '../adapters/system/system-port';
import type { Clock } from '../clock';
import type { AlertEngine } from '../alerts/engine';
import type { AlertsConfig, FleetConfig, MonitorConfig } from '../config/types';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import type { Sender } from '../telegram/sender';
import { AlertmanagerClient } from './alertmanager-client';
import { AlertmanagerRelay } from './alertmanager-relay';
import { createBotMetrics, type BotMetrics } from './bot-metrics';
import { alertmanagerReceiver, metricsEndpoint } from './endpoints';
import type { HttpEndpoint } from './http-endpoint';
import type { FleetRuntime } from './feature';
import { Fleet } from './fleet';
import { FleetWatch } from './watch';

export interface FleetSetupDeps {
  readonly config: FleetConfig;
  readonly thresholds: MonitorConfig['thresholds'];
  readonly system: SystemPort;
  readonly docker: DockerPort | undefined;
  readonly sender: Sender;
  /** Where Alertmanager's alerts go. */
  readonly chatIds: readonly number[];
  /** Remote hosts' alerts: the core's engine and the conditions' debounce and hysteresis; with `hosts:` only. */
  readonly alerts:
    { readonly engine: AlertEngine; readonly conditions: AlertsConfig['conditions'] } | undefined;
  readonly adminIds: readonly number[];
  readonly store: StateStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly startedAt: number;
}

/** Screens reuse one read of every host for this long. */
const SCREEN_CACHE_MS = 5000;

/**
 * Builds the fleet parts the config asks for: remote hosts (screens + alert watch), the
 * Alertmanager receiver with its Silence buttons, and /metrics.
 */
export function setupFleet(deps: FleetSetupDeps): FleetRuntime & {
  metrics: BotMetrics | undefined;
  /** Parts that run in the background (alert watch, HTTP endpoints), in start order. */
  background: readonly { start(): void | Promise<void>; stop(): void | Promise<void> }[];
} {
  const { config, clock } = deps;
  const log = deps.log;
  const thresholds = {
    cpu: deps.thresholds.cpu,
    memory: deps.thresholds.memory,
    disk: deps.thresholds.disk,
  };
  const fleet = new Fleet({
    hosts: config.hosts,
    thresholds,
    warningMarginPercent: config.warningMarginPercent,
    clock,
    cacheMs: SCREEN_CACHE_MS,
  });
  const metrics =
    config.metrics !== undefined
      ? createBotMetrics({
          now: () => clock.now(),
          system: deps.system,
          docker: deps.docker,
          fleet: config.hosts.length > 0 ? fleet : undefined,
          startedAt: deps.startedAt,
        })
      : undefined;
  const counted = (severity: string, state: string): void =>
    metrics?.alerts.inc({ severity, state });
  const background: { start(): void | Promise<void>; stop(): void | Promise<void> }[] = [];
  if (deps.alerts !== undefined) {
    background.push(
      new FleetWatch({
        read: () => fleet.refresh(),
        clock,
        intervalMs: config.scrapeIntervalMs,
        unreachableAfter: config.unreachableAfter,
        thresholds,
        conditions: deps.alerts.conditions,
        engine: deps.alerts.engine,
        counted,
        log,
      }),
    );
  }
  let silences: FleetRuntime['silences'];
  if (config.receiver !== undefined) {
    const r = receiverParts(config.receiver, deps, counted, metrics);
    silences = r.silences;
    background.push(r.receiver);
  }
  if (config.metrics !== undefined && metrics !== undefined) {
    background.push(
      metricsEndpoint(config.metrics, metrics.registry, {
        rejected: (reason) => metrics.webhookRejections.inc({ endpoint: 'metrics', reason }),
        clock,
        log,
      }),
    );
  }
  return { fleet, silences, metrics, background };
}

/** The Alertmanager receiver, its relay to the chats and, with Alertmanager's API, the Silence buttons. */
function receiverParts(
  receiverConfig: NonNullable<FleetConfig['receiver']>,
  deps: FleetSetupDeps,
  counted: (severity: string, state: string) => void,
  metrics: BotMetrics | undefined,
): { receiver: HttpEndpoint; silences: FleetRuntime['silences'] } {
  const { clock, log, config } = deps;
  const am = config.alertmanager;
  const client = am !== undefined ? new AlertmanagerClient(am) : undefined;
  const relay = new AlertmanagerRelay({
    sender: deps.sender,
    chatIds: deps.chatIds,
    // Buttons are bound to one user: the chat's user in a private chat, else the first admin.
    buttonsFor: (chatId) => (chatId > 0 ? chatId : deps.adminIds[0]),
    alertmanager: client !== undefined && deps.adminIds.length > 0 ? client : undefined,
    store: deps.store,
    clock,
    log,
    counted,
  });
  return {
    silences:
      client !== undefined && am !== undefined
        ? { relay, client, privileged: am.privileged }
        : undefined,
    receiver: alertmanagerReceiver(receiverConfig, {
      deliver: (payload) => void relay.deliver(payload),
      rejected: (reason) => metrics?.webhookRejections.inc({ endpoint: 'alertmanager', reason }),
      clock,
      log,
    }),
  };
}
