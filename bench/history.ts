/**
 * History: chart render (24 h at native 10 s resolution) cold and warm beside
 * rendering the same data without downsampling; RSS after 1 000 renders against
 * the process before its first chart (in a child process); the store's write
 * CPU with 50 containers; size on disk after a simulated 30 days and the 7-day
 * query; a container screen's first view with live stats from the engine and from
 * the history collector's recent sample (private Docker engine).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerodePort } from '../src/adapters/docker/dockerode-port';
import { ManualClock, systemClock } from '../src/clock';
import { HostSystem } from '../src/adapters/system/host-system';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { ChartRenderer, type ChartRequest } from '../src/history/chart';
import { HistoryCollector } from '../src/history/collector';
import { containerKey, fsKey, hostKey, netKey, tempKey } from '../src/history/series';
import { HistoryStore } from '../src/history/store';
import { silentLogger } from '../test/support/silent-logger';
import { runBusybox, startEngine } from '../test/support/docker-engine';
import { fmt, machine, percentile, writeSection } from './support';

const RENDERS = Number(process.env.BENCH_RENDERS ?? 1000);
const CONTAINERS = 50;
const DAY = 86_400_000;

function cpuDay(start: number): ChartRequest {
  const points = Array.from({ length: 8640 }, (_, i) => {
    const v = 20 + 15 * Math.sin(i / 300) + (i % 37 === 0 ? 40 : 0) + ((i * 7919) % 10);
    return { t: start + i * 10_000, v, max: v };
  });
  return {
    title: 'CPU · last 24 h',
    unit: 'percent',
    series: [{ name: 'CPU', points }],
    fromMs: start,
    toMs: start + DAY,
    timeZone: 'UTC',
  };
}

/** The highest peak RSS (VmHWM, MiB) of this process's children right now (the chart renderer). */
function childPeak(): number {
  const pid = process.pid;
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  let peak = 0;
  for (const kid of kids.filter((k) => k !== '')) {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${kid}/status`, 'utf8'));
      peak = Math.max(peak, Number(hwm?.[1] ?? 0) / 1024);
    } catch {
      // the renderer ended between the two reads
    }
  }
  return peak;
}

/**
 * Child mode: renders RENDERS charts and prints the daemon-side RSS (MiB) before the first and
 * after the last, and the renderer process's peak.
 */
async function rssChild(): Promise<void> {
  const rss = (): number => process.memoryUsage().rss / 1024 / 1024;
  const idle = rss();
  const renderer = new ChartRenderer(systemClock);
  const request = cpuDay(Date.UTC(2026, 0, 1));
  let peak = idle;
  let first = idle;
  let childMax = 0;
  for (let i = 0; i < RENDERS; i++) {
    await renderer.render(request);
    if (i === 0) first = rss();
    peak = Math.max(peak, rss());
    childMax = Math.max(childMax, childPeak());
  }
  const after = rss();
  await renderer.close(); // what the idle timer does a minute after the last chart
  process.stdout.write(JSON.stringify({ idle, first, after, peak, closed: rss(), childMax }));
}

interface RenderTimes {
  cold: number;
  warm: number;
  before: number;
  raw: number;
  svg: number;
  raster: number;
  variants: number[];
  bytes: number;
}

/** resvg settings tried against the default rasterise (same SVG, same run). */
const RESVG_VARIANTS: { name: string; options: ResvgRenderOptions }[] = [
  { name: 'shapeRendering optimizeSpeed', options: { shapeRendering: 0 } },
  { name: 'textRendering optimizeSpeed', options: { textRendering: 0 } },
  {
    name: 'both + imageRendering optimizeSpeed',
    options: { shapeRendering: 0, textRendering: 0, imageRendering: 1 },
  },
];

/**
 * Warm renders through the render worker, interleaved with (so under the same load as)
 * the pipeline before issue 13's second pass, in this process: the default clip path on
 * the line and a white background option; plus where the time goes (ECharts SVG vs
 * resvg parse + rasterise + PNG) and the same data undownsampled.
 */
async function renderTimes(): Promise<RenderTimes> {
  const renderer = new ChartRenderer(systemClock);
  const request = cpuDay(Date.UTC(2026, 0, 1));
  let t = performance.now();
  const png = await renderer.render(request);
  const cold = performance.now() - t;
  const { chartOption, CHART_FONT } = await import('../src/history/chart');
  const echarts = await import('echarts');
  const { Resvg } = await import('@resvg/resvg-js');
  const font = {
    loadSystemFonts: false,
    fontFiles: [CHART_FONT],
    defaultFontFamily: 'DejaVu Sans',
  };
  const svgOf = (option: ReturnType<typeof chartOption>): string => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 800, height: 400 });
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    chart.dispose();
    return svg;
  };
  const beforeOption = (): ReturnType<typeof chartOption> => {
    const option = chartOption(request);
    for (const s of option.series as { clip?: boolean }[]) delete s.clip;
    return option;
  };
  const warm: number[] = [];
  const before: number[] = [];
  const svgMs: number[] = [];
  const rasterMs: number[] = [];
  const variants = RESVG_VARIANTS.map(() => [] as number[]);
  for (let i = 0; i < 30; i++) {
    t = performance.now();
    await renderer.render(request);
    warm.push(performance.now() - t);
    t = performance.now();
    new Resvg(svgOf(beforeOption()), { background: '#ffffff', font }).render().asPng();
    before.push(performance.now() - t);
    t = performance.now();
    const svg = svgOf(chartOption(request));
    svgMs.push(performance.now() - t);
    t = performance.now();
    new Resvg(svg, { font }).render().asPng();
    rasterMs.push(performance.now() - t);
    RESVG_VARIANTS.forEach((v, k) => {
      t = performance.now();
      new Resvg(svg, { font, ...v.options }).render().asPng();
      variants[k]!.push(performance.now() - t);
    });
    await new Promise((r) => setImmediate(r));
  }
  // Baseline: the same chart with 8 640 points given to ECharts as is (no downsampling).
  const raw: number[] = [];
  for (let i = 0; i < 10; i++) {
    t = performance.now();
    const option = chartOption(request);
    const series = option.series as { data: number[][] }[];
    if (series[0] !== undefined) series[0].data = request.series[0]!.points.map((p) => [p.t, p.v]);
    new Resvg(svgOf(option), { font }).render().asPng();
    raw.push(performance.now() - t);
    await new Promise((r) => setImmediate(r));
  }
  await renderer.close();
  return {
    cold,
    warm: percentile(warm, 50),
    before: percentile(before, 50),
    raw: percentile(raw, 50),
    svg: percentile(svgMs, 50),
    raster: percentile(rasterMs, 50),
    variants: variants.map((v) => percentile(v, 50)),
    bytes: png.length,
  };
}

function sampleValues(i: number): Map<string, number> {
  const values = new Map<string, number>();
  for (const f of ['cpu', 'mem', 'swap', 'load1', 'load5', 'load15'] as const)
    values.set(hostKey(f), (i % 100) + 0.5);
  for (const m of ['/', '/boot', '/var', '/home', '/srv']) {
    values.set(fsKey('used', m), 1e10 + i * 1000);
    values.set(fsKey('pct', m), 40 + (i % 10));
  }
  for (const n of ['eth0', 'eth1']) {
    values.set(netKey('rx', n), i * 13);
    values.set(netKey('tx', n), i * 7);
  }
  for (let s = 0; s < 4; s++) values.set(tempKey(`coretemp/Core ${s}`), 40 + (i % 20));
  for (let c = 0; c < CONTAINERS; c++) {
    for (const f of ['cpu', 'mem', 'rx', 'tx'] as const)
      values.set(containerKey(f, 0, `app-${c}`), i + c);
  }
  return values;
}

/**
 * 30 days of history as the tiers hold it: one sample per quarter-hour for the
 * first 29 days (each becomes one quarter-hour row), one per minute for the next
 * 22 h, then 10 s samples for the last 2 h — the same row counts as 30 days at 10 s,
 * in a fraction of the time.
 */
function storeFigures(): {
  series: number;
  writeCpuPct: number;
  sizeMiB: number;
  query7d: number;
  query24h: number;
  simSeconds: number;
} {
  const dir = mkdtempSync(join(tmpdir(), 'tmbot-bench-history-'));
  try {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new HistoryStore({
      path: join(dir, 'history.db'),
      intervalS: 10,
      maxBytes: 50 * 1024 * 1024,
      maxSeries: 2000,
      clock,
      log: silentLogger,
    });
    store.open();
    const started = performance.now();
    let i = 0;
    for (; i < 29 * 96; i++) {
      store.record(sampleValues(i));
      clock.advance(900_000);
    }
    for (let m = 0; m < 22 * 60; m++, i++) {
      store.record(sampleValues(i));
      clock.advance(60_000);
    }
    // Write CPU at the real interval: the last 2 h of 10 s samples with 50 containers.
    const cpu0 = process.cpuUsage();
    const samples = 720;
    for (let k = 0; k < samples; k++, i++) {
      store.record(sampleValues(i));
      clock.advance(10_000);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerSample = (cpu.user + cpu.system) / 1000 / samples;
    const simSeconds = (performance.now() - started) / 1000;
    const q = (span: number): number => {
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        store.query(containerKey('cpu', 0, `app-${i}`), clock.now() - span, clock.now());
        times.push(performance.now() - t);
      }
      return percentile(times, 50);
    };
    const figures = {
      series: store.keys('').length,
      writeCpuPct: (cpuMsPerSample / 10_000) * 100,
      sizeMiB: store.sizeBytes() / 1024 / 1024,
      query7d: q(7 * DAY),
      query24h: q(DAY),
      simSeconds,
    };
    store.close();
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A container screen's data, first view: inspect plus live stats. Before: a fresh adapter's
 * two one-shot stats samples (the engine's ~1 s tick). After: the history collector has
 * sampled the engine (a real tick), and the screen takes its recent stats from memory.
 */
async function liveCpu(): Promise<{ cold: number; warm: number; fresh: number }> {
  const engine = await startEngine();
  try {
    await runBusybox(engine, { name: 'bench-history-cpu', cmd: 'while true; do :; done' });
    const id = (await engine.docker.getContainer('bench-history-cpu').inspect()).Id;
    const port = (): DockerodePort =>
      new DockerodePort({
        hosts: [`unix://${engine.socketPath}`],
        tls: undefined,
        log: silentLogger,
        clock: systemClock,
        env: {},
      });
    const cold: number[] = [];
    const warm: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < 7; i++) {
      const docker = port();
      let t = performance.now();
      await docker.inspectContainer(0, id);
      await docker.containerStats(0, id); // a fresh adapter: two one-shot samples
      cold.push(performance.now() - t);
      const sampled = port();
      const collector = new HistoryCollector({
        system: new HostSystem({ clock: systemClock, log: silentLogger }),
        docker: sampled,
        sink: { record: () => undefined },
        exporter: undefined,
        clock: systemClock,
        log: silentLogger,
        intervalMs: 10_000,
        maxContainers: 50,
      });
      await collector.tick();
      await collector.tick(); // the second tick has a CPU figure from the first's sample
      t = performance.now();
      await sampled.inspectContainer(0, id);
      const recent = collector.recentStats(0, id, 20_000);
      warm.push(performance.now() - t);
      if (recent?.cpuPercent === undefined) throw new Error('no recent CPU sample');
      // For comparison: the adapter with a fresh previous sample still asks the engine once.
      t = performance.now();
      await sampled.inspectContainer(0, id);
      await sampled.containerStats(0, id);
      fresh.push(performance.now() - t);
    }
    return { cold: percentile(cold, 50), warm: percentile(warm, 50), fresh: percentile(fresh, 50) };
  } finally {
    await engine.stop();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'rss-child') {
    setInterval(() => undefined, 60_000);
    return rssChild();
  }
  const progress = (m: string): boolean => process.stderr.write(`history bench: ${m}\n`);
  // The renderer holds the event loop only while a chart is in flight (a daemon has its own
  // handles); between the bench's awaits (tsx's dynamic imports) nothing else would.
  setInterval(() => undefined, 60_000);
  progress('render times');
  const render = await renderTimes();
  progress(`RSS over ${RENDERS} renders (child process)`);
  const child = spawnSync(process.execPath, [require.resolve('tsx/cli'), __filename, 'rss-child'], {
    encoding: 'utf8',
  });
  const rss = JSON.parse(child.stdout) as {
    idle: number;
    first: number;
    after: number;
    peak: number;
    closed: number;
    childMax: number;
  };
  const chartRows = [
    `| chart 24 h at 10 s (8 640 points), cold (first chart, starts the renderer process) | ${fmt(render.cold)} | |`,
    `| chart 24 h, warm p50 (renderer process) | ${fmt(render.warm)} | ≤ 150 ms |`,
    `| same run, the pipeline before (clip path, background option; in-process) | ${fmt(render.before)} (now ${(render.warm / render.before).toFixed(2)}× of it) | |`,
    `| where the time goes (in-process, p50): ECharts option + SVG / resvg parse + rasterise + PNG | ${fmt(render.svg)} / ${fmt(render.raster)} | |`,
    ...RESVG_VARIANTS.map(
      (v, k) =>
        `| resvg rasterise with ${v.name} (same SVG, p50) | ${fmt(render.variants[k]!)} (${(render.variants[k]! / render.raster).toFixed(2)}× of the default) | |`,
    ),
    `| same data undownsampled (8 640 points to ECharts) | ${fmt(render.raw)} | |`,
    `| PNG size | ${(render.bytes / 1024).toFixed(0)} KiB | |`,
    `| daemon RSS after ${RENDERS} renders vs before the first (renderer process alive) | +${(rss.after - rss.idle).toFixed(1)} MiB (idle ${rss.idle.toFixed(0)} MiB, peak ${rss.peak.toFixed(0)} MiB) | ≤ +40 MiB |`,
    `| of which the first render / the other ${RENDERS - 1} | +${(rss.first - rss.idle).toFixed(1)} MiB / +${(rss.after - rss.first).toFixed(1)} MiB | |`,
    `| daemon RSS once the renderer has ended | +${(rss.closed - rss.idle).toFixed(1)} MiB | |`,
    `| renderer process peak RSS (VmHWM, replaced every 200 renders) | ${rss.childMax.toFixed(0)} MiB | |`,
  ];
  if (process.env.BENCH_HISTORY_CHARTS_ONLY === '1') {
    process.stdout.write(`${chartRows.join('\n')}\n`);
    return;
  }
  progress('30 simulated days of history');
  const store = storeFigures();
  progress('container live CPU');
  const live = await liveCpu();
  const lines = [
    '## History and charts (bench/history.ts)',
    '',
    machine(),
    '',
    '| measure | figure | target |',
    '| --- | ---: | ---: |',
    ...chartRows,
    `| history write with ${CONTAINERS} containers (${store.series} series, every 10 s) | ${store.writeCpuPct.toFixed(3)} % of one core | ≤ 0.3 % |`,
    `| size on disk after a simulated 30 days | ${store.sizeMiB.toFixed(1)} MiB | ≤ 50 MiB |`,
    `| 7-day query of one series, p50 | ${fmt(store.query7d)} (24 h: ${fmt(store.query24h)}) | ≤ 50 ms |`,
    `| container screen data (inspect + live stats), first view: two one-shot samples (before) | ${fmt(live.cold)} | |`,
    `| same, one one-shot sample after the collector's (the previous release) | ${fmt(live.fresh)} | |`,
    `| same, stats from the collector's recent sample (now) | ${fmt(live.warm)} (${(live.cold / live.warm).toFixed(0)}× faster than two samples) | ≤ 150 ms |`,
    '',
    `Simulating the 30 days (${store.series} series) took ${store.simSeconds.toFixed(0)} s.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  writeSection('history', lines.join('\n'));
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
