/**
 * The update queue of the embedded Bot API server and getUpdates long polling with Telegram's
 * rules: offset confirms, negative offsets count from the end, limit 1-100, a held poll answers
 * as soon as an update arrives, a second poll ends the first with 409, and `allowed_updates`
 * persists across calls.
 */
import type http from 'node:http';
import type { Clock, Timer } from '../../clock';
import { ApiError, TG_ERRORS } from './errors';
import { optJson, optNum, updateType } from './params';
import type { EmulatorEvent, Params, RawUpdate } from './types';

// Telegram's default when allowed_updates is []: everything but these.
const NOT_DEFAULT_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

interface HeldPoll {
  res: http.ServerResponse;
  limit: number;
  timer: Timer;
}

/** How the queue answers HTTP requests and reports events (owned by the server). */
export interface UpdateQueueHost {
  emit(event: EmulatorEvent): void;
  send(res: http.ServerResponse, status: number, body: unknown): void;
  reply(res: http.ServerResponse, err: ApiError): void;
  /** getUpdates is refused while a webhook is set. */
  webhookActive(): boolean;
  clock: Clock;
}

/** Updates waiting for the bot, delivered at least once until an offset confirms them. */
export class UpdateQueue {
  private queue: RawUpdate[] = [];
  private nextUpdateId = 1;
  private allowed: string[] | null = null;
  private held: HeldPoll | undefined;

  constructor(private readonly host: UpdateQueueHost) {}

  /** Updates queued and not yet confirmed. */
  get pending(): readonly RawUpdate[] {
    return this.queue;
  }

  /** The allowed_updates setting in force (null: Telegram's default set). */
  get allowedUpdates(): readonly string[] | null {
    return this.allowed;
  }

  /** Queues an update (update_id assigned when missing) and answers a held poll. */
  push(raw: Record<string, unknown>): RawUpdate {
    const id = typeof raw['update_id'] === 'number' ? raw['update_id'] : this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, id + 1);
    const update: RawUpdate = { ...raw, update_id: id };
    this.queue.push(update);
    this.host.emit({ type: 'update', at: this.host.clock.now(), update });
    this.flushHeldPoll();
    return update;
  }

  /** Removes one delivered update (webhook delivery confirms by a 2xx answer). */
  remove(update: RawUpdate): void {
    this.queue = this.queue.filter((u) => u !== update);
  }

  /** Drops every pending update (drop_pending_updates). */
  dropPending(): void {
    this.queue = [];
  }

  /** Applies an `allowed_updates` parameter: omitted keeps the setting, [] restores the default. */
  setAllowed(p: Params): void {
    const allowed = optJson(p, 'allowed_updates');
    if (Array.isArray(allowed)) this.allowed = allowed.length ? allowed.map(String) : null;
  }

  /** Forgets queue and settings; update ids keep counting so a client's offset stays valid. */
  reset(): void {
    this.queue = [];
    this.allowed = null;
  }

  /** Drops updates the bot did not subscribe to and returns up to `limit` deliverable ones. */
  deliverable(limit: number): RawUpdate[] {
    this.queue = this.queue.filter((u) => this.isAllowed(u));
    return this.queue.slice(0, limit);
  }

  /** Answers a held long poll with `err` (another poll, a webhook set, shutdown). */
  endHeldPoll(err: ApiError | undefined): void {
    const old = this.held;
    if (!old) return;
    this.held = undefined;
    old.timer.cancel();
    if (err) this.host.reply(old.res, err);
  }

  /** getUpdates: answers at once when updates are ready or timeout is 0, else holds the request. */
  getUpdates(p: Params, res: http.ServerResponse): void {
    if (this.host.webhookActive()) throw new ApiError(409, TG_ERRORS.conflictWebhook);
    this.confirm(optNum(p, 'offset') ?? 0);
    this.setAllowed(p);
    const limit = Math.min(100, Math.max(1, optNum(p, 'limit') ?? 100));
    const timeout = Math.max(0, optNum(p, 'timeout') ?? 0);
    this.endHeldPoll(new ApiError(409, TG_ERRORS.conflictPolling));
    const batch = this.deliverable(limit);
    if (batch.length > 0 || timeout === 0)
      return this.host.send(res, 200, { ok: true, result: batch });
    const held: HeldPoll = {
      res,
      limit,
      timer: this.host.clock.setTimeout(() => {
        if (this.held !== held) return;
        this.held = undefined;
        this.host.send(res, 200, { ok: true, result: this.deliverable(limit) });
      }, timeout * 1000),
    };
    this.held = held;
    // A client abort must not lose updates: they stay queued until an offset confirms them.
    res.on('close', () => {
      if (this.held === held) {
        held.timer.cancel();
        this.held = undefined;
      }
    });
  }

  private confirm(offset: number): void {
    if (offset > 0) {
      const before = this.queue.length;
      this.queue = this.queue.filter((u) => u.update_id >= offset);
      if (this.queue.length !== before)
        this.host.emit({ type: 'confirmed', at: this.host.clock.now(), offset });
    } else if (offset < 0) {
      this.queue = this.queue.slice(offset);
    }
  }

  private isAllowed(u: RawUpdate): boolean {
    const type = updateType(u);
    return this.allowed ? this.allowed.includes(type) : !NOT_DEFAULT_UPDATES.has(type);
  }

  private flushHeldPoll(): void {
    const held = this.held;
    if (!held) return;
    const batch = this.deliverable(held.limit);
    if (batch.length === 0) return;
    this.held = undefined;
    held.timer.cancel();
    this.host.send(held.res, 200, { ok: true, result: batch });
  }
}
