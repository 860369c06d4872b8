/**
 * Log-pattern watching on a private engine, in this process with the real Docker adapter:
 * 20 containers each printing ~1 000 lines/s (one in a hundred matching), plus one hostile
 * container printing `aaaa…!` lines against `(a+)+$` — a pattern the config refuses at load,
 * given to the watcher directly here to prove the matcher's time bound on its own.
 * Measures the event loop's worst stall (a 1 ms timer's longest gap, and the main thread's
 * CPU time inside that gap) next to a baseline measured in the same run without watching,
 * this process's CPU (main thread + matcher worker), lines matched, alerts and cut-offs.
 */
import { readFileSync } from 'node:fs';
import Dockerode from 'dockerode';
import { DockerodePort } from '../src/adapters/docker/dockerode-port';
import { compileNamePattern } from '../src/alerts/patterns';
import type { AlertInput } from '../src/alerts/types';
import { systemClock } from '../src/clock';
import type { LogFollow } from '../src/adapters/docker/log-follow-port';
import { LogWatch, type LogRule, type LogWatchDeps } from '../src/logwatch/watcher';
import { sanitiseLog } from '../src/views/docker-logs';
import { BUSYBOX_IMAGE, startEngine } from '../test/support/docker-engine';
import { silentLogger } from '../test/support/silent-logger';
import { fmt, machine, sleep, writeSection } from './support';

const CONTAINERS = 20;
const WINDOW_MS = Number(process.env.BENCH_LOGWATCH_WINDOW_S ?? 20) * 1000;
/** Up to ~1 000 lines a second: 99 lines, one matching line, a 0.1 s pause (shell builtins only). */
const CHATTY =
  'while true; do i=0; while [ $i -lt 99 ]; do echo "INFO request $i ok"; i=$((i+1)); done; echo "FATAL request failed"; usleep 100000; done';
const HOSTILE = `while true; do echo ${'a'.repeat(48)}!; usleep 200000; done`;

interface LoopSample {
  worstGapMs: number;
  worstCpuInGapMs: number;
  p99GapMs: number;
}

/** The main thread's time on a CPU in ms, exact to the nanosecond (the scheduler's own sum). */
function mainThreadCpuMs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
}

/** A 1 ms timer for `ms`: the longest gap between its ticks and the main thread's CPU within it. */
async function loop(ms: number): Promise<LoopSample> {
  const gaps: number[] = [];
  let worstCpu = 0;
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    gaps.push(now - last);
    worstCpu = Math.max(worstCpu, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
  }, 1);
  await sleep(ms);
  clearInterval(timer);
  gaps.sort((a, b) => a - b);
  return {
    worstGapMs: gaps.at(-1) ?? NaN,
    p99GapMs: gaps[Math.floor(gaps.length * 0.99)] ?? NaN,
    worstCpuInGapMs: worstCpu,
  };
}

async function run(docker: Dockerode, name: string, cmd: string): Promise<void> {
  const c = await docker.createContainer({
    name,
    Image: BUSYBOX_IMAGE,
    Cmd: ['/bin/sh', '-c', cmd],
    HostConfig: { NetworkMode: 'none', Init: true },
  });
  await c.start();
}

const rule = (name: string, source: string, containers: string): LogRule => ({
  name,
  source,
  flags: '',
  containers: [compileNamePattern(containers)],
  contextLines: 2,
  rateLimitMs: 600_000,
  action: 'none',
  maxRestartsPerHour: 1,
});

/** Lines a second fed in the synthetic phase, every one matching, over {@link FLOOD_CONTAINERS}. */
const FLOOD_RATE = 10_000;
const FLOOD_CONTAINERS = 10;

/**
 * The same watcher fed 10 000 matching lines a second straight into its follow callbacks
 * (no engine: the producers of this shared box cannot write that fast), so the matcher, the
 * rate limit and the alert path are what is measured.
 */
async function flood(
  ms: number,
): Promise<{ sample: LoopSample; lines: number; alerts: number; perSec: number }> {
  const follows: LogFollow[] = [];
  const docker = {
    hosts: [{ index: 0, label: 'flood' }],
    listContainers: () =>
      Promise.resolve(
        Array.from({ length: FLOOD_CONTAINERS }, (_, i) => ({
          id: String(i).padStart(64, '0'),
          name: `flood-${i}`,
          state: 'running',
          labels: {},
        })),
      ),
    followLogs: (_h: number, _id: string, f: LogFollow) => {
      follows.push(f);
      return new Promise<void>((r) => f.signal.addEventListener('abort', () => r()));
    },
  } as unknown as LogWatchDeps['docker'];
  const fired = new Set<string>();
  const watch = new LogWatch({
    docker,
    engine: {
      fire: (i: AlertInput) => void fired.add(i.target),
      resolve: () => true,
    } as unknown as LogWatchDeps['engine'],
    clock: systemClock,
    log: silentLogger,
    sanitise: (t) => sanitiseLog(t, (x) => x),
    audit: undefined,
    rules: [rule('fatal', 'FATAL|panic', 'flood-*')],
    maxLineBytes: 4096,
    matchTimeoutMs: 250,
    maxContainers: 100,
  });
  watch.start();
  await watch.sync(0);
  const perTick = FLOOD_RATE / 100 / FLOOD_CONTAINERS;
  let n = 0;
  const feeder = setInterval(() => {
    for (const f of follows)
      for (let i = 0; i < perTick; i++)
        f.onLine(`FATAL request ${n++} failed password=x`, 'stdout', false);
  }, 10);
  const t0 = performance.now();
  const sample = await loop(ms);
  clearInterval(feeder);
  const elapsed = performance.now() - t0;
  const lines = watch.stats().lines;
  await watch.stop();
  return { sample, lines, alerts: fired.size, perSec: (n / elapsed) * 1000 };
}

