/**
 * The alert engine, owned by the composition root: one engine (lifecycle, persisted state,
 * grouping, budget, maintenance, routing) for every source — the monitor plugin's host
 * conditions, Docker events and log patterns, and the fleet's remote hosts. Built when the
 * first source asks for it, so a bot with no alert source has none.
 */
import { alertTargets, type AlertMessenger, type AlertPolicy } from './alerts/delivery';
import { AlertEngine } from './alerts/engine';
import { LOCAL_HOST } from './alerts/types';
import type { Clock } from './clock';
import type { AlertsConfig, MonitorConfig } from './config/types';
import { alertButtonsFeature } from './features/alerts';
import type { Feature } from './features/feature';
import type { AlertChart } from './history/alert-chart';
import { component, type Component } from './lifecycle';
import type { Logger } from './log/logger';
import type { StateStore } from './state/json-store';
import type { Sender } from './telegram/sender';
import { chartCaption } from './views/history';

export interface AlertingDeps {
  /** pyTMBot's section: the notification budget (`max_notifications` per `reset_notification_count` s). */
  readonly monitor: Pick<MonitorConfig, 'maxNotifications' | 'resetNotificationSeconds'>;
  readonly alerts: AlertsConfig;
  /** chat_id.global_chat_id: every one receives alerts. */
  readonly globalChatIds: readonly number[];
  /** Alert buttons in a group belong to the first admin. */
  readonly adminIds: readonly number[];
  readonly sender: Pick<Sender, 'send' | 'edit' | 'sendPhoto'>;
  /** Draws an alert's last hour (history.alert_charts); absent: alerts go without charts. */
  readonly alertChart?: AlertChart | undefined;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The engine, the routes of its buttons, and its lifecycle (started before its sources, stopped after). */
export interface Alerting {
  readonly engine: AlertEngine;
  readonly feature: Feature;
  readonly component: Component;
}

/** Builds the engine and its parts (no I/O but reading the saved alert state). */
export function createAlerting(deps: AlertingDeps): Alerting {
  const { alerts, monitor: m, clock, store, log } = deps;
  const targets = alertTargets(deps.globalChatIds, alerts);
  if (targets.length === 0)
    log.warn('no global_chat_id or alerts.chat_id is configured; alerts have nowhere to go');
  const policy: AlertPolicy = {
    severity: alerts.severity,
    maxNotifications: m.maxNotifications,
    budgetWindowMs: m.resetNotificationSeconds * 1000,
    settleMs: alerts.settleMs,
    groupWindowMs: alerts.groupWindowMs,
    quietHours: alerts.quietHours,
    targets,
  };
  const messenger = alertMessenger(deps.sender, deps.adminIds, deps.alertChart);
  const engine = new AlertEngine({ policy, clock, store, messenger, log });
  return {
    engine,
    feature: alertButtonsFeature(engine, clock),
    // Optional, as it was inside the monitor plugin: the bot runs on without alerts.
    component: component('alerts', {
      required: false,
      start: () => engine.start(),
      stop: () => engine.stop(),
    }),
  };
}

/**
 * The engine on demand: `engine()` builds it at the first call (a source that is on);
 * `built()` is undefined when no source asked.
 */
export function lazyAlerting(deps: AlertingDeps): {
  engine: () => AlertEngine;
  built: () => Alerting | undefined;
} {
  let alerting: Alerting | undefined;
  return {
    engine: () => (alerting ??= createAlerting(deps)).engine,
    built: () => alerting,
  };
}

/** Sends and edits alerts (and follows them with charts); buttons belong to a user: the private chat's own user, or in a group the first admin. */
function alertMessenger(
  sender: AlertingDeps['sender'],
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
