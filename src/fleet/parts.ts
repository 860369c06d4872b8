import type { MiddlewareFn, Context } from 'telegraf';
import type { AlertEngine } from '../alerts/engine';
import type { DockerPort } from '../adapters/docker/port';
import type { SystemPort } from '../adapters/system/system-port';
import type { Clock } from '../clock';
import type { Config } from '../config/types';
import { component, type Component } from '../lifecycle';
import type { Logger } from '../log/logger';
import type { SecondFactor } from '../features/second-factor';
import type { StateStore } from '../state/json-store';
import type { Req } from '../telegram/request';
import type { Sender } from '../telegram/sender';
import type { WebhookObserver } from '../webhook/server';
import type { BotMetrics } from './bot-metrics';
import { fleetFeature, type FleetRuntime } from './feature';
import type { setupFleet } from './setup';

export interface FleetPartsDeps {
  readonly config: Config;
  readonly system: SystemPort;
  readonly docker: DockerPort;
  readonly sender: Sender;
  readonly secondFactor: SecondFactor;
  /** The core's alert engine, asked for only when remote hosts are configured. */
  readonly alerts: () => AlertEngine;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly log: Logger;
}

/** What app.ts adds when a fleet part is configured. */
export interface FleetParts {
  readonly feature: ReturnType<typeof fleetFeature>;
  /** Optional: a failing receiver or /metrics port never stops the bot. */
  readonly component: Component;
  /** The Server / Quick view host picker; undefined without remote hosts. */
  readonly picker: ((req: Req, target: 'server' | 'quick') => Promise<boolean>) | undefined;
  /** Counts updates and times replies for /metrics (a pass-through until the endpoint runs). */
  readonly middleware: MiddlewareFn<Context>;
  /** Counts the Telegram webhook's refusals and bans for /metrics. */
  readonly webhookObserver: WebhookObserver;
  /** Counts Bot API errors by code for /metrics. */
  readonly telegramError: (code: number) => void;
}

/**
 * The fleet's routes now, its engines (HTTP clients and servers, parsers, the watch, /metrics)
 * at the first use or at start, from src/fleet/setup.ts. Built only when one is configured (`fleetConfigured` in src/app-parts.ts).
 */
export function fleetParts(d: FleetPartsDeps): FleetParts {
  const fc = d.config.fleet;
  const log = d.log.child('fleet');
  const startedAt = d.clock.now();
  // Remote hosts alert through the core's engine (built now, so its buttons are routed).
  const alerts =
    fc.hosts.length > 0
      ? { engine: d.alerts(), conditions: d.config.alerts.conditions }
      : undefined;
  let loading: Promise<ReturnType<typeof setupFleet>> | undefined;
  let metrics: BotMetrics | undefined;
  const runtime = (): Promise<ReturnType<typeof setupFleet>> => {
    loading ??= import('./setup').then(({ setupFleet }) => {
      const built = setupFleet({
        config: fc,
        thresholds: d.config.plugins.monitor.thresholds,
        system: d.system,
        docker: d.docker,
        sender: d.sender,
        chatIds: d.config.adminChatIds,
        alerts,
        adminIds: d.config.access.adminIds,
        store: d.store,
        clock: d.clock,
        log,
        startedAt,
      });
      metrics = built.metrics;
      return built;
    });
    return loading;
  };
  const feature = fleetFeature({
    runtime: (): Promise<FleetRuntime> => runtime(),
    pageSize: fc.pageSize,
    silencing: fc.receiver !== undefined && fc.alertmanager !== undefined,
    secondFactor: d.secondFactor,
    clock: d.clock,
    log,
  });
  return {
    feature,
    component: component('fleet', {
      required: false,
      start: async () => {
        for (const b of (await runtime()).background) await b.start();
      },
      stop: async () => {
        if (loading === undefined) return;
        for (const b of [...(await loading).background].reverse()) await b.stop();
      },
    }),
    picker: fc.hosts.length > 0 ? (req, target) => feature.pick(req, target) : undefined,
    webhookObserver: {
      rejected: (reason) => metrics?.webhookRejections.inc({ endpoint: 'telegram', reason }),
      banned: () => metrics?.bans.inc(),
    },
    telegramError: (code) => metrics?.telegramErrors.inc({ code: String(code) }),
    middleware: async (ctx, next) => {
      const m = metrics;
      if (m === undefined) return next();
      const t0 = performance.now();
      m.updates.inc({ kind: ctx.updateType });
      try {
        await next();
      } finally {
        m.replySeconds.observe((performance.now() - t0) / 1000);
      }
    },
  };
}
