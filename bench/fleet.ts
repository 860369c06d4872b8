/**
 * Fleet figures: the Fleet screen with 200 hosts read through a real Prometheus (reply through
 * the whole daemon, beside the raw time of the same four queries), and tmbot's /metrics with 100
 * containers on a private Docker engine (scrape p50 beside a raw listContainers, and the RSS the
 * endpoint adds, against the same daemon config without it).
 */
import Dockerode from 'dockerode';
import { BotApiEmulator } from '../test/support/bot-api-emulator';
import { Daemon, TEST_TOKEN } from '../test/support/daemon';
import { BUSYBOX_IMAGE, startEngine, type OwnedDockerEngine } from '../test/support/docker-engine';
import {
  freePort,
  pollUntil,
  startNodeExporter,
  startPrometheus,
  type StackProcess,
} from '../test/support/prometheus-stack';
import { spawn } from 'node:child_process';
import {
  benchAccess,
  fmt,
  machine,
  percentile,
  rssMiB,
  sleep,
  stopChild,
  writeSection,
} from './support';

const HOSTS = 200;
const CONTAINERS = 100;
const FLEET_ROUNDS = Number(process.env.BENCH_FLEET_ROUNDS ?? 12);
const SCRAPE_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
/** The Fleet screen reuses a read for 5 s; rounds wait past it so each reply reads Prometheus. */
const CACHE_GAP_MS = 5200;
const USERS = Array.from({ length: 50 }, (_, i) => 4001 + i);
const MATCHERS = 'job="fleet"';

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

async function fleetPrometheus(): Promise<{ exporter: StackProcess; prom: StackProcess }> {
  const exporter = await startNodeExporter();
  const groups = Array.from(
    { length: HOSTS },
    (_, i) =>
      `      - targets: ['127.0.0.1:${exporter.port}']\n        labels: { host: 'h${String(i).padStart(3, '0')}' }`,
  ).join('\n');
  const prom = await startPrometheus(`  - job_name: fleet\n    static_configs:\n${groups}\n`, 15);
  await pollUntil(
    `${HOSTS} hosts scraped`,
    async () => {
      const r = await fetch(`${prom.url}/api/v1/query?query=count(node_load1)`);
      const b = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
      return b.data?.result?.[0]?.value[1] === String(HOSTS) ? true : undefined;
    },
    180_000,
    1000,
  );
  return { exporter, prom };
}

/** The four queries of one group read, raw: fetch and body, no parsing. */
async function rawQueries(base: string): Promise<void> {
  const sel = (extra: string) => `{${[extra, MATCHERS].filter(Boolean).join(',')}}`;
  const gauges =
    'node_load1|node_load5|node_load15|node_memory_MemTotal_bytes|node_memory_MemAvailable_bytes|node_memory_SwapTotal_bytes|node_memory_SwapFree_bytes|node_filesystem_size_bytes|node_filesystem_avail_bytes|node_network_receive_bytes_total|node_network_transmit_bytes_total|node_hwmon_temp_celsius|node_boot_time_seconds|node_time_seconds';
  const qs = [
    `up${sel('')}`,
    sel(`__name__=~"${gauges}"`),
    `100 * (1 - avg by (host) (rate(node_cpu_seconds_total${sel('mode="idle"')}[5m])))`,
    `count by (host) (node_cpu_seconds_total${sel('mode="idle"')})`,
  ];
  await Promise.all(
    qs.map(async (q) =>
      (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).text(),
    ),
  );
}

async function benchFleetScreen(): Promise<string> {
  const { exporter, prom } = await fleetPrometheus();
  const emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  let daemon: Daemon | undefined;
  try {
    const raw: number[] = [];
    for (let i = 0; i < FLEET_ROUNDS; i++) raw.push((await timed(() => rawQueries(prom.url)))[0]);
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      logLevel: 'info',
      config: {
        access_control: benchAccess(USERS),
        hosts: [
          {
            name: 'dc1',
            prometheus: { url: prom.url, selector: `{${MATCHERS}}`, host_label: 'host' },
          },
        ],
        fleet: { scrape_interval_seconds: 3600 },
      },
    });
    await daemon.ready();
    const screen: number[] = [];
    for (let i = 0; i < FLEET_ROUNDS + 2; i++) {
      const who = emu.user(USERS[i % USERS.length]!, { first_name: 'Bench' });
      await sleep(CACHE_GAP_MS);
      const [ms, reply] = await timed(async () => {
        await who.command('/fleet');
        return who.nextReply(30_000);
      });
      if (!(reply.text ?? '').includes(`Fleet: ${HOSTS} hosts`))
        throw new Error(`unexpected Fleet screen: ${reply.text}`);
      if (i >= 2) screen.push(ms);
    }
    const s50 = percentile(screen, 50);
    const r50 = percentile(raw, 50);
    return `| raw: the 4 PromQL queries of one read, in parallel (baseline) | ${fmt(r50)} | ${fmt(percentile(raw, 95))} | |
| **/fleet reply, ${HOSTS} hosts** (${FLEET_ROUNDS} rounds, each past the 5 s screen cache) | **${fmt(s50)}** | ${fmt(percentile(screen, 95))} | ≤ 2 s |
| ratio reply / raw queries | ${(s50 / r50).toFixed(1)} | | |`;
  } finally {
    await daemon?.stop();
    daemon?.cleanup();
    await emu.stop();
    await prom.stop();
    await exporter.stop();
  }
}

