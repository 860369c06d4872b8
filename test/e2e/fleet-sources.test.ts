/**
 * The fleet's sources against the real things: node_exporter scraped directly, Prometheus
 * relabelling one exporter into 200 hosts, and exporters that misbehave (garbage, a hang, 10 MB).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../src/clock';
import type { RemoteHostConfig } from '../../src/config/types';
import { parseExposition } from '../../src/fleet/exposition';
import { Fleet } from '../../src/fleet/fleet';
import { keepNodeMetric } from '../../src/fleet/node-metrics';
import { QUERIES_PER_READ } from '../../src/fleet/prometheus-group';
import {
  describeStack,
  pollUntil,
  startNodeExporter,
  startPrometheus,
  type StackProcess,
} from '../support/prometheus-stack';

// A real node_exporter on a loaded CI box can take seconds per scrape (it stats every mount).
const LIMITS = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };
// Above 100 %: a saturated CI box must not turn the real hosts critical.
const THRESHOLDS = { cpu: 101, memory: 101, disk: 101 };

function exporterHost(name: string, url: string): RemoteHostConfig {
  return { kind: 'node_exporter', name, endpoint: { url, auth: {}, limits: LIMITS } };
}

async function ownMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const out = new Map<string, number>();
  for (const s of parseExposition(text, keepNodeMetric)) {
    const key = `${s.name}|${s.labels.mountpoint ?? s.labels.device ?? ''}`;
    out.set(key, s.value);
  }
  return out;
}

describeStack('remote hosts through node_exporter', ['nodeExporter'], () => {
  let exporter: StackProcess;
  beforeAll(async () => {
    exporter = await startNodeExporter();
  }, 90_000);
  afterAll(async () => {
    await exporter?.stop();
  });

  it('reads the values the exporter itself reports, within bounds read before and after', async () => {
    const url = `${exporter.url}/metrics`;
    const fleet = new Fleet({
      hosts: [exporterHost('alpha', url), exporterHost('beta', url)],
      thresholds: THRESHOLDS,
      warningMarginPercent: 0,
      clock: systemClock,
      cacheMs: 0,
    });
    const before = await ownMetrics(url);
    const snap = await fleet.snapshot('alpha');
    const after = await ownMetrics(url);
    expect(snap.memory?.totalBytes).toBe(before.get('node_memory_MemTotal_bytes|'));
    const root = snap.filesystems.find((f) => f.mount === '/');
    expect(root?.sizeBytes).toBe(before.get('node_filesystem_size_bytes|/'));
    const bootBefore = before.get('node_boot_time_seconds|') ?? NaN;
    const up = snap.uptimeSeconds ?? NaN;
    expect(up).toBeGreaterThanOrEqual((before.get('node_time_seconds|') ?? 0) - bootBefore);
    expect(up).toBeLessThanOrEqual((after.get('node_time_seconds|') ?? 0) - bootBefore);
    // Other tests' Docker networks add and remove bridges meanwhile: an interface that is not in
    // both readings has no bounds (it is checked to be in one of them).
    for (const nic of snap.network) {
      const key = `node_network_receive_bytes_total|${nic.name}`;
      const [low, high] = [before.get(key), after.get(key)];
      expect(low !== undefined || high !== undefined).toBe(true);
      if (low === undefined || high === undefined) continue;
      expect(nic.rxBytes).toBeGreaterThanOrEqual(low);
      expect(nic.rxBytes).toBeLessThanOrEqual(high);
    }
    expect(snap.cpu?.cores).toBeGreaterThan(0);
    // The second reading gives CPU busy time from the counters' difference.
    const again = await fleet.snapshot('alpha');
    expect(again.cpu?.busyPercent).toBeGreaterThanOrEqual(0);
    expect(again.cpu?.busyPercent).toBeLessThanOrEqual(100);
    const statuses = await fleet.statuses();
    expect(statuses.map((s) => [s.name, s.state])).toEqual([
      ['alpha', 'ok'],
      ['beta', 'ok'],
    ]);
  });

  describe('misbehaving exporters are bounded and show as down', () => {
    const servers: Server[] = [];
    async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
      const srv = createServer(handler);
      servers.push(srv);
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/metrics`;
    }
    afterAll(async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    });

    it('garbage, a hang and 10 MB each end as "down" with a reason, within the timeout', async () => {
      const garbage = await serve((_q, res) => res.end('<html><b>hello</b></html>\n\u0000\u0001'));
      const hang = await serve(() => undefined);
      const huge = await serve((_q, res) => {
        const chunk = Buffer.alloc(64 * 1024, 'node_load1 1\n');
        let sent = 0;
        const pump = (): void => {
          while (sent < 10 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
      });
      const fleet = new Fleet({
        hosts: [
          exporterHost('garbage', garbage),
          {
            ...exporterHost('hang', hang),
            endpoint: { url: hang, auth: {}, limits: { ...LIMITS, timeoutMs: 1000 } },
          },
          exporterHost('huge', huge),
          exporterHost('real', `${exporter.url}/metrics`),
        ],
        thresholds: THRESHOLDS,
        warningMarginPercent: 0,
        clock: systemClock,
        cacheMs: 0,
      });
      const t0 = Date.now();
      const statuses = await fleet.statuses();
      // The hang's 1 s and the real exporter's 10 s limits, plus a loaded machine's slack.
      expect(Date.now() - t0).toBeLessThan(30_000);
      const by = new Map(statuses.map((s) => [s.name, s]));
      expect(by.get('garbage')?.state).toBe('down');
      expect(by.get('garbage')?.error).toMatch(/not node_exporter metrics/);
      expect(by.get('hang')?.error).toBe('no answer within 1000 ms');
      expect(by.get('huge')?.error).toBe('the answer is larger than 1048576 bytes');
      expect(by.get('real')?.state).toBe('ok');
      // Worst first.
      expect(statuses[statuses.length - 1]?.name).toBe('real');
    });
  });
});

describeStack('a Prometheus fleet of 200 hosts', ['nodeExporter', 'prometheus'], () => {
  const HOSTS = 200;
  let exporter: StackProcess;
  let prometheus: StackProcess;
  beforeAll(async () => {
    exporter = await startNodeExporter();
    const target = `127.0.0.1:${exporter.port}`;
    const groups = Array.from(
      { length: HOSTS },
      (_, i) =>
        `      - targets: ['${target}']\n        labels: { host: 'h${String(i).padStart(3, '0')}' }`,
    ).join('\n');
    prometheus = await startPrometheus(
      `  - job_name: fleet\n    static_configs:\n${groups}\n  - job_name: dead\n    static_configs:\n      - targets: ['127.0.0.1:9']\n        labels: { host: 'zz-dead' }\n`,
      10,
    );
    await pollUntil(
      '200 hosts scraped',
      async () => {
        const r = await fetch(`${prometheus.url}/api/v1/query?query=count(node_load1)`);
        const body = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
        return body.data?.result?.[0]?.value[1] === String(HOSTS) ? true : undefined;
      },
      120_000,
      1000,
    );
  }, 240_000);
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('lists every host worst first with a fixed number of queries', async () => {
    const fleet = new Fleet({
      hosts: [
        {
          kind: 'prometheus',
          name: 'dc1',
          endpoint: {
            url: prometheus.url,
            auth: {},
            limits: { timeoutMs: 20_000, maxBytes: 64 << 20 },
          },
          matchers: 'job=~"fleet|dead"',
          hostLabel: 'host',
        },
      ],
      thresholds: THRESHOLDS,
      warningMarginPercent: 0,
      clock: systemClock,
      cacheMs: 0,
    });
    const before = fleet.prometheusQueries;
    // Until one read knows the dead target and finds every live one up: on a loaded machine a
    // scrape of the shared exporter can time out now and then (that host is down for a round).
    const statuses = await pollUntil('the dead target is known and the rest are up', async () => {
      const s = await fleet.refresh();
      return s.length === HOSTS + 1 && s.slice(1).every((h) => h.state === 'ok') ? s : undefined;
    });
    expect(statuses).toHaveLength(HOSTS + 1);
    expect(statuses[0]).toMatchObject({ name: 'zz-dead', state: 'down' });
    expect(statuses.slice(1).filter((s) => s.state !== 'ok')).toEqual([]);
    expect(statuses[1]?.snapshot?.memory?.totalBytes).toBeGreaterThan(0);
    expect(statuses[1]?.snapshot?.cpu?.cores).toBeGreaterThan(0);
    const reads = (fleet.prometheusQueries - before) / QUERIES_PER_READ;
    expect(Number.isInteger(reads)).toBe(true);
    // One more read: exactly QUERIES_PER_READ queries for 201 hosts.
    const q = fleet.prometheusQueries;
    await fleet.refresh();
    expect(fleet.prometheusQueries - q).toBe(QUERIES_PER_READ);
  });
});
