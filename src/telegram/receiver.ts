import type { Telegram } from 'telegraf';
import { FatalTelegramError } from '../errors';
import { isoTime, type Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Dispatcher } from './dispatcher';
import { classifyTelegramFailure } from './api-errors';
import { DEFAULT_POLLING, Poller } from './polling';
import type { UpdateSource } from './update-source';

export interface ReceiverDeps {
  telegram: Telegram;
  dispatcher: Dispatcher;
  /** Long-poll timeout of getUpdates. */
  pollTimeoutSeconds: number;
  clock: Clock;
  /**
   * Builds the webhook receiver (loading its code) when webhook mode is asked for; undefined:
   * polling. It calls `onLost` when Telegram keeps failing to deliver, and the receiver falls
   * back to polling.
   */
  webhook:
    | ((onLost: (reason: string) => void) => Promise<UpdateSource & { start(): Promise<string> }>)
    | undefined;
  log: Logger;
}

/** deleteWebhook tries at a run-time fallback (1, 2, 4, 8 s apart). */
const DELETE_TRIES = 5;

/**
 * How updates arrive: webhook mode when asked and it can be set up, else long polling
 * (commands sent while the bot was down are dropped). A webhook that Telegram keeps failing
 * to deliver to is replaced by long polling while running (its waiting updates are kept).
 * `finished` settles when the source ends; it rejects with {@link FatalTelegramError} on 401/409.
 */
export class UpdateReceiver {
  private source: UpdateSource;
  private readonly poller: UpdateSource;
  private webhookFailed = false;
  /** When and why a running webhook was replaced by polling. */
  private fellBack: { at: number; reason: string } | undefined;
  private running = false;
  private stopping = false;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: unknown) => void;
  readonly finished = new Promise<void>((resolve, reject) => {
    this.resolveFinished = resolve;
    this.rejectFinished = reject;
  });

  constructor(private readonly deps: ReceiverDeps) {
    this.poller = new Poller(
      deps.telegram,
      (u) => deps.dispatcher.enqueue(u),
      deps.log,
      deps.clock,
      {
        ...DEFAULT_POLLING,
        timeoutSeconds: deps.pollTimeoutSeconds,
      },
    );
    this.source = this.poller;
    // The caller awaits `finished`; this keeps an early rejection from counting as unhandled.
    this.finished.catch(() => undefined);
  }

  get kind(): UpdateSource['kind'] {
    return this.source.kind;
  }

  /** When Telegram last proved it reaches us, for the update-loop health check. */
  get lastSuccessAt(): number {
    return this.source.lastSuccessAt;
  }

  /** What the update-loop health check names (the Health screen shows it). */
  what(): string {
    if (this.source.kind === 'webhook') return 'webhook delivery or check';
    if (this.fellBack !== undefined) {
      const at = isoTime(this.fellBack.at).slice(11, 16);
      return `getUpdates (the webhook stopped receiving at ${at} UTC, fell back to long polling: ${this.fellBack.reason})`;
    }
    return this.webhookFailed ? 'getUpdates (the webhook could not be set up)' : 'getUpdates';
  }

  /** Sets up webhook mode if asked (falling back to polling on a failure polling survives). */
  async prepare(): Promise<void> {
    if (this.deps.webhook !== undefined && (await this.tryWebhook(this.deps.webhook))) return;
    // Commands sent while the bot was down are stale (a "restart" from hours ago): drop them.
    try {
      await this.deps.telegram.deleteWebhook({ drop_pending_updates: true });
    } catch (err) {
      const decision = classifyTelegramFailure(err);
      if (decision.kind === 'fatal') throw decision.error;
      this.deps.log.warn('could not clear pending updates', { error: err });
    }
  }

  private async tryWebhook(build: NonNullable<ReceiverDeps['webhook']>): Promise<boolean> {
    try {
      const webhook = await build((reason) => void this.fallBack(reason));
      const where = await webhook.start();
      this.source = webhook;
      this.deps.log.info(`webhook registered: ${where}`);
      return true;
    } catch (err) {
      const decision = classifyTelegramFailure(err);
      if (decision.kind === 'fatal') throw decision.error;
      this.webhookFailed = true;
      this.deps.log.error('could not set up the webhook; falling back to long polling', {
        error: err,
      });
      return false;
    }
  }

  /** Starts receiving; `finished` follows the source. */
  run(): void {
    this.running = true;
    this.follow(this.source);
  }

  /** `finished` follows `source` for as long as it is the current one. */
  private follow(source: UpdateSource): void {
    source.run().then(
      () => {
        if (source === this.source) this.resolveFinished();
      },
      (err: unknown) => {
        if (source !== this.source) return;
        if (err instanceof FatalTelegramError) this.deps.log.error(err.message);
        this.rejectFinished(err);
      },
    );
  }

  /**
   * Replaces a running webhook by long polling: stops the webhook server, deletes the webhook
   * (keeping the updates Telegram holds, which getUpdates then hands over) and starts polling.
   */
  private async fallBack(reason: string): Promise<void> {
    if (this.source.kind !== 'webhook' || this.stopping) return;
    this.deps.log.warn(
      `the webhook stopped receiving: ${reason}; falling back to long polling (restart to try the webhook again)`,
    );
    this.fellBack = { at: this.deps.clock.now(), reason };
    const webhook = this.source;
    this.source = this.poller;
    webhook.stop();
    const deleted = await this.deleteWebhookKeepingUpdates();
    if (this.stopping) return this.resolveFinished();
    if (deleted !== true) return this.rejectFinished(deleted);
    if (this.running) this.follow(this.poller);
  }

  /**
   * deleteWebhook without dropping updates, tried {@link DELETE_TRIES} times with back-off on the
   * Clock: getUpdates would answer 409 while the webhook is still set. True, or why not.
   */
  private async deleteWebhookKeepingUpdates(): Promise<true | Error> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.telegram.deleteWebhook({ drop_pending_updates: false });
        return true;
      } catch (err) {
        const decision = classifyTelegramFailure(err);
        if (decision.kind === 'fatal') return decision.error;
        if (attempt >= DELETE_TRIES || this.stopping) {
          this.deps.log.error('could not delete the webhook to fall back to long polling', {
            error: err,
          });
          return err instanceof Error ? err : new Error(String(err));
        }
        await this.deps.clock.sleep(1000 * 2 ** (attempt - 1));
      }
    }
  }

  /** Stops receiving and waits (bounded) for updates in progress. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.source.stop();
    this.deps.dispatcher.close();
    const drained = await this.deps.dispatcher.drain(graceMs);
    if (!drained)
      this.deps.log.warn(
        `gave up waiting for ${this.deps.dispatcher.pending} update(s) still in progress`,
      );
  }

  /** Settles `finished` when the source never ran (a stop during start-up). */
  settleIfIdle(): void {
    if (!this.running) this.resolveFinished();
  }
}
