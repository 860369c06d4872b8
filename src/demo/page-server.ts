/**
 * The chat page of `tmbot demo`: static files (no build step, nothing from a CDN), a JSON API to
 * read a person's chat and act as them, and live updates as server-sent events. Binds 127.0.0.1
 * only; every request passes {@link refusal} first.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { Clock, Timer } from '../clock';
import type { BotApiServer } from './bot-api/server';
import type { EmulatorEvent } from './bot-api/types';
import { refusal, SECURITY_HEADERS, TOKEN_COOKIE } from './page-guard';
import { pageMessage } from './page-model';
import { DEMO_PEOPLE, demoPerson, type DemoPerson } from './people';
import type { DemoCode } from './totp-aid';

const STATIC: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/render.js': { file: 'render.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const MAX_BODY_BYTES = 16 * 1024;
const KEEPALIVE_MS = 15_000;
const MAX_SSE_CLIENTS = 16;

/** What the page server shows and acts on. */
export interface DemoPageDeps {
  api: BotApiServer;
  token: string;
  port: number;
  clock: Clock;
  /** The demo admin's current 2FA code (the side panel's demo aid). */
  adminCode: () => DemoCode;
  /** Where index.html, app.js, render.js and style.css are. */
  pageDir: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The page's HTTP server. */
export class DemoPage {
  private readonly server = http.createServer((req, res) => this.onRequest(req, res));
  private readonly files = new Map<string, Buffer>();
  private readonly streams = new Set<http.ServerResponse>();
  private readonly sockets = new Set<Socket>();
  /** Which chat a callback query came from, so its answer shows there. */
  private readonly queryChats = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;
  private keepalive: Timer | undefined;

  constructor(private readonly deps: DemoPageDeps) {}

