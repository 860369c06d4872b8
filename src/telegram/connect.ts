import type { UserFromGetMe } from 'telegraf/types';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { classifyTelegramFailure } from './api-errors';
import { DEFAULT_POLLING } from './polling';

export interface ConnectOptions {
  /** One getMe attempt may take this long before it counts as failed. */
  attemptTimeoutMs: number;
  /** Waits between attempts: `initialMs * 2^attempt`, at most `maxMs` (429 waits as told). */
  backoff: { initialMs: number; maxMs: number };
}

export const DEFAULT_CONNECT: ConnectOptions = {
  attemptTimeoutMs: 30_000,
  backoff: DEFAULT_POLLING.backoff,
};

/** getMe, bounded by `signal`. */
export type GetMe = (signal: AbortSignal) => Promise<UserFromGetMe>;

/**
 * Asks Telegram who we are until it answers: network errors and 5xx back off (capped),
 * 429 waits `retry_after`, 401/404/409 throw {@link FatalTelegramError} (the poller's
 * classifier). Resolves undefined when `signal` aborts first (a stop during start-up).
 */
export async function connectToTelegram(
  getMe: GetMe,
  deps: { clock: Clock; log: Logger; signal: AbortSignal; options?: ConnectOptions },
): Promise<UserFromGetMe | undefined> {
  const { clock, log, signal } = deps;
  const options = deps.options ?? DEFAULT_CONNECT;
  for (let attempt = 1; !signal.aborted; attempt++) {
    const attemptAbort = new AbortController();
    const timer = clock.setTimeout(() => attemptAbort.abort(), options.attemptTimeoutMs);
    try {
      return await getMe(AbortSignal.any([signal, attemptAbort.signal]));
    } catch (err) {
      if (signal.aborted) break;
      const decision = classifyTelegramFailure(err);
      if (decision.kind === 'fatal') throw decision.error;
      const wait =
        decision.kind === 'retry-after'
          ? decision.ms
          : Math.min(options.backoff.initialMs * 2 ** attempt, options.backoff.maxMs);
      log.warn(
        `cannot reach the Telegram Bot API (attempt ${attempt}); retrying in ${wait / 1000}s`,
        { error: err },
      );
      await clock.sleep(wait, signal);
    } finally {
      timer.cancel();
    }
  }
  return undefined;
}
