import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { Update } from 'telegraf/types';
import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import { safeEqual, type CredentialSet } from './credentials';
import { limiterKey, resolveClientIp, type AddressSet } from './ip';
import type { IpGuard } from './ip-guard';
import { isUpdate, REASON_TEXT, type Rejection } from './rejections';
import type { SourceLimits } from './source-limits';

/** Largest update body we read; Telegram's updates are a few KiB. */
export const MAX_BODY_BYTES = 256 * 1024;
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Requests served on a connection. */
const SERVED = Symbol('served');
type CountedSocket = Socket & { [SERVED]?: number };
/** Debug lines about single requests per second; the minute summary counts the rest. */
const DETAIL_LINES_PER_SECOND = 20;
/** How often the rejection summary is logged. */
const SUMMARY_EVERY_MS = 60_000;

export interface WebhookServerOptions {
  host: string;
  port: number;
  /** PEM certificate and key: serve HTTPS directly. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** Headers and body must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Requests served on one connection before it is closed. */
  maxRequestsPerSocket: number;
  /** Open connections at most; node closes any beyond this at once. */
  maxConnections: number;
}

/** Told of every refused request and every ban (tmbot's /metrics counts them). */
export interface WebhookObserver {
  rejected(reason: Rejection): void;
  banned(): void;
}

export interface WebhookServerDeps {
  credentials: CredentialSet;
  guard: IpGuard;
  /** Telegram-sized request budget for its ranges; connection caps per source. */
  limits: SourceLimits;
  /** Where updates may come from: Telegram's ranges plus configured extras. */
  sources: AddressSet;
  trustedProxies: AddressSet;
  /** Hands an update to the bot; false when the bot is saturated (answered 503, Telegram retries). */
  deliver: (update: Update) => boolean;
  /** Called for every accepted update (liveness, rotation). */
  accepted: () => void;
  /** Called for every new connection (flood detection). */
  connected: () => void;
  clock: Clock;
  log: Logger;
  observe?: WebhookObserver;
}

/**
 * The webhook HTTP(S) server. Each request passes the checks in order, cheapest
 * first, and is answered at the first failure:
 * POST (405) → ban list (dropped) and per-IP limit (429) → path token (404; 429 past the
 * unknown-path limit) → source in Telegram's ranges (403) → secret header, constant time (403)
 * → JSON content type (415) and body ≤ 256 KiB (413) → JSON and update shape (400)
 * → handed to the bot, 200 at once. Every rejection is a strike towards a ban.
 */
export class WebhookServer {
  private readonly server: http.Server;
  private readonly counts = new Map<Rejection, number>();
  private ignoredForwarded = 0;
  private summaryTimer: Timer | undefined;
  private detailSecond = 0;
  private detailLines = 0;

