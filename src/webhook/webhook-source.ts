import { readFileSync } from 'node:fs';
import type { Update } from 'telegraf/types';
import type { Clock, Timer } from '../clock';
import type { Config } from '../config/types';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import type { UpdateSource } from '../telegram/update-source';
import { CredentialSet, maskPath, newCredential, type WebhookCredential } from './credentials';
import { AddressSet, TELEGRAM_SOURCE_RANGES } from './ip';
import { FloodMode } from './flood-mode';
import { DEFAULT_IP_GUARD, IpGuard } from './ip-guard';
import { WebhookServer, type WebhookObserver } from './server';
import { DEFAULT_SOURCE_LIMITS, SourceLimits } from './source-limits';

/** setWebhook parameters, as the Bot API names them. */
export interface SetWebhookParams {
  url: string;
  secret_token: string;
  allowed_updates: readonly string[];
  max_connections: number;
  drop_pending_updates: boolean;
  /** Path of our certificate, uploaded when we serve TLS ourselves. */
  certificate?: string;
}

/** The part of the Bot API the webhook needs; one real implementation over telegraf in app.ts. */
export interface WebhookApi {
  setWebhook(params: SetWebhookParams): Promise<unknown>;
  getWebhookInfo(): Promise<{
    url?: string;
    pending_update_count: number;
    last_error_date?: number;
    last_error_message?: string;
  }>;
}

export interface WebhookSourceOptions {
  settings: Config['webhook'];
  /** Address to bind (`--socket-host`). */
  listenHost: string;
  allowedUpdates: readonly string[];
  /** How often getWebhookInfo confirms the registration (liveness when no updates arrive). */
  probeEveryMs?: number;
  /** Time given to requests in progress at stop. */
  closeGraceMs?: number;
  /** Probes in a row that find deliveries failing before the webhook counts as lost (3). */
  lostAfterProbes?: number;
}

export interface WebhookSourceDeps {
  api: WebhookApi;
  /** Hands an update to the bot; false when it is saturated. */
  deliver: (update: Update) => boolean;
  /** Registers a runtime secret with the log redactor. */
  addSecret: (secret: string) => void;
  /** Switches the process between favouring memory and speed (see FloodMode). */
  favourMemory: (on: boolean) => void;
  clock: Clock;
  store: StateStore;
  log: Logger;
  /** Counts refusals and bans (for /metrics). */
  observe?: WebhookObserver;
  /** Called once when Telegram keeps failing to deliver to us (the receiver falls back to polling). */
  onLost?: (reason: string) => void;
}

/** Registration failed in a way polling can survive (bad URL, setWebhook refused, port busy). */
export class WebhookSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookSetupError';
  }
}

const LABEL = /^[A-Za-z0-9-]{1,63}$/;

/** `webhook_config.url` may be written as a host or, pyTMBot-style, with a scheme and slash. */
function publicHost(url: string): string | undefined {
  const host = url
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '');
  return host.length <= 253 &&
    host.split('.').every((l) => LABEL.test(l) && !l.startsWith('-') && !l.endsWith('-'))
    ? host
    : undefined;
}

/**
 * Webhook mode: runs the hardened server, registers a random path and secret
 * with Telegram, rotates them after `rotation.afterRequests` accepted updates
 * (or on a timer) with a grace period for the old pair, and reports liveness.
 * The webhook is left registered at stop; the next start registers fresh credentials.
 */
export class WebhookSource implements UpdateSource {
  readonly kind = 'webhook';
  private lastOk = 0;
  private lastAcceptedAt = 0;
  private acceptedSinceRotation = 0;
  private rotating = false;
  private urlMismatchLogged = false;
  private failingProbes = 0;
  private lostReported = false;
  private readonly timers: Timer[] = [];
  private server: WebhookServer | undefined;
  /** Where the server listens once started. */
  bound: { host: string; port: number } | undefined;
  private credentials: CredentialSet | undefined;
  private base = '';
  private certificate: string | undefined;
  private finish: (() => void) | undefined;
  private readonly done: Promise<void>;
  private readonly log: Logger;
  private readonly flood: FloodMode;

