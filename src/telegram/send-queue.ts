import type { View } from '../views/view';
import type { SendOptions, Sender, SentMessage } from './sender';

/** Which lane a Bot API call waits in. */
export type SendLane = 'priority' | 'bulk';

/** Bounds of the send queue. */
export interface SendLaneLimits {
  /** Bot API calls in flight at once, both lanes together. */
  readonly slots: number;
  /** Of those, at most this many carry bulk traffic: the rest stay free for the priority lane. */
  readonly bulkSlots: number;
  /** Bulk calls waiting beyond this many are refused at once (memory stays flat under a flood). */
  readonly maxBulkQueued: number;
}

export const DEFAULT_SEND_LANES: SendLaneLimits = { slots: 8, bulkSlots: 4, maxBulkQueued: 2000 };

/** A bulk call refused because its lane is full. */
export class SendQueueFullError extends Error {
  readonly code = 'E_SEND_QUEUE_FULL';
  constructor() {
    super('the bulk send queue is full; message dropped');
  }
}

/**
 * The send queue in front of the Bot API. Calls for the people the bot serves (allowed users,
 * admin and allowed chats, callback answers) go in the priority lane; replies to strangers and
 * bulk traffic (alerts, digests, notices: `bulk: true`) in the bulk lane. A free slot always takes
 * priority work first, and bulk work never holds more than `bulkSlots` of the `slots`, so an
 * owner's reply is never queued behind a crowd of strangers or an alert storm, even while those
 * calls sit out Telegram's 429 `retry_after` inside their slot.
 */
export class PrioritySender implements Sender {
  private inFlight = 0;
  private bulkInFlight = 0;
  private readonly waiting: Record<SendLane, (() => void)[]> = { priority: [], bulk: [] };

  constructor(
    private readonly inner: Sender & { onApiError?: ((code: number) => void) | undefined },
    private readonly isPriorityChat: (chatId: number) => boolean,
    private readonly limits: SendLaneLimits = DEFAULT_SEND_LANES,
  ) {}

  /** Told the code of every Bot API error (forwarded to the sender that sees them). */
  set onApiError(fn: ((code: number) => void) | undefined) {
    this.inner.onApiError = fn;
  }

  /** Calls waiting per lane (not yet in flight). */
  queued(lane: SendLane): number {
    return this.waiting[lane].length;
  }

  private lane(chatId: number, options: SendOptions | undefined): SendLane {
    return options?.bulk !== true && this.isPriorityChat(chatId) ? 'priority' : 'bulk';
  }

  private run<T>(lane: SendLane, call: () => Promise<T>): Promise<T> {
    if (lane === 'bulk' && this.waiting.bulk.length >= this.limits.maxBulkQueued) {
      return Promise.reject(new SendQueueFullError());
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting[lane].push(() => {
        this.inFlight++;
        if (lane === 'bulk') this.bulkInFlight++;
        call()
          .then(resolve, reject)
          .finally(() => {
            this.inFlight--;
            if (lane === 'bulk') this.bulkInFlight--;
            this.pump();
          });
      });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.slots) {
      const next =
        this.waiting.priority.shift() ??
        (this.bulkInFlight < this.limits.bulkSlots ? this.waiting.bulk.shift() : undefined);
      if (next === undefined) return;
      next();
    }
  }

  send(chatId: number, view: View, options?: SendOptions): Promise<SentMessage> {
    return this.run(this.lane(chatId, options), () => this.inner.send(chatId, view, options));
  }

  edit(
    chatId: number,
    messageId: number,
    view: View,
    options?: SendOptions,
  ): Promise<'edited' | 'unchanged'> {
    return this.run(this.lane(chatId, options), () =>
      this.inner.edit(chatId, messageId, view, options),
    );
  }

  /** Answers stop a spinner someone is looking at: always the priority lane. */
  answer(callbackQueryId: string, text?: string, alert?: boolean): Promise<void> {
    return this.run('priority', () => this.inner.answer(callbackQueryId, text, alert));
  }

  delete(chatId: number, messageId: number): Promise<boolean> {
    return this.run(this.lane(chatId, undefined), () => this.inner.delete(chatId, messageId));
  }

  sendPhoto(
    chatId: number,
    png: Buffer,
    caption: View,
    options?: SendOptions & { spoiler?: boolean },
  ): Promise<SentMessage> {
    return this.run(this.lane(chatId, options), () =>
      this.inner.sendPhoto(chatId, png, caption, options),
    );
  }

  sendDocument(
    chatId: number,
    content: Buffer,
    filename: string,
    caption: View,
    options?: SendOptions,
  ): Promise<SentMessage> {
    return this.run(this.lane(chatId, options), () =>
      this.inner.sendDocument(chatId, content, filename, caption, options),
    );
  }

  editPhoto(
    chatId: number,
    messageId: number,
    png: Buffer,
    caption: View,
    options?: SendOptions,
  ): Promise<SentMessage> {
    return this.run(this.lane(chatId, options), () =>
      this.inner.editPhoto(chatId, messageId, png, caption, options),
    );
  }
}
