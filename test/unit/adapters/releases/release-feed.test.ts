import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpReleaseFeed,
  parseReleaseFeed,
  ReleaseFeedError,
} from '../../../../src/adapters/releases/release-feed';

/** A local stand-in for the release feed: answers each request with the next handler. */
async function feedServer(
  handle: (res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => handle(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/releases/latest`, server };
}

const reasonOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ReleaseFeedError) return err.reason;
    throw err;
  }
  throw new Error('expected a ReleaseFeedError');
};

describe('parseReleaseFeed', () => {
  it('reads one release object (/releases/latest)', () => {
    const r = parseReleaseFeed({
      tag_name: 'v0.5.0',
      name: 'tmbot 0.5.0',
      body: 'Alerts with buttons',
      html_url: 'https://example.org/r/0.5.0',
      published_at: '2026-12-01T10:00:00Z',
    });
    expect(r).toEqual({
      version: '0.5.0',
      name: 'tmbot 0.5.0',
      notes: 'Alerts with buttons',
      url: 'https://example.org/r/0.5.0',
      publishedAt: Date.UTC(2026, 11, 1, 10),
    });
  });

  it('skips drafts, pre-releases and odd tags in a list, and refuses a list without a release', () => {
    const r = parseReleaseFeed([
      { tag_name: 'v0.6.0', draft: true },
      { tag_name: 'v0.6.0-rc.1', prerelease: true },
      { tag_name: 'nightly' },
      { tag_name: '0.5.1', html_url: 'javascript:alert(1)' },
    ]);
    expect(r.version).toBe('0.5.1');
    expect(r.url).toBeUndefined();
    expect(() => parseReleaseFeed([{ tag_name: 'latest' }, null, 5])).toThrow(ReleaseFeedError);
    expect(() => parseReleaseFeed('v1.0.0')).toThrow(ReleaseFeedError);
  });
});

describe('HttpReleaseFeed', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });
  const feed = (url: string, timeoutMs = 2000): HttpReleaseFeed =>
    new HttpReleaseFeed({ url, timeoutMs, userAgent: 'tmbot/test' });

  it('fetches and parses the latest release from a local feed', async () => {
    const { url, server } = await feedServer((res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ tag_name: 'v9.9.9', name: 'big one', body: 'notes' }));
    });
    servers.push(server);
    await expect(feed(url).latest()).resolves.toMatchObject({ version: '9.9.9', notes: 'notes' });
  });

  it('says why when the feed fails: HTTP status, garbage, oversized, silence, nobody listening', async () => {
    // Only the silent feed waits for the deadline; the others get a generous one (busy CI machines).
    const answers: [(res: import('node:http').ServerResponse) => void, number][] = [
      [
        (res) => {
          res.statusCode = 404;
          res.end('{}');
        },
        10_000,
      ],
      [(res) => res.end('<html>not json</html>'), 10_000],
      [(res) => res.end('x'.repeat(2 * 1024 * 1024)), 10_000],
      [() => undefined, 300], // never answers
    ];
    const reasons: string[] = [];
    for (const [answer, timeoutMs] of answers) {
      const { url, server } = await feedServer(answer);
      servers.push(server);
      reasons.push(await reasonOf(feed(url, timeoutMs).latest()));
      server.closeAllConnections();
    }
    const { url, server } = await feedServer(() => undefined);
    await new Promise((r) => server.close(r));
    reasons.push(await reasonOf(feed(url).latest()));
    expect(reasons).toEqual([
      'bad_status',
      'bad_response',
      'bad_response',
      'timeout',
      'unreachable',
    ]);
  });
});
