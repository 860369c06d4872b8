/**
 * The webhook server under arbitrary HTTP requests, sent as raw bytes over loopback: any method,
 * path, header set (secret present, wrong, repeated, in any case; X-Forwarded-For lists; content
 * types) and body (valid updates, broken JSON, non-updates, 300 KiB). A 2xx comes only for POST to
 * the exact path with the exact secret from an allowed source with a JSON update, and then the
 * update is handed on exactly once; everything else gets a 4xx. Never a 5xx, never a hang, and the
 * server keeps answering.
 */
import fc from 'fast-check';
import { connect } from 'node:net';
import type { Update } from 'telegraf/types';
import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { CredentialSet, newCredential } from '../../../src/webhook/credentials';
import { AddressSet, TELEGRAM_SOURCE_RANGES } from '../../../src/webhook/ip';
import { IpGuard } from '../../../src/webhook/ip-guard';
import { DEFAULT_SOURCE_LIMITS, SourceLimits } from '../../../src/webhook/source-limits';
import { WebhookServer } from '../../../src/webhook/server';
import { fuzzParams, hostileString } from '../../support/fuzz';
import { MemoryStore } from '../../support/memory-store';

/** Loopback addresses that play the parts: Telegram (allowlisted), a stranger, the reverse proxy. */
const TELEGRAM_PEER: string = '127.0.0.2';
const STRANGER_PEER: string = '127.0.0.66';
const PROXY_PEER: string = '127.0.0.1';

/** X-Forwarded-For hops and whether each is inside Telegram's published ranges. */
const HOPS: readonly [string, boolean][] = [
  ['149.154.167.99', true],
  ['91.108.4.1', true],
  ['149.154.160.1', true],
  ['::ffff:149.154.167.99', true],
  ['203.0.113.9', false],
  ['149.154.176.0', false],
  ['10.0.0.1', false],
  ['127.0.0.1', false],
];

interface Server {
  port: number;
  path: string;
  secret: string;
  delivered: Update[];
  close: () => Promise<void>;
}

async function startServer(): Promise<Server> {
  const clock = new ManualClock();
  const credential = newCredential();
  const delivered: Update[] = [];
  const guard = new IpGuard(
    {
      limit: 1e9,
      unknownPathLimit: 1e9,
      windowMs: 10_000,
      banThreshold: 1e9,
      banWindowMs: 600_000,
      banMs: 3_600_000,
      maxTracked: 4096,
      maxBans: 100,
    },
    { clock, store: new MemoryStore(), log: silentLogger },
  );
  const sources = new AddressSet([...TELEGRAM_SOURCE_RANGES, `${TELEGRAM_PEER}/32`]);
  const trustedProxies = new AddressSet([PROXY_PEER]);
  const server = new WebhookServer(
    {
      host: '127.0.0.1',
      port: 0,
      tls: undefined,
      requestTimeoutMs: 2000,
      keepAliveTimeoutMs: 1000,
      maxRequestsPerSocket: 100,
      maxConnections: 50,
    },
    {
      credentials: new CredentialSet(credential, clock),
      guard,
      limits: new SourceLimits(
        { ...DEFAULT_SOURCE_LIMITS, maxConnections: 50, reservedConnections: 10 },
        { guard, sources, trustedProxies, clock },
      ),
      sources,
      trustedProxies,
      deliver: (u) => {
        delivered.push(u);
        return true;
      },
      accepted: () => undefined,
      connected: () => undefined,
      clock,
      log: silentLogger,
    },
  );
  const { port } = await server.listen();
  return {
    port,
    path: credential.path,
    secret: credential.secret,
    delivered,
    close: () => server.close(100),
  };
}

/** Sends raw bytes from `localAddress`; resolves with the status code, or 0 if the server hung up without one. */
function rawRequest(port: number, localAddress: string, bytes: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 20 s'));
    }, 20_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const head = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve(m ? Number(m[1]) : 0);
    });
    socket.end(bytes);
  });
}

const validUpdate = fc.record({
  update_id: fc.nat(),
  message: fc.record({
    message_id: fc.nat(),
    date: fc.nat(),
    chat: fc.record({ id: fc.integer(), type: fc.constant('private') }),
    from: fc.record({ id: fc.nat(), is_bot: fc.constant(false), first_name: hostileString }),
    text: hostileString,
  }),
});

