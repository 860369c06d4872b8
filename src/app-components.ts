import type { Telegraf } from 'telegraf';
import { componentsChecker } from './health/checkers/components';
import type { Health } from './health/health';
import { component, type Component, type Lifecycle } from './lifecycle';
import type { Logger } from './log/logger';
import type { AccessControl } from './security/access-control';
import type { StateStore } from './state/json-store';
import type { Feature } from './features/feature';
import type { CallbackStore } from './telegram/callback-store';
import type { UpdateReceiver } from './telegram/receiver';
import type { Router } from './telegram/router';
import { botDescriptionTexts } from './views/menu';

/**
 * The state on disk. Started first (button tokens of the last run are valid again); stopped
 * last: what the others wrote reaches the disk.
 */
export function stateComponent(
  callbacks: CallbackStore,
  access: Pick<AccessControl, 'save'>,
  store: StateStore,
): Component {
  return component('state', {
    start: () => callbacks.load(),
    stop: async () => {
      await callbacks.save();
      await access.save();
      await store.flush();
    },
  });
}

/** Auto-delete, the host sampler and (optional: the bot runs on without it) the metric history. */
export function backgroundComponents(
  autoDelete: { start(): void; stop(): void | Promise<void> },
  system: { start(): void; stop(): void | Promise<void> },
  history: { start(): void | Promise<void>; stop(): void | Promise<void> } | undefined,
): Component[] {
  return [
    component('auto-delete', { start: () => autoDelete.start(), stop: () => autoDelete.stop() }),
    component('system', { start: () => system.start(), stop: () => system.stop() }),
    component('history', {
      required: false,
      start: () => history?.start(),
      stop: () => history?.stop(),
    }),
  ];
}

/** A feature's own start/stop as a component of the same name (required, as before). */
export function featureComponents(features: readonly Feature[]): Component[] {
  return features
    .filter((f) => f.start !== undefined || f.stop !== undefined)
    .map((f) =>
      component(f.name, {
        ...(f.start !== undefined ? { start: () => f.start?.() } : {}),
        ...(f.stop !== undefined ? { stop: () => f.stop?.() } : {}),
      }),
    );
}

/** The command menu and the bot's descriptions, set at start; a failure is only logged. */
export function commandsComponent(bot: Telegraf, router: Router, tlog: Logger): Component {
  return component('commands', {
    start: async () => {
      const texts = botDescriptionTexts();
      const steps: [string, () => Promise<unknown>][] = [
        ['command menu', () => bot.telegram.setMyCommands(router.commands())],
        ['description', () => bot.telegram.setMyDescription(texts.description)],
        ['short description', () => bot.telegram.setMyShortDescription(texts.short)],
      ];
      for (const [what, step] of steps)
        await step().catch((err: unknown) =>
          tlog.warn(`could not set the ${what}`, { error: err }),
        );
    },
  });
}

/** The update source: prepared (webhook set or polling chosen) then run; stopped within the grace. */
export function receiverComponent(receiver: UpdateReceiver, shutdownGraceMs: number): Component {
  return component('updates', {
    start: async () => {
      await receiver.prepare();
      receiver.run();
    },
    stop: () => receiver.stop(shutdownGraceMs),
  });
}

/** The health checks, started last: after the source is chosen (the first update-loop check names it); names what failed. */
export function healthComponent(health: Health, parts: Lifecycle, processMs: number): Component {
  return component('health', {
    start: () => {
      if (parts.failed.length > 0)
        health.monitor.register(componentsChecker(() => parts.failed, processMs));
      health.start();
    },
    stop: () => health.stop(),
  });
}