async function main(): Promise<void> {
  const engine = await startEngine();
  const docker = new Dockerode({ socketPath: engine.socketPath });
  try {
    for (let i = 0; i < CONTAINERS; i++) await run(docker, `lw-${i}`, CHATTY);
    await run(docker, 'lw-hostile', HOSTILE);
    await sleep(2000);
    const baseline = await loop(WINDOW_MS / 2);

    const fired: AlertInput[] = [];
    const engineFake = {
      fire: (i: AlertInput) => void fired.push(i),
      resolve: () => true,
    } as unknown as LogWatchDeps['engine'];
    const watch = new LogWatch({
      docker: new DockerodePort({
        hosts: [engine.host],
        tls: undefined,
        log: silentLogger,
        clock: systemClock,
        env: {},
      }),
      engine: engineFake,
      clock: systemClock,
      log: silentLogger,
      sanitise: (t) => sanitiseLog(t, (s) => s),
      audit: undefined,
      rules: [rule('fatal', 'FATAL|panic', 'lw-*'), rule('evil', '(a+)+$', 'lw-*')],
      maxLineBytes: 4096,
      matchTimeoutMs: 250,
      maxContainers: 100,
    });
    watch.start();
    await watch.sync(0);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const watching = await loop(WINDOW_MS);
    const cpu1 = process.cpuUsage(cpu0);
    const elapsed = performance.now() - t0;
    const stats = watch.stats();
    const following = watch.following;
    await watch.stop();

    const fl = await flood(WINDOW_MS / 2);
    const cpuPct = ((cpu1.user + cpu1.system) / 1000 / elapsed) * 100;
    const linesPerSec = (stats.lines / elapsed) * 1000;
    const alerts = new Set(fired.map((f) => f.target)).size;
    const cutOffs = fired.filter((f) => f.facts.kind === 'log_pattern' && f.facts.cutOff === true);
    const rows = [
      ['containers followed', String(following)],
      ['lines matched per second', linesPerSec.toFixed(0)],
      ['matching lines', String(stats.matched)],
      ['alerts raised (distinct container/pattern)', String(alerts)],
      [
        'hostile lines cut off (then the pattern rests there)',
        `${stats.timeouts} (${cutOffs.length} alert)`,
      ],
      ['lines dropped (queue full)', String(stats.dropped)],
      ['process CPU (main + matcher worker)', `${cpuPct.toFixed(1)} % of one core`],
      ['worst event-loop gap, watching', fmt(watching.worstGapMs)],
      ['worst event-loop gap, baseline (not watching)', fmt(baseline.worstGapMs)],
      ['p99 gap, watching / baseline', `${fmt(watching.p99GapMs)} / ${fmt(baseline.p99GapMs)}`],
      [
        'worst main-thread CPU inside one gap, watching / baseline',
        `${fmt(watching.worstCpuInGapMs)} / ${fmt(baseline.worstCpuInGapMs)}`,
      ],
    ];
    rows.push(
      ['synthetic: matching lines fed per second', fl.perSec.toFixed(0)],
      ['synthetic: lines matched / alerts raised', `${fl.lines} / ${fl.alerts}`],
      [
        'synthetic: worst gap / p99 gap',
        `${fmt(fl.sample.worstGapMs)} / ${fmt(fl.sample.p99GapMs)}`,
      ],
      ['synthetic: worst main-thread CPU inside one gap', fmt(fl.sample.worstCpuInGapMs)],
    );
    const table = [
      '| measure | value |',
      '| --- | --- |',
      ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    ];
    const md = `## Log-pattern alerts (bench/logwatch.ts)

${machine()}. ${CONTAINERS} containers × ~1 000 lines/s (1 % matching) + one hostile container
printing \`a…a!\` against \`(a+)+$\` (refused at load; injected here to test the time bound),
${(WINDOW_MS / 1000).toFixed(0)} s. Then, synthetic, ${FLOOD_RATE} matching lines a second fed to the
watcher of ${FLOOD_CONTAINERS} containers without an engine for ${(WINDOW_MS / 2000).toFixed(0)} s. Gaps are wall time between ticks of a 1 ms timer (on this shared
box they include time the OS gave to other processes); "main-thread CPU inside one gap" is the
work this process's event loop did in that gap — what a stall caused by tmbot costs.

${table.join('\n')}`;
    console.log(md);
    writeSection('logwatch', md);
  } finally {
    await engine.stop();
  }
}

void main();
