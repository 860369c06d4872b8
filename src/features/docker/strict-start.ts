import type { Clock } from '../../clock';
import type { Logger } from '../../log/logger';

/** How long `docker.strict_access` waits for a slow engine at boot before failing the start. */
export const STRICT_START_BUDGET_MS = 30_000;
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 8000;

/**
 * The strict start-up ping: retried with doubling waits (1 s, 2 s, 4 s, 8 s, 8 s…) on the
 * injected clock until `budgetMs` is spent, then the last error is thrown.
 */
export async function awaitReachable(
  assertReachable: () => Promise<void>,
  clock: Clock,
  log: Logger,
  budgetMs = STRICT_START_BUDGET_MS,
): Promise<void> {
  const started = clock.now();
  let wait = FIRST_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await assertReachable();
      return;
    } catch (err) {
      const spent = clock.now() - started;
      if (spent + wait > budgetMs) throw err;
      log.warn('Docker not reachable yet, retrying', { attempt, retryInMs: wait, error: err });
      await clock.sleep(wait);
      wait = Math.min(MAX_WAIT_MS, wait * 2);
    }
  }
}