type Edit = (valid: string) => string;
/** Header text without CR/LF (those would only split the header, which other cases cover). */
const noCrLf = hostileString.filter((s) => !/[\r\n]/.test(s));
const telegramHop = fc.constantFrom(...HOPS.filter(([, ok]) => ok).map(([h]) => h));
const otherHop = fc.oneof(fc.constantFrom(...HOPS.filter(([, ok]) => !ok).map(([h]) => h)), noCrLf);

/** Where the request comes from: Telegram directly, or through the trusted proxy with an X-Forwarded-For list. */
interface Source {
  peer: string;
  forwarded: string[] | undefined;
}
const goodSource: fc.Arbitrary<Source> = fc.oneof(
  fc.record({
    peer: fc.constant(TELEGRAM_PEER),
    forwarded: fc.option(fc.array(otherHop, { maxLength: 3 }), { nil: undefined }),
  }),
  fc.record({
    peer: fc.constant(PROXY_PEER),
    // Whatever the client wrote on the left, the proxy appended Telegram's address last.
    forwarded: fc
      .tuple(fc.array(fc.oneof(otherHop, telegramHop), { maxLength: 3 }), telegramHop)
      .map(([left, hop]) => [...left, hop]),
  }),
);
const badSource: fc.Arbitrary<Source> = fc.oneof(
  fc.record({
    peer: fc.constant(STRANGER_PEER),
    forwarded: fc.option(fc.array(fc.oneof(telegramHop, otherHop), { maxLength: 3 }), {
      nil: undefined,
    }),
  }),
  fc.record({ peer: fc.constant(PROXY_PEER), forwarded: fc.constant(undefined) }),
  fc.record({
    peer: fc.constant(PROXY_PEER),
    // A client forging Telegram on the left; the proxy appended the real (foreign) address.
    forwarded: fc
      .tuple(fc.array(fc.oneof(telegramHop, otherHop), { maxLength: 3 }), otherHop)
      .map(([left, hop]) => [...left, hop]),
  }),
);

const badPath = fc.oneof(
  fc.constantFrom<Edit>(
    (p) => `${p}x`,
    (p) => p.slice(0, -1),
    (p) => `${p}?x=1`,
    (p) => p.toUpperCase(),
    (p) => p.replace('/webhook/', '/webhook/./'),
    (p) => p.replace(/[A-Za-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
    (p) => `/${p}`,
    () => '/',
    () => '/webhook/',
    () => '*',
  ),
  hostileString.map<Edit>((s) => () => `/${encodeURIComponent(s.toWellFormed())}`),
  hostileString.map<Edit>((s) => () => `/${s}`),
);
const badSecret = fc.oneof(
  fc.constantFrom<Edit | undefined>(
    undefined,
    (x) => x.toUpperCase(),
    (x) => x.slice(0, -1),
    (x) => `${x}x`,
    () => '',
    (x) => ` ${x}x`,
    (x) => `${x}, ${x}`,
  ),
  noCrLf.map<Edit>((h) => () => h),
);
const validUpdateBody = validUpdate.map((u) => ({ text: JSON.stringify(u), valid: true }));
const badBody = fc.oneof(
  hostileString.map((t) => ({ text: t, valid: false })),
  fc
    .anything({ maxDepth: 2 })
    .map((v) => ({ text: JSON.stringify(v) ?? 'undefined', valid: false })),
  fc.constant({
    text: `{"update_id":1,"message":{"text":"${'x'.repeat(300 * 1024)}"}}`,
    valid: false,
  }),
  fc.constant({ text: '', valid: false }),
);
const extraHeader = fc.tuple(
  fc.stringMatching(/^[A-Za-z-]{1,20}$/),
  fc.stringMatching(/^[ -~]{0,40}$/),
);

const PARTS = [
  'source',
  'method',
  'path',
  'secret',
  'contentType',
  'body',
  'extraHeaders',
] as const;

/**
 * A request built from valid parts, with 0–3 of them replaced by broken ones (a third of the
 * cases are fully valid). Validity is then judged from the actual bytes, not from these flags.
 */
const request = fc.subarray([...PARTS], { maxLength: 3 }).chain((broken) => {
  const pick = <T>(
    part: (typeof PARTS)[number],
    good: fc.Arbitrary<T>,
    bad: fc.Arbitrary<T>,
  ): fc.Arbitrary<T> => (broken.includes(part) ? bad : good);
  return fc.record({
    source: pick('source', goodSource, badSource),
    method: pick(
      'method',
      fc.constant('POST'),
      fc.constantFrom('GET', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'PATCH', 'post', 'TRACE', 'FOO'),
    ),
    path: pick(
      'path',
      fc.constant<Edit>((p) => p),
      badPath,
    ),
    secret: pick<Edit | undefined>(
      'secret',
      fc.constant<Edit>((x) => x),
      badSecret,
    ),
    secretHeaderName: fc.constantFrom(
      'X-Telegram-Bot-Api-Secret-Token',
      'x-telegram-bot-api-secret-token',
      'X-TELEGRAM-BOT-API-SECRET-TOKEN',
    ),
    contentType: pick<string | undefined>(
      'contentType',
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON'),
      fc.constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/jsonx',
        '',
      ),
    ),
    body: pick('body', validUpdateBody, badBody),
    extraHeaders: pick(
      'extraHeaders',
      fc.array(extraHeader, { maxLength: 2 }),
      fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), noCrLf), {
        minLength: 1,
        maxLength: 3,
      }),
    ),
  });
});

