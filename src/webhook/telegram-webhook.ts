import { setFlagsFromString } from 'node:v8';
import type { Telegram } from 'telegraf';
import type { Clock } from '../clock';
import type { Config } from '../config/types';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import type { Dispatcher } from '../telegram/dispatcher';
import { DEFAULT_POLLING } from '../telegram/polling';
import type { WebhookObserver } from './server';
import { WebhookSource } from './webhook-source';

export interface TelegramWebhookDeps {
  telegram: Telegram;
  settings: Config['webhook'];
  listenHost: string;
  /** How often the registration is checked (the long-poll timeout: same liveness signal). */
  probeEveryMs: number;
  dispatcher: Pick<Dispatcher, 'saturated' | 'enqueue'>;
  addSecret: (secret: string) => void;
  clock: Clock;
  store: StateStore;
  log: Logger;
  observe?: WebhookObserver;
  /** Deliveries keep failing: the receiver falls back to long polling. */
  onLost?: (reason: string) => void;
}

/**
 * The webhook receiver wired to the Bot API (setWebhook / getWebhookInfo) and the
 * dispatcher: a delivery is refused while the dispatcher is saturated, so Telegram retries.
 */
export function telegramWebhook(deps: TelegramWebhookDeps): WebhookSource {
  const allowedUpdates = DEFAULT_POLLING.allowedUpdates;
  const { telegram, dispatcher } = deps;
  return new WebhookSource(
    {
      settings: deps.settings,
      listenHost: deps.listenHost,
      allowedUpdates,
      probeEveryMs: deps.probeEveryMs,
    },
    {
      api: {
        setWebhook: ({ url, certificate, ...extra }) =>
          telegram.setWebhook(url, {
            ...extra,
            allowed_updates: [...allowedUpdates],
            ...(certificate !== undefined ? { certificate: { source: certificate } } : {}),
          }),
        getWebhookInfo: () => telegram.getWebhookInfo(),
      },
      deliver: (update) => {
        if (dispatcher.saturated) return false;
        void dispatcher.enqueue(update);
        return true;
      },
      addSecret: deps.addSecret,
      // V8 reads this flag as it sizes the heap, so it can be switched while running.
      favourMemory: (on) =>
        setFlagsFromString(on ? '--optimize-for-size' : '--no-optimize-for-size'),
      clock: deps.clock,
      store: deps.store,
      log: deps.log,
      ...(deps.observe !== undefined ? { observe: deps.observe } : {}),
      ...(deps.onLost !== undefined ? { onLost: deps.onLost } : {}),
    },
  );
}
