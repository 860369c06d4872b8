import type { Telegraf } from 'telegraf';
import type { Clock } from '../clock';
import type { Feature } from '../features/feature';
import type { Logger } from '../log/logger';
import { AccessControl, type AccessPolicy } from '../security/access-control';
import type { StateStore } from '../state/json-store';
import { StrangerThrottle } from '../security/access-alerts';
import { strangerDigestView } from '../views/access';
import { accessGate } from './access-gate';
import type { AutoDeleteScheduler } from './auto-delete';
import type { CallbackStore } from './callback-store';
import { rateLimit, updateDedup, type RateLimitOptions } from './guards';
import type { Handler } from './request';
import { Router } from './router';
import { traceUpdates } from './trace';
import type { Sender } from './sender';

export interface PipelineDeps {
  sender: Sender;
  callbacks: CallbackStore;
  autoDelete: AutoDeleteScheduler;
  clock: Clock;
  store: StateStore;
  /** The root logger; the parts log under `router`, `access` and `ratelimit`. */
  log: Logger;
  botUsername: () => string | undefined;
  /** What a user sees for text no route matches. */
  fallback: Handler;
  /** Who may use the bot; the public commands come from the features' routes. */
  access: Omit<AccessPolicy, 'publicCommands'>;
  /** Per-user limit (`access_control.rate_limit`); pyTMBot's 8 per 10 s when omitted. */
  rateLimit?: RateLimitOptions;
}

/** The router with every feature's routes, and the access gate the chain runs through. */
export interface Pipeline {
  readonly router: Router;
  readonly access: AccessControl;
}

/**
 * Installs the features' routes and the middleware chain every update passes, in this order:
 * trace (id + duration) → update dedup → access control → per-user rate limit → router. The daemon and the unit
 * tests' pipeline both build it here, so the order has one home.
 */
export function installPipeline(
  bot: Telegraf,
  features: readonly Feature[],
  deps: PipelineDeps,
): Pipeline {
  const { sender, clock, log, botUsername } = deps;
  const router = new Router({
    sender,
    callbacks: deps.callbacks,
    autoDelete: deps.autoDelete,
    log: log.child('router'),
    botUsername,
    fallback: deps.fallback,
  });
  for (const f of features) f.install(router);
  const access = new AccessControl(
    { ...deps.access, publicCommands: router.publicCommands() },
    { store: deps.store, clock, log: log.child('access') },
  );
  bot.use(traceUpdates({ clock, log: log.child('updates') }));
  bot.use(updateDedup(clock));
  const alog = log.child('access');
  const throttle = new StrangerThrottle({
    clock,
    sendDigest: (digest) => {
      for (const chat of access.policy.adminChatIds) {
        sender
          .send(chat, strangerDigestView(digest), { silent: true })
          .catch((err: unknown) => alog.warn('could not send the access digest', { error: err }));
      }
    },
  });
  bot.use(accessGate(access, { sender, log: alog, botUsername, throttle }));
  bot.use(rateLimit({ clock, sender, log: log.child('ratelimit') }, deps.rateLimit));
  bot.use(router.middleware());
  return { router, access };
}
