import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../../src/clock';
import { Writable } from 'node:stream';
import YAML from 'yaml';
import { parseConfig } from '../../../src/config/load';
import { InfluxExporter, toLines, type InfluxTarget } from '../../../src/history/influx';
import { createLogger } from '../../../src/log/logger';
import { Redactor } from '../../../src/log/redactor';
import { containerKey, fsKey, hostKey } from '../../../src/history/series';
import type { Logger } from '../../../src/log/logger';
import { startInfluxd, type InfluxTestServer } from '../../support/influxd';

const AT = Date.UTC(2026, 0, 1, 12);
const TOKEN = 'sekrit-influx-token-123';

function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = {
    error: (m, meta) => lines.push(m + JSON.stringify(meta ?? {})),
    warn: (m, meta) => lines.push(m + JSON.stringify(meta ?? {})),
    info: (m, meta) => lines.push(m + JSON.stringify(meta ?? {})),
    debug: () => undefined,
    trace: () => undefined,
    child: () => log,
    isLevelEnabled: () => false,
  };
  return { log, lines };
}

const sample = (cpu: number): Map<string, number> =>
  new Map([
    [hostKey('cpu'), cpu],
    [hostKey('mem'), 40],
    [fsKey('pct', '/srv/my data'), 71.5],
    [containerKey('mem', 0, 'web,1'), 1048576],
  ]);

describe('toLines', () => {
  it('groups fields per measurement and escapes tags', () => {
    expect(toLines(sample(12.5), AT, 'box 1')).toEqual([
      `tmbot_host,host=box\\ 1 cpu=12.5,mem=40 ${AT}`,
      `tmbot_filesystem,host=box\\ 1,mount=/srv/my\\ data pct=71.5 ${AT}`,
      `tmbot_container,host=box\\ 1,container=0/web\\,1 mem=1048576 ${AT}`,
    ]);
  });
});

describe('InfluxExporter, v2 request shape (local stand-in)', () => {
  it('POSTs line protocol to /api/v2/write with org, bucket, ms precision and the token header', async () => {
    const seen: { req: IncomingMessage; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ req, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const target: InfluxTarget = {
        url: `http://127.0.0.1:${port}/`,
        token: TOKEN,
        org: 'my org',
        bucket: 'tmbot',
        version: 2,
      };
      const exporter = new InfluxExporter({
        target,
        clock: new ManualClock(AT),
        log: captureLog().log,
        hostTag: 'h',
      });
      exporter.push(sample(1), AT);
      await exporter.flush();
      expect(seen).toHaveLength(1);
      const { req, body } = seen[0]!;
      expect(req.method).toBe('POST');
      const url = new URL(req.url ?? '', 'http://x');
      expect(url.pathname).toBe('/api/v2/write');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        org: 'my org',
        bucket: 'tmbot',
        precision: 'ms',
      });
      expect(req.headers.authorization).toBe(`Token ${TOKEN}`);
      expect(req.headers['content-type']).toMatch(/^text\/plain/);
      expect(body.split('\n')).toEqual(toLines(sample(1), AT, 'h'));
      expect(exporter.stats()).toMatchObject({ backlog: 0, written: 3, dropped: 0 });
    } finally {
      server.close();
    }
  });

  it('drops a batch the server rejects as bad (400) and keeps one the server could not take (503)', async () => {
    let status = 400;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = status;
        res.end(`{"error":"nope ${TOKEN.length}"}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const clock = new ManualClock(AT);
      const { log, lines } = captureLog();
      const target: InfluxTarget = {
        url: `http://127.0.0.1:${port}`,
        token: TOKEN,
        org: 'o',
        bucket: 'b',
        version: 2,
      };
      const exporter = new InfluxExporter({ target, clock, log, hostTag: 'h' });
      exporter.push(sample(1), AT);
      await exporter.flush();
      expect(exporter.stats()).toMatchObject({ backlog: 0, dropped: 3 });
      status = 503;
      exporter.push(sample(2), AT + 1000);
      await exporter.flush();
      expect(exporter.stats()).toMatchObject({ backlog: 3, written: 0 });
      expect(exporter.stats().lastError).toMatch(/503/);
      expect(lines.join('\n')).not.toContain(TOKEN);
    } finally {
      server.close();
    }
  });
});

