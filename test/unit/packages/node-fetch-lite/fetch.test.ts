/**
 * packages/node-fetch-lite against real loopback HTTP servers: what telegraf asks of node-fetch
 * (JSON and streamed multipart POSTs, redirects for media URLs, aborts, timeouts) and the error
 * shapes our resend rule reads (src/telegram/api-errors.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fetch, { AbortError, FetchError } from 'node-fetch';
import { unsentRequestCode } from '../../../../src/telegram/api-errors';
import { freePort } from '../../../support/free-port';

const PACKAGE = join(__dirname, '..', '..', '..', '..', 'packages', 'node-fetch-lite');
const SECRET = 'AAH-secret-part';
const TOKEN_PATH = `/bot123456:${SECRET}/getMe`;

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

describe('node-fetch-lite', () => {
  let server: Server;
  let base: string;
  let handle: Handler;
  let seen: Seen[];
  /** Resolves when a connection to the server closes (the client destroyed its request). */
  let clientGone: Promise<void>;
  let markGone: () => void;

  beforeEach(async () => {
    seen = [];
    clientGone = new Promise((r) => (markGone = r));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        handle(req, res, body);
      });
    });
    server.on('connection', (socket) => socket.on('close', () => markGone()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const json = (res: ServerResponse, value: unknown, status = 200): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };

  it('is what telegraf gets for node-fetch (npm overrides), and whatwg-url is gone', () => {
    const fromTelegraf = require.resolve('node-fetch', {
      paths: [dirname(require.resolve('telegraf'))],
    });
    expect(realpathSync(fromTelegraf)).toBe(join(realpathSync(PACKAGE), 'index.js'));
    expect(() => require.resolve('whatwg-url')).toThrow(/Cannot find module/);
    // Both `require('node-fetch')` and telegraf's `__importDefault(require('node-fetch')).default`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const required = require('node-fetch') as typeof fetch & { default: typeof fetch };
    expect(require.resolve('node-fetch')).toBe(fromTelegraf);
    expect(required.default).toBe(required);
    expect(typeof required).toBe('function');
  });

  it('POSTs JSON the way telegraf does and reads the answer, asking for no compression', async () => {
    handle = (_req, res, body) => json(res, { ok: true, echo: JSON.parse(body.toString()) });
    const res = await fetch(new URL('/bot1:x/sendMessage', base), {
      method: 'POST',
      compress: true,
      headers: { 'content-type': 'application/json', connection: 'keep-alive' },
      body: JSON.stringify({ chat_id: 7, text: 'héllo' }),
      timeout: 500_000,
    });
    expect([res.status, res.statusText, res.ok]).toEqual([200, 'OK', true]);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(await res.json()).toEqual({ ok: true, echo: { chat_id: 7, text: 'héllo' } });
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-length']).toBe(String(req.body.length));
    expect(req.headers['accept-encoding']).toBeUndefined();
  });

  it('streams a Readable body (telegraf multipart) chunked', async () => {
    handle = (_req, res) => json(res, { ok: true }, 400);
    const parts = [
      '--b\r\n',
      'content-disposition: form-data; name="photo"\r\n\r\n',
      'PNG',
      '--b--',
    ];
    const res = await fetch(`${base}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: Readable.from(parts.map((p) => Buffer.from(p))),
    });
    expect([res.status, res.ok]).toEqual([400, false]);
    expect(await res.text()).toBe('{"ok":true}');
    expect(seen[0]!.body.toString()).toBe(parts.join(''));
    expect(seen[0]!.headers['transfer-encoding']).toBe('chunked');
  });

  it('follows redirects for a GET (media by URL), up to 20', async () => {
    handle = (req, res) => {
      const hop = Number(/^\/hop\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
      if (hop > 0) res.writeHead(302, { location: `/hop/${hop - 1}` }).end();
      else res.end('the picture');
    };
    const res = await fetch(`${base}/hop/3`);
    expect(await res.text()).toBe('the picture');
    expect([res.redirected, res.url]).toEqual([true, `${base}/hop/0`]);
    expect(seen.map((s) => s.url)).toEqual(['/hop/3', '/hop/2', '/hop/1', '/hop/0']);
    await expect(fetch(`${base}/hop/21`)).rejects.toMatchObject({
      name: 'FetchError',
      type: 'max-redirect',
    });
    // A streamed body cannot be sent again to the new location.
    await expect(
      fetch(`${base}/hop/1`, { method: 'PUT', body: Readable.from([Buffer.from('x')]) }),
    ).rejects.toMatchObject({ type: 'unsupported-redirect' });
  });

  it('turns a POST redirected by 303 into a GET without its body', async () => {
    handle = (req, res) => {
      if (req.url === '/form') res.writeHead(303, { location: '/done' }).end();
      else res.end(`${req.method} ${req.headers['content-length'] ?? '-'}`);
    };
    const res = await fetch(`${base}/form`, { method: 'POST', body: 'a=1' });
    expect(await res.text()).toBe('GET -');
  });

  it('rejects at once when the signal is already aborted, sending nothing', async () => {
    handle = (_req, res) => res.end('no');
    const body = Readable.from([Buffer.from('x')]);
    const err = await fetch(base, {
      method: 'POST',
      body,
      signal: AbortSignal.abort(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(err).toMatchObject({ name: 'AbortError', type: 'aborted' });
    expect(unsentRequestCode(err)).toBeUndefined();
    expect(body.destroyed).toBe(true);
    expect(seen).toHaveLength(0);
  });

  it('aborts while waiting for the answer and destroys the request', async () => {
    handle = () => undefined; // never answers
    const abort = new AbortController();
    const pending = fetch(base, { method: 'POST', body: '{}', signal: abort.signal });
    while (seen.length === 0) await new Promise((r) => setImmediate(r));
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', type: 'aborted' });
    await clientGone;
  });

  it('aborts while the body is being read', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
    };
    const abort = new AbortController();
    const res = await fetch(base, { signal: abort.signal });
    const body = res.json();
    abort.abort();
    await expect(body).rejects.toMatchObject({ name: 'AbortError', type: 'aborted' });
    await clientGone;
  });

  it('gives up on a server that never answers after `timeout`', async () => {
    handle = () => undefined;
    const err = await fetch(`${base}${TOKEN_PATH}`, { timeout: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ type: 'request-timeout' });
    expect((err as Error).message).toMatch(/^network timeout at: http:\/\/127\.0\.0\.1:\d+\/bot/);
    expect((err as Error).message).not.toContain(SECRET);
    await clientGone;
  });

  it('words a refused connection "request to … failed" with its code: resent once by SafeSender', async () => {
    const port = await freePort();
    const err = await fetch(`http://127.0.0.1:${port}${TOKEN_PATH}?key=q#f`, {
      method: 'POST',
      body: '{}',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ type: 'system', code: 'ECONNREFUSED', errno: 'ECONNREFUSED' });
    expect((err as Error).message).toBe(
      `request to http://127.0.0.1:${port}/bot123456:[REDACTED]/getMe failed, reason: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(unsentRequestCode(err)).toBe('ECONNREFUSED');
  });

  it('words a reset while the body is read differently: never resent, no token', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":true,');
      setImmediate(() => res.socket?.destroy());
    };
    const res = await fetch(`${base}${TOKEN_PATH}`, { method: 'POST', body: '{}' });
    const err = await res.json().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as Error).message).toMatch(/^Invalid response body while trying to fetch http:/);
    expect((err as Error).message).not.toContain(SECRET);
    expect(unsentRequestCode(err)).toBeUndefined();
  });

  it('says which URL gave bad JSON without its token', async () => {
    handle = (_req, res) => res.end('<html>bad gateway</html>');
    const res = await fetch(`${base}${TOKEN_PATH}`);
    const err = await res.json().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'FetchError', type: 'invalid-json' });
    expect((err as Error).message).toMatch(
      /^invalid json response body at http:\/\/127\.0\.0\.1:\d+\/bot123456:\[REDACTED\]\/getMe reason: /,
    );
  });

  it('refuses a body over the limit: streamed, or announced by content-length (64 MiB default)', async () => {
    handle = (req, res) => {
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-length': String(64 * 1024 * 1024 + 1) });
        res.write('x');
        return;
      }
      res.writeHead(200);
      const chunk = Buffer.alloc(1024, 120);
      const push = (): void => {
        while (res.write(chunk));
      };
      res.on('drain', push);
      push();
    };
    const streamed = await fetch(`${base}/endless`, { size: 10_000 });
    await expect(streamed.text()).rejects.toMatchObject({ type: 'max-size' });
    await clientGone;
    const huge = await fetch(`${base}/huge`);
    await expect(huge.text()).rejects.toMatchObject({
      type: 'max-size',
      message: expect.stringMatching(/over limit: 67108864$/),
    });
  });

  it('decodes a gzip body a server sends unasked, and reads a body once', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync('{"ok":true}'));
    };
    const res = await fetch(base);
    expect(await res.json()).toEqual({ ok: true });
    await expect(res.text()).rejects.toThrow(/body used already/);
  });

  it('rejects a body on GET and URLs other than http(s)', async () => {
    await expect(fetch(base, { body: 'x' })).rejects.toThrow(TypeError);
    await expect(fetch('file:///etc/passwd')).rejects.toThrow(/Only HTTP\(S\)/);
    expect(seen).toHaveLength(0);
  });
});