type Request = typeof request extends fc.Arbitrary<infer R> ? R : never;

/** Whether the client address the server settles on is inside the allowed sources. */
function sourceAllowed(r: Request): boolean {
  const { peer, forwarded } = r.source;
  if (peer !== PROXY_PEER) return peer === TELEGRAM_PEER;
  if (forwarded === undefined) return false;
  const header = forwarded.join(', ');
  if (header.length > 1024) return false;
  // Behind the trusted proxy the client is the rightmost hop that is not the proxy itself.
  const hops = header.split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (hop === PROXY_PEER && i > 0) continue;
    return HOPS.find(([h]) => h === hop)?.[1] ?? false;
  }
  return false;
}

/** Headers the generator must not set itself: framing, and ones Node answers before us. */
const RESERVED =
  /^(content-length|transfer-encoding|connection|host|content-type|x-forwarded-for|x-telegram-bot-api-secret-token|expect|upgrade)$/i;

function build(r: Request, server: Server): { bytes: Buffer; valid: boolean } {
  const path = r.path(server.path);
  const header = r.secret?.(server.secret);
  const headers: string[] = ['Host: bot.example.com', 'Connection: close'];
  if (header !== undefined) headers.push(`${r.secretHeaderName}: ${header}`);
  if (r.contentType !== undefined) headers.push(`Content-Type: ${r.contentType}`);
  if (r.source.forwarded !== undefined)
    headers.push(`X-Forwarded-For: ${r.source.forwarded.join(', ')}`);
  for (const [name, value] of r.extraHeaders)
    if (!RESERVED.test(name)) headers.push(`${name}: ${value}`);
  const body = Buffer.from(r.body.text, 'utf8');
  headers.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(
    `${r.method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`,
    'utf8',
  );
  // Node refuses control characters in header values (400) before any of our checks.
  const headersOk = headers.every((h) => !/[\x00-\x08\x0a-\x1f\x7f]/.test(h));
  const valid =
    headersOk &&
    r.method === 'POST' &&
    path === server.path &&
    header === server.secret &&
    r.contentType !== undefined &&
    r.contentType.split(';')[0]!.trim().toLowerCase() === 'application/json' &&
    r.body.valid &&
    sourceAllowed(r);
  return { bytes: Buffer.concat([head, body]), valid };
}

describe('webhook server under arbitrary requests', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 2xx only for the exact path, secret, source and an update; never 5xx or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const { bytes, valid } = build(r, server);
        const before = server.delivered.length;
        const status = await rawRequest(server.port, r.source.peer, bytes);
        const delivered = server.delivered.length - before;
        expect(status).not.toBeGreaterThanOrEqual(500);
        if (valid) {
          expect(status).toBe(200);
          expect(delivered).toBe(1);
        } else {
          // A refusal is a 4xx, or a hang-up without an answer (banned or unparseable peer).
          expect(status === 0 || (status >= 400 && status < 500)).toBe(true);
          expect(delivered).toBe(0);
        }
      }),
      fuzzParams(800),
    );
    // And it still serves a valid request afterwards.
    const ok = build(
      {
        source: { peer: TELEGRAM_PEER, forwarded: undefined },
        method: 'POST',
        path: (p) => p,
        secret: (x) => x,
        secretHeaderName: 'X-Telegram-Bot-Api-Secret-Token',
        contentType: 'application/json',
        body: {
          text: '{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"hi"}}',
          valid: true,
        },
        extraHeaders: [],
      },
      server,
    );
    expect(ok.valid).toBe(true);
    expect(await rawRequest(server.port, TELEGRAM_PEER, ok.bytes)).toBe(200);
  }, 120_000);
});
