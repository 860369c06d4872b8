import type { Update } from 'telegraf/types';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { malformedUpdate } from './update-shape';

/**
 * Runs updates off the receive loop: one queue per chat (so a user's messages
 * keep their order) and chats in parallel (so a slow Docker call for one user
 * never holds up another). Bounded, so a flood applies back-pressure.
 */
export class Dispatcher {
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  /** Set by drain(): no update is taken or started any more (shutdown). */
  private closed = false;

  constructor(
    private readonly handle: (update: Update) => Promise<void>,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly maxInFlight = 256,
  ) {}

  private static chatKey(update: Update): string {
    const u = update as unknown as Partial<
      Record<
        string,
        { chat?: { id?: unknown }; message?: { chat?: { id?: unknown } }; from?: { id?: unknown } }
      >
    >;
    const body = u.message ?? u.edited_message ?? u.callback_query;
    const chatId = body?.chat?.id ?? body?.message?.chat?.id ?? body?.from?.id;
    return typeof chatId === 'number' ? `c${chatId}` : 'other';
  }

  /** Queues an update; resolves when there is room for more (back-pressure). */
  async enqueue(update: Update): Promise<void> {
    if (this.closed) return;
    const problem = malformedUpdate(update);
    if (problem !== undefined) {
      this.log.warn(`malformed update dropped: ${problem}`);
      return;
    }
    const key = Dispatcher.chatKey(update);
    this.inFlight++;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous
      .then(() => (this.closed ? undefined : this.handle(update)))
      .catch((err: unknown) =>
        this.log.error('update handling failed', { error: err, update: update.update_id }),
      )
      .finally(() => {
        this.inFlight--;
        if (this.chains.get(key) === run) this.chains.delete(key);
        this.waiters.shift()?.();
        if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
      });
    this.chains.set(key, run);
    if (this.inFlight >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Whether another update would have to wait for room (webhook mode answers 503 instead). */
  get saturated(): boolean {
    return this.inFlight >= this.maxInFlight;
  }

  /**
   * Shutdown: takes no more updates, drops those queued but not started, and releases a
   * receive loop waiting for room. `drain` then waits for the started ones.
   */
  close(): void {
    this.closed = true;
    this.waiters.splice(0).forEach((w) => w());
  }

  /** Waits until every queued update is handled, or `timeoutMs` passes; true when drained. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        timer.cancel();
        resolve(true);
      });
    });
  }
}
