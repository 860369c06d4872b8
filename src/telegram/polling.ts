import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Clock } from '../clock';
import { classifyTelegramFailure } from './api-errors';
import { asTelegrafSignal } from './telegraf-signal';
import type { Logger } from '../log/logger';
import type { UpdateSource } from './update-source';

export interface PollingOptions {
  /** Long-poll timeout in seconds. */
  timeoutSeconds: number;
  allowedUpdates: readonly ('message' | 'callback_query' | 'edited_message')[];
  backoff: { initialMs: number; maxMs: number };
  /** How long past the long-poll timeout a silent getUpdates is waited for. */
  graceMs: number;
}

export const DEFAULT_POLLING: PollingOptions = {
  timeoutSeconds: 50,
  allowedUpdates: ['message', 'callback_query'],
  backoff: { initialMs: 1000, maxMs: 30_000 },
  graceMs: 15_000,
};

/** The offset confirmation at shutdown may not hold up the exit. */
const CONFIRM_TIMEOUT_MS = 2000;

/**
 * Our own long-polling loop (instead of telegraf's): it hands updates to the
 * dispatcher without waiting for handlers, backs off exponentially on network
 * errors and 5xx, stops at once when asked, and records when it last heard
 * from Telegram so the health check can tell a live loop from a dead one.
 */
export class Poller implements UpdateSource {
  readonly kind = 'polling';
  private readonly abort = new AbortController();
  private offset = 0;
  /** When getUpdates last answered successfully (ms). */
  lastSuccessAt = 0;
  /** Consecutive failures, for health. */
  failures = 0;

  constructor(
    private readonly telegram: Telegram,
    private readonly onUpdate: (update: Update) => Promise<void>,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly options: PollingOptions = DEFAULT_POLLING,
  ) {}

  stop(): void {
    this.abort.abort();
  }

  /** Runs until stop(); rejects with FatalTelegramError on 401/409. */
  async run(): Promise<void> {
    let delay = this.options.backoff.initialMs;
    while (!this.abort.signal.aborted) {
      let updates: Update[];
      try {
        updates = await this.telegram.callApi(
          'getUpdates',
          {
            timeout: this.options.timeoutSeconds,
            offset: this.offset,
            allowed_updates: [...this.options.allowedUpdates],
          },
          // A hung connection must not stall the loop forever: give up a while after the long-poll timeout.
          {
            signal: asTelegrafSignal(
              AbortSignal.any([
                this.abort.signal,
                AbortSignal.timeout(this.options.timeoutSeconds * 1000 + this.options.graceMs),
              ]),
            ),
          },
        );
      } catch (err) {
        if (this.abort.signal.aborted) break;
        const decision = classifyTelegramFailure(err);
        if (decision.kind === 'fatal') throw decision.error;
        this.failures++;
        const wait = decision.kind === 'retry-after' ? decision.ms : delay;
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.log.warn(
            `getUpdates failed (${this.failures}x); retrying in ${Math.round(wait / 1000)}s`,
            {
              error: err,
            },
          );
        }
        await this.clock.sleep(wait, this.abort.signal);
        if (decision.kind === 'backoff') delay = Math.min(delay * 2, this.options.backoff.maxMs);
        continue;
      }
      if (!Array.isArray(updates)) {
        // A malformed answer (`result: null`, an object) is a failure like a network error.
        this.failures++;
        this.log.warn(
          `getUpdates answered without a list of updates; retrying in ${Math.round(delay / 1000)}s`,
        );
        await this.clock.sleep(delay, this.abort.signal);
        delay = Math.min(delay * 2, this.options.backoff.maxMs);
        continue;
      }
      if (this.failures > 0) this.log.info('getUpdates recovered');
      this.failures = 0;
      delay = this.options.backoff.initialMs;
      this.lastSuccessAt = this.clock.now();
      for (const update of updates as unknown[]) {
        if (!isUpdateLike(update)) {
          this.log.warn('getUpdates returned an entry that is not an update; skipped');
          continue;
        }
        // Stopped while waiting for room: the rest stay with Telegram for the next start.
        if (this.abort.signal.aborted) break;
        this.offset = Math.max(this.offset, update.update_id + 1);
        await this.onUpdate(update);
      }
    }
    // Confirm what we handled so a restart does not see it again.
    if (this.offset > 0) {
      await this.telegram
        .callApi(
          'getUpdates',
          { offset: this.offset, limit: 1, timeout: 0 },
          { signal: asTelegrafSignal(AbortSignal.timeout(CONFIRM_TIMEOUT_MS)) },
        )
        .catch((err: unknown) =>
          this.log.debug('could not confirm the update offset', { error: err }),
        );
    }
  }
}

/** An object with a non-negative integer update_id (the rest is checked by the dispatcher). */
function isUpdateLike(value: unknown): value is Update {
  if (typeof value !== 'object' || value === null) return false;
  const id = (value as { update_id?: unknown }).update_id;
  return Number.isSafeInteger(id) && (id as number) >= 0;
}
