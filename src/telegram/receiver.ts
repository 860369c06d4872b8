import type { Telegram } from 'telegraf';
import { FatalTelegramError } from '../errors';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Dispatcher } from './dispatcher';
import { classifyTelegramFailure, DEFAULT_POLLING, Poller } from './polling';
import type { UpdateSource } from './update-source';

export interface ReceiverDeps {
  telegram: Telegram;
  dispatcher: Dispatcher;
  /** Long-poll timeout of getUpdates. */
  pollTimeoutSeconds: number;
  clock: Clock;
  /** Builds the webhook receiver when webhook mode is asked for; undefined: polling. */
  webhook: (() => UpdateSource & { start(): Promise<string> }) | undefined;
  log: Logger;
}

/**
 * How updates arrive: webhook mode when asked and it can be set up, else long polling
 * (commands sent while the bot was down are dropped). `finished` settles when the
 * source ends; it rejects with {@link FatalTelegramError} on 401/409.
 */
export class UpdateReceiver {
  private source: UpdateSource;
  private webhookFailed = false;
  private running = false;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: unknown) => void;
  readonly finished = new Promise<void>((resolve, reject) => {
    this.resolveFinished = resolve;
    this.rejectFinished = reject;
  });

  constructor(private readonly deps: ReceiverDeps) {
    this.source = new Poller(
      deps.telegram,
      (u) => deps.dispatcher.enqueue(u),
      deps.log,
      deps.clock,
      {
        ...DEFAULT_POLLING,
        timeoutSeconds: deps.pollTimeoutSeconds,
      },
    );
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

  /** What the update-loop health check names. */
  what(): string {
    if (this.source.kind === 'webhook') return 'webhook delivery or check';
    return this.webhookFailed ? 'getUpdates (the webhook could not be set up)' : 'getUpdates';
  }

  /** Sets up webhook mode if asked (falling back to polling on a failure polling survives). */
  async prepare(): Promise<void> {
    if (this.deps.webhook !== undefined && (await this.tryWebhook(this.deps.webhook()))) return;
    // Commands sent while the bot was down are stale (a "restart" from hours ago): drop them.
    try {
      await this.deps.telegram.deleteWebhook({ drop_pending_updates: true });
    } catch (err) {
      const decision = classifyTelegramFailure(err);
      if (decision.kind === 'fatal') throw decision.error;
      this.deps.log.warn('could not clear pending updates', { error: err });
    }
  }

  private async tryWebhook(webhook: UpdateSource & { start(): Promise<string> }): Promise<boolean> {
    try {
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
    this.source.run().then(this.resolveFinished, (err: unknown) => {
      if (err instanceof FatalTelegramError) this.deps.log.error(err.message);
      this.rejectFinished(err);
    });
  }

  /** Stops receiving and waits (bounded) for updates in progress. */
  async stop(graceMs: number): Promise<void> {
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
