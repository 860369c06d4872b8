/**
 * setWebhook / deleteWebhook / getWebhookInfo and delivery: one update at a time, the secret
 * header, retries with capped backoff on failure (recorded as last_error_*), and telegraf's
 * webhookReply executed from a 2xx body. A failed delivery never becomes an unhandled rejection.
 */
import type http from 'node:http';
import type { WebhookInfo } from '@telegraf/types';
import { ApiError, TG_ERRORS } from './errors';
import type { Clock } from '../../clock';
import { isLoopbackHost, isRecord, nowSec, optBool, optNum, optStr } from './params';
import type { UpdateQueue } from './updates';
import { postUpdate } from './webhook-post';
import type { ApiCall, EmulatorEvent, Params } from './types';

interface WebhookState {
  url: string;
  secret_token?: string;
  max_connections?: number;
}

/** What delivery needs from the server. */
export interface WebhookHost {
  emit(event: EmulatorEvent): void;
  record(call: ApiCall): void;
  sleep(ms: number): Promise<void>;
  stopped(): boolean;
  /** Runs a Bot API method by its canonical name (undefined: unknown method). */
  canonical(method: string): string | undefined;
  run(method: string, params: Params): unknown;
  clock: Clock;
}

/** Options of delivery (see EmulatorOptions). */
export interface WebhookOptions {
  retryMs: number;
  timeoutMs: number;
  localAddress: string | undefined;
}

/** The registered webhook and its delivery loop. */
export class Webhook {
  private webhook: WebhookState | undefined;
  private lastError: { date: number; message: string } | undefined;
  private target: string | undefined;
  private localAddress: string | undefined;
  private delivering = false;
  /** Webhook requests in flight (destroyed at stop). */
  readonly outgoing = new Set<http.ClientRequest>();

  constructor(
    private readonly queue: UpdateQueue,
    private readonly host: WebhookHost,
    private readonly opts: WebhookOptions,
  ) {
    this.localAddress = opts.localAddress;
  }

  /** True while a webhook URL is registered. */
  get active(): boolean {
    return this.webhook !== undefined;
  }