  constructor(
    private readonly options: WebhookServerOptions,
    private readonly deps: WebhookServerDeps,
  ) {
    const serverOptions: http.ServerOptions = {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // Node checks the two timeouts above (they also cut a connection that never speaks) this often; 30 s by default.
      connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs),
      maxHeaderSize: 8 * 1024,
    };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void =>
      this.onRequest(req, res);
    this.server =
      options.tls !== undefined
        ? https.createServer(
            {
              ...serverOptions,
              cert: options.tls.cert,
              key: options.tls.key,
              minVersion: 'TLSv1.2',
              handshakeTimeout: options.requestTimeoutMs,
            },
            handler,
          )
        : http.createServer(serverOptions, handler);
    this.server.maxConnections = options.maxConnections;
    this.server.maxHeadersCount = 64;
    this.server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
      this.onClientError(err, socket),
    );
    if (options.tls !== undefined)
      this.server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  }

  /** Whether the server speaks TLS itself. */
  get tls(): boolean {
    return this.options.tls !== undefined;
  }

  /** Starts listening; rejects when the address cannot be bound. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) =>
          this.deps.log.error('webhook server error', { error: err }),
        );
        this.summaryTimer = this.deps.clock.setInterval(() => this.logSummary(), SUMMARY_EVERY_MS);
        const addr = this.server.address();
        resolve(
          typeof addr === 'object' && addr !== null
            ? { host: addr.address, port: addr.port }
            : { host: this.options.host, port: this.options.port },
        );
      });
    });
  }

  /** Stops accepting, lets requests in progress finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs: number): Promise<void> {
    this.summaryTimer?.cancel();
    this.logSummary();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = this.deps.clock.setTimeout(() => this.server.closeAllConnections(), graceMs);
    await closed;
    timer.cancel();
  }

  /** A banned direct peer is cut before any HTTP parsing. */
  private onConnection(socket: Socket): void {
    this.deps.connected();
    socket.on('error', () => undefined);
    if (!this.deps.limits.admit(socket)) {
      this.count('connections');
      socket.destroy();
      return;
    }
    const result = resolveClientIp(socket.remoteAddress, undefined, this.deps.trustedProxies);
    if (
      result.ok &&
      !this.deps.trustedProxies.has(result.ip) &&
      this.deps.guard.isBanned(limiterKey(result.ip))
    ) {
      this.count('banned');
      socket.destroy();
    }
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    this.count('slow-or-malformed');
    const peer = resolveClientIp(socket.remoteAddress, undefined, this.deps.trustedProxies);
    if (peer.ok && !this.deps.trustedProxies.has(peer.ip) && !this.deps.sources.has(peer.ip)) {
      this.strike(peer.ip);
    }
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Node's own maxRequestsPerSocket answers 503 past the cap but keeps the socket open.
    const socket = req.socket as CountedSocket;
    socket[SERVED] = (socket[SERVED] ?? 0) + 1;
    if (socket[SERVED] >= this.options.maxRequestsPerSocket) res.shouldKeepAlive = false;
    const client = resolveClientIp(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
      this.deps.trustedProxies,
    );
    if (!client.ok) {
      this.reject(req, res, 400, client.reason, undefined);
      return;
    }
    if (client.ignoredForwarded) {
      this.ignoredForwarded++;
      if (this.mayLogDetail()) {
        this.deps.log.debug('ignored X-Forwarded-For from a peer that is not a trusted proxy', {
          peer: client.ip,
        });
      }
    }
    const ip = client.ip;
    const key = limiterKey(ip);
    if (req.method !== 'POST') {
      this.reject(req, res, 405, 'method', ip, { allow: 'POST' });
      return;
    }
    if (this.deps.guard.isBanned(key)) {
      this.count('banned');
      if (client.viaProxy) {
        // The socket is the proxy's and may carry other clients' requests: answer instead of cutting it.
        res.writeHead(429, { connection: 'close', 'content-length': 0 }).end();
      } else {
        req.socket.destroy();
      }
      return;
    }
    if (!this.deps.limits.take(ip)) {
      this.reject(req, res, 429, 'rate-limited', ip, { 'retry-after': '10' });
      return;
    }
    const credential = this.deps.credentials.match(req.url ?? '');
    if (credential === undefined) {
      const limited = !this.deps.guard.take(key, 'unknown');
      this.reject(req, res, limited ? 429 : 404, limited ? 'rate-limited' : 'unknown-path', ip);
      return;
    }
    if (!this.deps.sources.has(ip)) {
      this.reject(req, res, 403, 'foreign-source', ip);
      return;
    }
    const secret = req.headers[SECRET_HEADER];
    if (typeof secret !== 'string' || !safeEqual(secret, credential.secretBytes)) {
      this.reject(req, res, 403, 'bad-secret', ip);
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      this.reject(req, res, 415, 'content-type', ip);
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && !(Number(declared) <= MAX_BODY_BYTES)) {
      this.reject(req, res, 413, 'too-large', ip);
      return;
    }
    this.readBody(req, res, ip);
  }

  /** Reads at most MAX_BODY_BYTES; past that answers 413 and stops reading. */
  private readBody(req: http.IncomingMessage, res: http.ServerResponse, ip: string): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        over = true;
        chunks.length = 0;
        req.pause();
        this.reject(req, res, 413, 'too-large', ip);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (over) return;
      let update: unknown;
      try {
        update = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
      } catch {
        this.reject(req, res, 400, 'bad-json', ip);
        return;
      }
      if (!isUpdate(update)) {
        this.reject(req, res, 400, 'bad-update', ip);
        return;
      }
      if (!this.deps.deliver(update)) {
        this.count('busy');
        res.writeHead(503, { 'retry-after': '1', 'content-length': 0 }).end();
        return;
      }
      this.deps.accepted();
      res.writeHead(200, { 'content-length': 0 }).end();
    });
  }

  /**
   * Answers a rejected request. Connections whose body we will not read in full are closed,
   * so a large body is never drained; small ones keep the connection (cheap for everyone).
   */
  private reject(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    reason: Rejection,
    ip: string | undefined,
    headers: Record<string, string> = {},
  ): void {
    this.count(reason);
    if (ip !== undefined && !this.deps.sources.has(ip)) this.strike(ip);
    if (this.mayLogDetail()) {
      this.deps.log.debug(`rejected ${req.method ?? '?'} ${status}: ${REASON_TEXT[reason]}`, {
        ip,
      });
    }
    const length = req.headers['content-length'];
    const smallBody =
      status !== 413 &&
      req.headers['transfer-encoding'] === undefined &&
      (length === undefined || Number(length) <= MAX_BODY_BYTES);
    // With `connection: close` node ends the socket after the answer instead of draining the body.
    res.writeHead(status, {
      ...headers,
      'content-length': 0,
      ...(smallBody ? {} : { connection: 'close' }),
    });
    res.end();
  }

  /** Per-request debug lines, at most DETAIL_LINES_PER_SECOND: a flood must not become a log flood. */
  private mayLogDetail(): boolean {
    if (!this.deps.log.isLevelEnabled('debug')) return false;
    const second = Math.floor(this.deps.clock.now() / 1000);
    if (second !== this.detailSecond) {
      this.detailSecond = second;
      this.detailLines = 0;
    }
    return this.detailLines++ < DETAIL_LINES_PER_SECOND;
  }

  private strike(ip: string): void {
    if (this.deps.guard.strike(limiterKey(ip))) {
      this.deps.observe?.banned();
      this.deps.log.warn('banned a client from the webhook after repeated rejected requests', {
        ip: limiterKey(ip),
      });
    }
  }

  private count(reason: Rejection): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.deps.observe?.rejected(reason);
  }

  private logSummary(): void {
    if (this.counts.size === 0 && this.ignoredForwarded === 0) return;
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const parts = [...this.counts].map(([reason, n]) => `${REASON_TEXT[reason]} ${n}`);
    if (this.ignoredForwarded > 0) {
      parts.push(`X-Forwarded-For ignored from untrusted peers ${this.ignoredForwarded}`);
    }
    this.deps.log.warn(
      `webhook rejected ${total} request(s) in the last minute: ${parts.join(', ')}`,
      {
        tracked: this.deps.guard.tracked,
        bans: this.deps.guard.banCount,
      },
    );
    this.counts.clear();
    this.ignoredForwarded = 0;
  }
}