  /** The URL to open (with the access token). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.deps.token}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Loads the page files and listens on 127.0.0.1. */
  async start(): Promise<void> {
    for (const { file } of Object.values(STATIC))
      this.files.set(file, readFileSync(join(this.deps.pageDir, file)));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.deps.port, '127.0.0.1', () => resolve());
    });
    this.unsubscribe = this.deps.api.subscribe((e) => this.onEvent(e));
    this.keepalive = this.deps.clock.setInterval(
      () => this.broadcast(': keepalive\n\n'),
      KEEPALIVE_MS,
    );
  }

  /** Ends live streams and closes the server. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.keepalive?.cancel();
    for (const res of this.streams) res.end();
    this.streams.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    this.route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const text = err instanceof HttpError ? err.message : 'internal error';
      if (!res.headersSent) {
        res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      }
      res.end(text);
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const why = refusal(req, url, { token: this.deps.token, port: this.port });
    if (why !== undefined) throw new HttpError(403, `Forbidden: ${why}`);
    const asset = STATIC[url.pathname];
    if (asset && req.method === 'GET') return this.serveStatic(res, asset, url.pathname === '/');
    if (req.method === 'GET' && url.pathname === '/api/people')
      return this.json(res, this.people());
    if (req.method === 'GET' && url.pathname === '/api/chat') return this.json(res, this.chat(url));
    if (req.method === 'GET' && url.pathname === '/api/code')
      return this.json(res, this.deps.adminCode());
    if (req.method === 'GET' && url.pathname === '/api/file') return this.file(res, url);
    if (req.method === 'GET' && url.pathname === '/api/events') return this.openStream(res);
    if (req.method === 'POST' && url.pathname === '/api/send')
      return this.json(res, this.send(await readJson(req)));
    if (req.method === 'POST' && url.pathname === '/api/press')
      return this.json(res, this.press(await readJson(req)));
    throw new HttpError(404, 'Not found');
  }

  private serveStatic(
    res: http.ServerResponse,
    asset: { file: string; type: string },
    setCookie: boolean,
  ): void {
    const body = this.files.get(asset.file) ?? Buffer.alloc(0);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      'content-length': body.length,
      ...(setCookie && {
        'set-cookie': `${TOKEN_COOKIE}=${this.deps.token}; Path=/; HttpOnly; SameSite=Strict`,
      }),
    });
    res.end(body);
  }

  private json(res: http.ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private people(): unknown {
    return {
      bot: this.deps.api.bot.first_name,
      people: DEMO_PEOPLE.map((p) => ({ key: p.key, name: p.firstName, role: p.role, id: p.id })),
    };
  }

  private person(key: unknown): DemoPerson {
    const p = typeof key === 'string' ? demoPerson(key) : undefined;
    if (!p) throw new HttpError(400, 'unknown person');
    this.deps.api.privateChat(p.id, { first_name: p.firstName });
    return p;
  }

  private chat(url: URL): unknown {
    const p = this.person(url.searchParams.get('person'));
    return { person: p.key, messages: this.deps.api.transcript(p.id).map(pageMessage) };
  }

  private send(body: Record<string, unknown>): unknown {
    const p = this.person(body['person']);
    const text = body['text'];
    if (typeof text !== 'string' || text.trim() === '' || text.length > 4096)
      throw new HttpError(400, 'text must be 1-4096 characters');
    const replyTo = body['replyTo'];
    const { user, chat } = this.deps.api.privateChat(p.id, { first_name: p.firstName });
    const message = this.deps.api.sendAsUser(user, chat, {
      text,
      ...(typeof replyTo === 'number' &&
        this.deps.api.entry(p.id, replyTo) !== undefined && { replyTo }),
    });
    return { id: message.message_id };
  }

  private press(body: Record<string, unknown>): unknown {
    const p = this.person(body['person']);
    const messageId = body['messageId'];
    const data = body['data'];
    if (typeof messageId !== 'number' || typeof data !== 'string' || data.length > 64)
      throw new HttpError(400, 'messageId and data required');
    const { user, chat } = this.deps.api.privateChat(p.id, { first_name: p.firstName });
    let id: string;
    try {
      id = this.deps.api.pressAsUser(user, chat, { message_id: messageId, chat }, data, {});
    } catch {
      throw new HttpError(409, 'that button is gone');
    }
    this.queryChats.set(id, p.id);
    if (this.queryChats.size > 1000)
      this.queryChats.delete(this.queryChats.keys().next().value ?? '');
    return { queryId: id };
  }

  private file(res: http.ServerResponse, url: URL): void {
    const f = this.deps.api.file(url.searchParams.get('id') ?? '');
    if (!f) throw new HttpError(404, 'no such file');
    const name = f.file_path.split('/').pop() ?? 'file';
    const isPhoto =
      f.file_path.startsWith('photos/') && f.data.subarray(0, 4).toString('hex') === '89504e47';
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': isPhoto ? 'image/png' : 'application/octet-stream',
      'content-length': f.data.length,
      'content-disposition': isPhoto
        ? 'inline'
        : `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`,
    });
    res.end(f.data);
  }

  private openStream(res: http.ServerResponse): void {
    if (this.streams.size >= MAX_SSE_CLIENTS) throw new HttpError(429, 'too many open pages');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write(': hello\n\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  private broadcast(chunk: string): void {
    for (const res of this.streams) res.write(chunk);
  }

  private onEvent(e: EmulatorEvent): void {
    const people = new Set(DEMO_PEOPLE.map((p) => p.id));
    let payload: unknown;
    if ((e.type === 'message' || e.type === 'edit') && people.has(e.chatId)) {
      const entry = this.deps.api.entry(e.chatId, e.message.message_id);
      if (entry) payload = { kind: 'message', chat: e.chatId, message: pageMessage(entry) };
    } else if (e.type === 'delete' && people.has(e.chatId)) {
      payload = { kind: 'delete', chat: e.chatId, id: e.messageId };
    } else if (e.type === 'callback_answer') {
      const chat = this.queryChats.get(e.answer.callback_query_id);
      this.queryChats.delete(e.answer.callback_query_id);
      if (chat !== undefined)
        payload = {
          kind: 'answer',
          chat,
          text: e.answer.text ?? '',
          alert: e.answer.show_alert === true,
        };
    }
    if (payload !== undefined) this.broadcast(`data: ${JSON.stringify(payload)}\n\n`);
  }
}

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof v !== 'object' || v === null || Array.isArray(v))
          throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'body must be a JSON object'));
      }
    });
  });
}