  /** setWebhook: https (ports 80, 88, 443, 8443) or http on loopback; an empty url deletes. */
  set(p: Params): true {
    const url = optStr(p, 'url') ?? '';
    if (url === '') return this.delete(p);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ApiError(
        400,
        'Bad Request: bad webhook: Failed to resolve host: Name or service not known',
      );
    }
    if (u.protocol === 'http:' && !isLoopbackHost(u.hostname))
      throw new ApiError(400, TG_ERRORS.webhookHttps);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new ApiError(400, TG_ERRORS.webhookHttps);
    if (u.protocol === 'https:' && !['', '80', '88', '443', '8443'].includes(u.port))
      throw new ApiError(400, TG_ERRORS.webhookPort);
    if (optBool(p, 'drop_pending_updates')) this.queue.dropPending();
    this.queue.setAllowed(p);
    const secret = optStr(p, 'secret_token');
    const max = optNum(p, 'max_connections');
    if (this.webhook?.url !== url) this.lastError = undefined;
    this.webhook = {
      url,
      ...(secret !== undefined && { secret_token: secret }),
      max_connections: max ?? 40,
    };
    this.queue.endHeldPoll(new ApiError(409, TG_ERRORS.conflictWebhook));
    this.kick();
    return true;
  }

  /** deleteWebhook. */
  delete(p: Params): true {
    if (optBool(p, 'drop_pending_updates')) this.queue.dropPending();
    this.webhook = undefined;
    this.lastError = undefined;
    return true;
  }

  /** Forgets the webhook, its errors and the delivery override. */
  reset(): void {
    this.webhook = undefined;
    this.lastError = undefined;
    this.target = undefined;
    this.localAddress = this.opts.localAddress;
  }

  /**
   * Redirects delivery: scheme, host and port of the registered URL are replaced by `url`'s, the
   * path is kept. Only http loopback targets. `null` clears the override.
   */
  setTarget(url: string | null, opts: { localAddress?: string } = {}): void {
    if (opts.localAddress !== undefined) this.localAddress = opts.localAddress;
    if (url === null) {
      this.target = undefined;
      return;
    }
    const u = new URL(url);
    if (u.protocol !== 'http:' || !isLoopbackHost(u.hostname)) {
      throw new Error(
        `setWebhookTarget: only http://127.x.x.x or http://[::1] targets, got ${url}`,
      );
    }
    this.target = u.origin;
    this.kick();
  }

  /** Current webhook state as getWebhookInfo answers it, plus the secret. */
  info(): WebhookInfo & { secret_token?: string } {
    const info: WebhookInfo & { secret_token?: string } = {
      url: this.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.pending.length,
    };
    if (this.webhook) {
      if (this.lastError) {
        info.last_error_date = this.lastError.date;
        info.last_error_message = this.lastError.message;
      }
      if (this.webhook.max_connections !== undefined)
        info.max_connections = this.webhook.max_connections;
      const allowed = this.queue.allowedUpdates;
      if (allowed) info.allowed_updates = [...allowed];
      if (this.webhook.secret_token !== undefined) info.secret_token = this.webhook.secret_token;
    }
    return info;
  }

  /** Starts the delivery loop unless it runs or no webhook is set. */
  kick(): void {
    if (this.delivering || !this.webhook || this.host.stopped()) return;
    this.delivering = true;
    this.deliveryLoop().catch((err: unknown) => {
      this.delivering = false;
      this.host.emit({
        type: 'emulator_error',
        at: this.host.clock.now(),
        message: `webhook loop: ${String(err)}`,
      });
    });
  }

  /** Where the registered URL is delivered: the override's origin + the registered path. */
  private deliveryUrl(): URL | undefined {
    if (!this.webhook) return undefined;
    const registered = new URL(this.webhook.url);
    if (this.target) return new URL(registered.pathname + registered.search, this.target);
    return registered.protocol === 'http:' && isLoopbackHost(registered.hostname)
      ? registered
      : undefined;
  }

  private async deliveryLoop(): Promise<void> {
    const base = this.opts.retryMs;
    let backoff = base;
    try {
      for (;;) {
        if (this.host.stopped() || !this.webhook) return;
        const update = this.queue.deliverable(1)[0];
        if (!update) return;
        const target = this.deliveryUrl();
        if (!target) {
          this.lastError = {
            date: nowSec(this.host.clock),
            message: 'emulator: no loopback delivery target; call setWebhookTarget()',
          };
          return;
        }
        const outcome = await postUpdate(
          target,
          update,
          this.webhook.secret_token,
          { timeoutMs: this.opts.timeoutMs, localAddress: this.localAddress },
          this.outgoing,
        );
        this.host.emit({
          type: 'webhook_delivery',
          at: this.host.clock.now(),
          updateId: update.update_id,
          ok: outcome.ok,
          ...(outcome.status !== undefined && { status: outcome.status }),
          ...(outcome.error !== undefined && { error: outcome.error }),
        });
        if (outcome.ok) {
          backoff = base;
          this.queue.remove(update);
          this.runWebhookReply(outcome.body);
          continue;
        }
        if (this.webhook)
          this.lastError = {
            date: nowSec(this.host.clock),
            message: outcome.error ?? 'unknown error',
          };
        await this.host.sleep(backoff);
        backoff = Math.min(backoff * 2, base * 20);
      }
    } finally {
      this.delivering = false;
    }
  }

  /** Executes a `{method, ...}` webhook reply body the way Telegram does (errors are swallowed). */
  private runWebhookReply(body: string | undefined): void {
    if (!body || !body.trimStart().startsWith('{')) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return;
    }
    if (!isRecord(parsed) || typeof parsed['method'] !== 'string') return;
    const { method: raw, ...params } = parsed;
    const method = this.host.canonical(String(raw));
    this.host.record({
      method: method ?? String(raw),
      params,
      at: this.host.clock.now(),
      via: 'webhook_reply',
    });
    if (!method || method === 'getUpdates') return;
    try {
      this.host.run(method, params);
    } catch (err) {
      this.host.emit({
        type: 'emulator_error',
        at: this.host.clock.now(),
        message: `webhook reply ${method}: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
}
