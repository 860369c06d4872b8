import { timingSafeEqual, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';

/** Why a request to a fleet endpoint was refused; counted on /metrics. */
export type EndpointRejection =
  'method' | 'path' | 'rate-limited' | 'token' | 'content-type' | 'too-large' | 'malformed';

const STATUS: Record<EndpointRejection, number> = {
  method: 405,
  path: 404,
  'rate-limited': 429,
  token: 401,
  'content-type': 415,
  'too-large': 413,
  malformed: 400,
};

export interface EndpointOptions {
  readonly listen: string;
  readonly port: number;
  readonly path: string;
  readonly method: 'GET' | 'POST';
  /** Compared in constant time; undefined: no token needed. */
  readonly bearerToken: string | undefined;
  readonly maxBodyBytes: number;
  readonly rateLimit: { readonly limit: number; readonly windowMs: number };
  /** Headers and body must arrive within this. */
  readonly requestTimeoutMs: number;
}

/** What a handler answers; the endpoint writes it. */
export interface EndpointReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface EndpointDeps {
  /** Gets the body of an accepted request; a thrown EndpointRefusal answers 4xx. */
  readonly handle: (body: string) => Promise<EndpointReply> | EndpointReply;
  readonly rejected: (reason: EndpointRejection) => void;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Thrown by a handler to refuse a request it finds malformed. */
export class EndpointRefusal extends Error {
  constructor(readonly reason: EndpointRejection) {
    super(reason);
  }
}

/** Address entries tracked by the rate limiter; past this, the oldest window is dropped. */
const MAX_TRACKED = 10_000;
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * A small hardened HTTP server for one route: bind address, bearer token compared in constant
 * time, per-address fixed-window rate limit, body limit, request timeout, bounded connections.
 * Checks run cheapest first; every refusal is counted and answered with a bare status.
 */
export class HttpEndpoint {
  private readonly server: http.Server;
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly token: Buffer | undefined;

  constructor(
    private readonly options: EndpointOptions,
    private readonly deps: EndpointDeps,
  ) {
    this.token = options.bearerToken !== undefined ? digest(options.bearerToken) : undefined;
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.requestTimeout = options.requestTimeoutMs;
    this.server.headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
    this.server.keepAliveTimeout = 5000;
    this.server.maxConnections = 256;
    this.server.maxHeadersCount = 64;
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  /** The bound port (useful when configured as 0 in tests). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.listen, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.server.closeIdleConnections();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await closed;
  }

  private limited(address: string): boolean {
    const now = this.deps.clock.now();
    const w = this.windows.get(address);
    if (w === undefined || now - w.start >= this.options.rateLimit.windowMs) {
      if (this.windows.size >= MAX_TRACKED) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      this.windows.delete(address);
      this.windows.set(address, { start: now, count: 1 });
      return false;
    }
    w.count++;
    return w.count > this.options.rateLimit.limit;
  }

  private tokenOk(header: string | undefined): boolean {
    if (this.token === undefined) return true;
    const m = /^Bearer (.{1,1024})$/.exec(header ?? '');
    return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), this.token);
  }

  private refuse(res: http.ServerResponse, reason: EndpointRejection): void {
    this.deps.rejected(reason);
    res.writeHead(STATUS[reason], { 'content-type': 'text/plain', connection: 'close' });
    res.end(`${STATUS[reason]}\n`);
  }

  private readBody(
    req: http.IncomingMessage,
  ): Promise<{ body: string } | { refused: 'too-large' | 'malformed' }> {
    return new Promise((resolve) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.options.maxBodyBytes) {
        resolve({ refused: 'too-large' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.options.maxBodyBytes) {
          req.removeAllListeners('data');
          req.resume();
          resolve({ refused: 'too-large' });
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8') }));
      req.on('error', () => resolve({ refused: 'malformed' }));
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if (this.limited(req.socket.remoteAddress ?? '?')) return this.refuse(res, 'rate-limited');
      if (req.method !== this.options.method) return this.refuse(res, 'method');
      const path = (req.url ?? '').split('?')[0];
      if (path !== this.options.path) return this.refuse(res, 'path');
      if (!this.tokenOk(req.headers.authorization)) return this.refuse(res, 'token');
      let body = '';
      if (this.options.method === 'POST') {
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
          return this.refuse(res, 'content-type');
        const read = await this.readBody(req);
        if ('refused' in read) return this.refuse(res, read.refused);
        body = read.body;
      }
      const reply = await this.deps.handle(body);
      res.writeHead(reply.status, { 'content-type': reply.contentType });
      res.end(reply.body);
    } catch (err) {
      if (err instanceof EndpointRefusal) return this.refuse(res, err.reason);
      this.deps.log.warn('fleet endpoint: request failed', { error: err });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('500\n');
    }
    return undefined;
  }
}