async function createContainers(docker: Dockerode): Promise<void> {
  const names = Array.from({ length: CONTAINERS }, (_, i) => `fleet-bench-${i}`);
  for (let i = 0; i < names.length; i += 8) {
    await Promise.all(
      names.slice(i, i + 8).map(async (name) => {
        const c = await docker.createContainer({
          name,
          Image: BUSYBOX_IMAGE,
          Cmd: ['/bin/sh', '-c', 'while true; do sleep 1; done'],
          HostConfig: { NetworkMode: 'none', Init: true },
        });
        await c.start();
      }),
    );
  }
}

/** RSS of a settled daemon, MiB: the median of a few reads a second apart. */
async function settledRss(pid: number): Promise<number> {
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    await sleep(1000);
    reads.push(rssMiB(pid));
  }
  return percentile(reads, 50);
}

/** GETs against a bare node:http server in a child process: what any scrape costs here. */
async function bareRoundTrips(): Promise<number[]> {
  const port = await freePort();
  const child = spawn(process.execPath, [
    '-e',
    `require('node:http').createServer((q, s) => s.end('ok\\n')).listen(${port}, '127.0.0.1')`,
  ]);
  try {
    await pollUntil('bare server', async () =>
      (await fetch(`http://127.0.0.1:${port}/`)).ok ? true : undefined,
    );
    const out: number[] = [];
    for (let i = 0; i < SCRAPE_ROUNDS; i++) {
      out.push((await timed(async () => (await fetch(`http://127.0.0.1:${port}/`)).text()))[0]);
      await sleep(250);
    }
    return out;
  } finally {
    await stopChild(child);
  }
}

async function benchMetrics(): Promise<string> {
  const engine: OwnedDockerEngine = await startEngine();
  const emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  let daemon: Daemon | undefined;
  try {
    const docker = new Dockerode({ socketPath: engine.socketPath });
    await createContainers(docker);
    const raw: number[] = [];
    for (let i = 0; i < SCRAPE_ROUNDS; i++)
      raw.push((await timed(() => docker.listContainers({ all: true })))[0]);

    const base = { access_control: benchAccess(USERS), docker: { host: [engine.host] } };
    daemon = Daemon.start({ apiRoot: emu.apiRoot, logLevel: 'info', config: base });
    await daemon.ready();
    const without = await settledRss(daemon.proc.pid ?? 0);
    await daemon.stop();
    daemon.cleanup();

    const port = await freePort();
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      logLevel: 'info',
      config: { ...base, fleet: { metrics: { enabled: true, port } } },
    });
    await daemon.ready();
    const url = `http://127.0.0.1:${port}/metrics`;
    const scrape: number[] = [];
    let series = 0;
    for (let i = 0; i < SCRAPE_ROUNDS + 10; i++) {
      const [ms, text] = await timed(async () => (await fetch(url)).text());
      if (i >= 10) scrape.push(ms);
      series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
      // Stay within the endpoint's own rate limit (120 per minute per address).
      await sleep(250);
    }
    const withMetrics = await settledRss(daemon.proc.pid ?? 0);
    const bare = await bareRoundTrips();
    const m50 = percentile(scrape, 50);
    const r50 = percentile(raw, 50);
    return `| bare node:http round trip on loopback, same client (the floor) | ${fmt(percentile(bare, 50))} | ${fmt(percentile(bare, 95))} | |
| raw \`listContainers({all:true})\`, ${CONTAINERS} containers (baseline) | ${fmt(r50)} | ${fmt(percentile(raw, 95))} | |
| **/metrics scrape**, ${CONTAINERS} containers, ${series} series (${SCRAPE_ROUNDS} rounds) | **${fmt(m50)}** | ${fmt(percentile(scrape, 95))} | ≤ 20 ms |
| ratio scrape / raw list | ${(m50 / r50).toFixed(1)} | | |
| RSS added by /metrics (settled daemon with it − without it, after the scrapes) | ${(withMetrics - without).toFixed(1)} MiB | | |`;
  } finally {
    await daemon?.stop();
    daemon?.cleanup();
    await emu.stop();
    await engine.stop();
  }
}

async function main(): Promise<void> {
  const fleetRows = await benchFleetScreen();
  const metricsRows = await benchMetrics();
  const report = `## Fleet and /metrics (bench/fleet.ts)

${machine()}; real Prometheus 2.42 scraping one node_exporter as ${HOSTS} hosts (relabelled), private Docker engine with ${CONTAINERS} running busybox containers; replies measured through the Bot API emulator, raw calls in the same run.

| | p50 | p95 | target |
| --- | ---: | ---: | ---: |
${fleetRows}
${metricsRows}`;
  process.stdout.write(`${report}\n`);
  writeSection('fleet', report);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