  constructor(
    private readonly options: WebhookSourceOptions,
    private readonly deps: WebhookSourceDeps,
  ) {
    this.log = deps.log;
    this.flood = new FloodMode(deps.favourMemory, { clock: deps.clock, log: deps.log });
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  get lastSuccessAt(): number {
    return this.lastOk;
  }

  /** Listens and registers; throws WebhookSetupError (or the API's own error) when it cannot. */
  async start(): Promise<string> {
    const s = this.options.settings;
    const host = publicHost(s.url);
    if (host === undefined) {
      throw new WebhookSetupError(
        s.url === ''
          ? 'webhook_config.url is not set; put the public host name Telegram should call there'
          : 'webhook_config.url is not a host name (expected e.g. bot.example.com)',
      );
    }
    this.base = `https://${host}:${s.publicPort}`;
    const tls = this.loadTls();
    const credential = newCredential();
    this.remember(credential);
    this.credentials = new CredentialSet(credential, this.deps.clock);
    this.server = this.buildServer(tls, this.credentials);
    try {
      this.bound = await this.server.listen();
    } catch (err) {
      throw new WebhookSetupError(
        `cannot listen on ${this.options.listenHost}:${s.localPort} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        { cause: err },
      );
    }
    try {
      await this.register(credential, s.dropPendingUpdates);
    } catch (err) {
      await this.server.close(0);
      throw err;
    }
    this.lastOk = this.deps.clock.now();
    this.flood.start();
    const clock = this.deps.clock;
    this.timers.push(
      clock.setInterval(() => void this.probe(), this.options.probeEveryMs ?? 60_000),
    );
    if (s.rotation.intervalMs > 0) {
      this.timers.push(clock.setInterval(() => void this.rotate('timer'), s.rotation.intervalMs));
    }
    return `${this.base}${maskPath(credential)} (listening on ${this.bound.host}:${this.bound.port}, ${tls ? 'HTTPS' : 'plain HTTP'})`;
  }

  /** The HTTP(S) server with its guards: per-IP limits and bans, Telegram's source ranges, per-source limits. */
  private buildServer(
    tls: { cert: Buffer; key: Buffer } | undefined,
    credentials: CredentialSet,
  ): WebhookServer {
    const s = this.options.settings;
    const guard = new IpGuard(
      {
        ...DEFAULT_IP_GUARD,
        limit: s.rateLimit.limit,
        unknownPathLimit: s.rateLimit.unknownPathLimit,
        windowMs: s.rateLimit.windowMs,
        banThreshold: s.ban.threshold,
        banWindowMs: s.ban.windowMs,
        banMs: s.ban.durationMs,
      },
      { clock: this.deps.clock, store: this.deps.store, log: this.log },
    );
    const sources = new AddressSet([...TELEGRAM_SOURCE_RANGES, ...s.extraRanges]);
    const trustedProxies = new AddressSet(s.trustedProxies);
    const limits = new SourceLimits(
      { ...DEFAULT_SOURCE_LIMITS, windowMs: s.rateLimit.windowMs },
      { guard, sources, trustedProxies, clock: this.deps.clock },
    );
    return new WebhookServer(
      {
        host: this.options.listenHost,
        port: s.localPort,
        tls,
        requestTimeoutMs: s.requestTimeoutMs,
        keepAliveTimeoutMs: 5000,
        maxRequestsPerSocket: 1000,
        maxConnections: DEFAULT_SOURCE_LIMITS.maxConnections,
      },
      {
        credentials,
        guard,
        limits,
        sources,
        trustedProxies,
        deliver: this.deps.deliver,
        accepted: () => this.onAccepted(),
        connected: () => this.flood.connected(),
        clock: this.deps.clock,
        log: this.log,
        ...(this.deps.observe !== undefined ? { observe: this.deps.observe } : {}),
      },
    );
  }

  run(): Promise<void> {
    return this.done;
  }

  stop(): void {
    for (const t of this.timers.splice(0)) t.cancel();
    this.flood.stop();
    const server = this.server;
    this.server = undefined;
    void (server?.close(this.options.closeGraceMs ?? 2000) ?? Promise.resolve()).then(() =>
      this.finish?.(),
    );
  }

  /** Asks Telegram whether our URL is registered and deliveries are not failing; refreshes liveness. */
  async probe(): Promise<void> {
    // Mid-rotation Telegram may already hold the new URL: judge once the rotation settles.
    if (this.credentials === undefined || this.rotating) return;
    let info: Awaited<ReturnType<WebhookApi['getWebhookInfo']>>;
    try {
      info = await this.deps.api.getWebhookInfo();
    } catch (err) {
      this.log.debug('getWebhookInfo failed', { error: err });
      return;
    }
    if (info.url !== this.urlFor(this.credentials.active)) {
      if (!this.urlMismatchLogged) {
        this.log.warn(
          'Telegram no longer has our webhook URL registered (another instance or a manual change?)',
        );
        this.urlMismatchLogged = true;
      }
      return;
    }
    this.urlMismatchLogged = false;
    const failing =
      info.last_error_date !== undefined &&
      info.last_error_date * 1000 > this.lastAcceptedAt &&
      info.pending_update_count > 0;
    if (!failing) {
      this.failingProbes = 0;
      this.lastOk = Math.max(this.lastOk, this.deps.clock.now());
      return;
    }
    this.failingProbes++;
    if (this.failingProbes >= (this.options.lostAfterProbes ?? 3) && !this.lostReported) {
      this.lostReported = true;
      const last = info.last_error_message?.slice(0, 160);
      this.deps.onLost?.(
        `Telegram reported failed deliveries at ${this.failingProbes} checks in a row, ${info.pending_update_count} update(s) waiting${last ? ` (last error: ${last})` : ''}`,
      );
    }
  }

  /** Registers a new path and secret; the old pair stays valid for the grace period. */
  async rotate(reason: 'count' | 'timer'): Promise<void> {
    const credentials = this.credentials;
    if (credentials === undefined || this.rotating) return;
    this.rotating = true;
    this.acceptedSinceRotation = 0;
    const next = newCredential();
    this.remember(next);
    credentials.stage(next);
    try {
      await this.register(next, false);
      credentials.commit(this.options.settings.rotation.graceMs);
      this.log.info(
        `rotated the webhook path and secret (${reason}); now ${maskPath(next)}, the previous pair stays valid for ${Math.round(this.options.settings.rotation.graceMs / 1000)} s`,
      );
    } catch (err) {
      credentials.abandon();
      this.log.warn('could not register new webhook credentials; keeping the current ones', {
        error: err,
      });
    } finally {
      this.rotating = false;
    }
  }

  private onAccepted(): void {
    const now = this.deps.clock.now();
    this.lastOk = now;
    this.lastAcceptedAt = now;
    this.acceptedSinceRotation++;
    const after = this.options.settings.rotation.afterRequests;
    if (after > 0 && this.acceptedSinceRotation >= after) void this.rotate('count');
  }

  private urlFor(credential: WebhookCredential): string {
    return `${this.base}${credential.path}`;
  }

  private remember(credential: WebhookCredential): void {
    this.deps.addSecret(credential.pathToken);
    this.deps.addSecret(credential.secret);
  }

  private async register(credential: WebhookCredential, dropPending: boolean): Promise<void> {
    await this.deps.api.setWebhook({
      url: this.urlFor(credential),
      secret_token: credential.secret,
      allowed_updates: this.options.allowedUpdates,
      max_connections: this.options.settings.maxConnections,
      drop_pending_updates: dropPending,
      ...(this.certificate !== undefined ? { certificate: this.certificate } : {}),
    });
  }

  /** The certificate and key when both are readable; otherwise plain HTTP with one warning. */
  private loadTls(): { cert: Buffer; key: Buffer } | undefined {
    const { cert, certKey } = this.options.settings;
    const advice =
      'serving plain HTTP; terminate TLS in a reverse proxy in front of it (see docs/webhook.md)';
    if (cert === undefined || certKey === undefined) {
      this.log.warn(`no webhook_config.cert/cert_key: ${advice}`);
      return undefined;
    }
    try {
      const tls = { cert: readFileSync(cert), key: readFileSync(certKey) };
      this.certificate = cert;
      return tls;
    } catch (err) {
      this.log.warn(
        `cannot read webhook_config.cert or cert_key (${(err as NodeJS.ErrnoException).code ?? 'error'}): ${advice}`,
      );
      return undefined;
    }
  }
}