describe('InfluxExporter against a real influxd (v1 API)', () => {
  let influx: InfluxTestServer;
  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.query('CREATE DATABASE tmbot');
  }, 120_000);
  afterAll(async () => influx.stop());

  it('writes points that query back, then keeps a bounded backlog while influxd is down', async () => {
    const clock = new ManualClock(AT);
    const { log, lines } = captureLog();
    const target: InfluxTarget = {
      url: influx.url,
      token: '',
      org: '',
      bucket: 'tmbot/autogen',
      version: 1,
    };
    const exporter = new InfluxExporter({ target, clock, log, hostTag: 'box', maxBacklog: 50 });
    for (let i = 0; i < 5; i++) exporter.push(sample(10 + i), AT + i * 10_000);
    await exporter.flush();
    expect(exporter.stats()).toMatchObject({ backlog: 0, written: 15 });

    const result = (await influx.query(
      'SELECT cpu, mem FROM tmbot_host ORDER BY time',
      'tmbot',
    )) as {
      results: { series?: { values: [number, number, number][] }[] }[];
    };
    const values = result.results[0]?.series?.[0]?.values ?? [];
    expect(values.map((v) => v[1])).toEqual([10, 11, 12, 13, 14]);
    expect(values[0]?.[0]).toBe(AT);

    await influx.stop();
    for (let i = 0; i < 40; i++) {
      // Synchronous (void): a push never waits for the network.
      exporter.push(sample(i), AT + 60_000 + i * 10_000);
      clock.advance(10 * 60_000); // past any back-off
      await exporter.flush();
    }
    const stats = exporter.stats();
    expect(stats.backlog).toBe(50);
    expect(stats.dropped).toBe(40 * 3 - 50);
    expect(stats.lastError).toMatch(/InfluxDB unreachable \(ECONNREFUSED\)/);
    expect(lines.filter((l) => /unreachable/.test(l))).toHaveLength(1);
  }, 60_000);
});

describe('influxdb settings in the log (real influxd)', () => {
  let influx: InfluxTestServer;
  beforeAll(async () => {
    influx = await startInfluxd();
  }, 30_000);
  afterAll(async () => influx.stop());

  it("keeps the influxdb url, org and bucket out of the log, as pyTMBot's sanitize_exception did", async () => {
    const bucket = 'tenant-acme-metrics';
    const org = 'acme-corporation';
    const { config } = parseConfig({
      text: YAML.stringify({
        bot_token: { prod_token: ['123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr'] },
        access_control: { allowed_user_ids: [1] },
        influxdb: { url: [influx.url], org: [org], bucket: [bucket], token: [''] },
      }),
      origin: 'pytmbot.yaml',
      env: {},
      mode: 'prod',
    });
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const redactor = new Redactor(config.secrets);
    const log = createLogger({ level: 'debug', format: 'json', redactor, stream });
    const { url } = config.influxdb;
    const target: InfluxTarget = { url, token: '', org, bucket, version: 1 };
    const exporter = new InfluxExporter({ target, clock: new ManualClock(AT), log, hostTag: 'h' });
    exporter.push(sample(1), AT);
    // The database does not exist: influxd answers 404 naming it, and that text is logged.
    await exporter.flush();
    expect(exporter.stats().lastError).toContain(bucket);
    log.error('export failed', { error: new Error(`POST ${url}/write?db=${bucket}&org=${org}`) });
    const out = lines.join('');
    expect(out).toMatch(/InfluxDB answered 404/);
    for (const secret of [bucket, org, url]) expect(out).not.toContain(secret);
  }, 30_000);
});
