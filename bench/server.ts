/**
 * Server screens: Quick view reply latency through the full daemon (warm),
 * the daemon's worst event-loop stall while every server screen and
 * drill-down is requested in turn (its own monitorEventLoopDelay, logged at
 * stop), both beside the /proc floor measured in this run; plus each replaced
 * systeminformation call against the adapter's direct read.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import si from 'systeminformation';
import { HostSystem } from '../src/adapters/system/host-system';
import type { StaticCpu } from '../src/adapters/system/si-readers';
import type { SystemPort } from '../src/adapters/system/system-port';
import { systemClock } from '../src/clock';
import { silentLogger } from '../test/support/silent-logger';
import { BotApiEmulator, type EmuMessage } from '../test/support/bot-api-emulator';
import { Daemon, TEST_SALT, TEST_TOKEN } from '../test/support/daemon';
import { fmt, machine, percentile, sleep, startLoopControl, writeSection } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const WARMUP = 30;
/** Passes over every screen for the stall measurement: the first is cold, the rest warm. */
const PASSES = 3;
/** Daemons started for each stall figure; the machine is shared, so one run proves little. */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Requests rotate over many users so the per-user rate limit (8 per 10 s) never applies. */
const USERS = Array.from({ length: 120 }, (_, i) => 4001 + i);

const SCREENS: { label: string; drill: string[] }[] = [
  { label: '🪫 Load average', drill: ['🔄 Refresh'] },
  { label: '🔌 CPU', drill: ['🧮 Per core', '⏱ CPU times', '🔝 Top 10', '🧠 Sort by memory'] },
  { label: '📟 Memory load', drill: ['💽 Swap'] },
  { label: '⏱️ Sensors', drill: ['🌀 Fans'] },
  { label: '🚀 Process', drill: ['🔝 Top 10'] },
  { label: '🛸 Uptime', drill: ['👥 Sessions'] },
  { label: '💾 File system', drill: ['📈 Disk I/O'] },
  { label: '📡 Network', drill: ['🔌 Interfaces', '🔗 Connections'] },
  {
    label: '👀 Quick view',
    drill: ['💾 Memory', '🌡 Temperatures', '⚡ CPU', '📂 Disk', '📊 Overview'],
  },
  { label: '🍄 About me', drill: [] },
];

/** The /proc floor: one synchronous read of each file a Quick view needs most, in µs. */
function procFloor(): { p50: number; p99: number } {
  const read = (): void => {
    readFileSync('/proc/stat', 'utf8');
    readFileSync('/proc/meminfo', 'utf8');
    readFileSync('/proc/loadavg', 'utf8');
  };
  for (let i = 0; i < 200; i++) read();
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    read();
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

let userIndex = 0;
function nextUser(emu: BotApiEmulator): ReturnType<BotApiEmulator['user']> {
  return emu.user(USERS[userIndex++ % USERS.length]!, { first_name: 'Bench' });
}

async function roundTrips(emu: BotApiEmulator, text: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const user = nextUser(emu);
    const t0 = performance.now();
    await user.text(text);
    await user.nextReply(10_000);
    times.push(performance.now() - t0);
  }
  return times;
}

async function everyScreen(emu: BotApiEmulator): Promise<void> {
  for (const s of SCREENS) {
    const user = nextUser(emu);
    await user.text(s.label);
    const msg: EmuMessage = await user.nextReply(10_000);
    for (const button of s.drill) {
      const id = await user.press(msg, button);
      await emu.waitForCallbackAnswer(id, 10_000);
    }
  }
}

function startDaemon(emu: BotApiEmulator, logLevel: 'debug' | 'info'): Daemon {
  return Daemon.start({
    apiRoot: emu.apiRoot,
    logLevel,
    config: {
      access_control: { allowed_user_ids: USERS, allowed_admins_ids: [], auth_salt: [TEST_SALT] },
    },
  });
}

interface LogLine {
  message?: string;
  screen?: string;
  ms?: number;
  loopMaxStallMs?: number;
  loopP99StallMs?: number;
  loopMaxBusyMs?: number;
  screensServed?: number;
}

function logLines(d: Daemon): LogLine[] {
  return d.output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

function loopSummary(d: Daemon): LogLine {
  const line = logLines(d).find((l) => l.loopMaxStallMs !== undefined);
  if (line === undefined)
    throw new Error(`the daemon logged no event-loop summary:\n${d.output.slice(-2000)}`);
  return line;
}

/** Time and worst loop stall of one call, in this process, with the loop idle around it. */
async function probe(call: () => Promise<unknown>): Promise<{ ms: number; stallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await sleep(30);
  h.reset();
  await sleep(5);
  const t0 = performance.now();
  await call();
  const ms = performance.now() - t0;
  await sleep(30);
  h.disable();
  return { ms, stallMs: Math.max(0, h.max / 1e6 - 1) };
}

async function compare(
  name: string,
  viaSi: () => Promise<unknown>,
  direct: (s: SystemPort) => Promise<unknown>,
  n = 5,
): Promise<string> {
  const siRuns: { ms: number; stallMs: number }[] = [];
  const ours: { ms: number; stallMs: number }[] = [];
  for (let i = 0; i < n; i++) {
    // systeminformation reuses some results for up to 500 ms; wait that out so each call does its work.
    await sleep(600);
    siRuns.push(await probe(viaSi));
    // A fresh adapter each time: no cache, a cold read.
    // Static CPU facts come from si.cpu() once at start in the daemon; they are not what is compared here.
    const sys = new HostSystem({
      clock: systemClock,
      log: silentLogger,
      processWindowMs: 0,
      staticCpu: () => Promise.resolve(NO_STATIC_CPU),
    });
    ours.push(await probe(() => direct(sys)));
  }
  const med = (xs: { ms: number; stallMs: number }[], k: 'ms' | 'stallMs'): number =>
    percentile(
      xs.map((x) => x[k]),
      50,
    );
  return `| ${name} | ${fmt(med(siRuns, 'ms'))} | ${fmt(med(siRuns, 'stallMs'))} | ${fmt(med(ours, 'ms'))} | ${fmt(med(ours, 'stallMs'))} |`;
}

const NO_STATIC_CPU: StaticCpu = {
  model: undefined,
  physicalCores: undefined,
  mhzMin: undefined,
  mhzMax: undefined,
};

/** "median (min–max)" of one figure over the runs. */
function spread(xs: number[]): string {
  return `${fmt(percentile(xs, 50))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
}

async function main(): Promise<void> {
  const floor = procFloor();

  // Baseline: the daemon's own stall from start to stop with no screen requested.
  const idle: LogLine[] = [];
  const busy: LogLine[] = [];
  const idleControl: number[] = [];
  const busyControl: number[] = [];
  let served: LogLine[] = [];
  let emu: BotApiEmulator;
  let daemon: Daemon;
  for (let run = 0; run < RUNS; run++) {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    let control = startLoopControl();
    daemon = startDaemon(emu, 'debug');
    await daemon.ready();
    await sleep(4000);
    await daemon.stop();
    idleControl.push((await control.stop()).stallMs);
    idle.push(loopSummary(daemon));
    daemon.cleanup();
    await emu.stop();

    // Every screen in turn, PASSES times; the daemon reports its worst stall at stop.
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    daemon = startDaemon(emu, 'debug');
    await daemon.ready();
    await sleep(1500);
    control = startLoopControl();
    for (let i = 0; i < PASSES; i++) await everyScreen(emu);
    busyControl.push((await control.stop()).stallMs);
    await daemon.stop();
    busy.push(loopSummary(daemon));
    if (run === 0) served = logLines(daemon).filter((l) => l.message === 'served server screen');
    daemon.cleanup();
    await emu.stop();
  }

  // Quick view latency, warm, against /start in the same daemon.
  emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  daemon = startDaemon(emu, 'info');
  await daemon.ready();
  await sleep(1500);
  await roundTrips(emu, '/start', WARMUP);
  const start = await roundTrips(emu, '/start', ROUNDS);
  await roundTrips(emu, '👀 Quick view', WARMUP);
  const quick = await roundTrips(emu, '👀 Quick view', ROUNDS);
  await daemon.stop();
  daemon.cleanup();
  await emu.stop();

  const perScreen = new Map<string, number[]>();
  for (const l of served)
    perScreen.set(l.screen ?? '?', [...(perScreen.get(l.screen ?? '?') ?? []), l.ms ?? NaN]);
  const screenRows = [...perScreen.entries()].map(
    ([screen, ms]) => `| ${screen} | ${fmt(ms[0] ?? NaN)} | ${fmt(percentile(ms.slice(1), 50))} |`,
  );

  const siRows = [
    await compare(
      'CPU % (`si.currentLoad` vs /proc/stat sampler)',
      () => si.currentLoad(),
      (s) => s.cpu(),
    ),
    await compare(
      'memory (`si.mem` vs /proc/meminfo)',
      () => si.mem(),
      (s) => s.memory(),
    ),
    await compare(
      'process table (`si.processes` vs chunked /proc/<pid>/stat scan)',
      () => si.processes(),
      (s) => s.processes(),
    ),
    await compare(
      'interfaces (`si.networkInterfaces` vs /sys/class/net + os)',
      () => si.networkInterfaces(),
      (s) => s.interfaces(),
    ),
    await compare(
      'network totals (`si.networkStats` vs /proc/net/dev)',
      () => si.networkStats('*'),
      (s) => s.networkTotals(),
    ),
    await compare(
      'file systems (`si.fsSize` vs /proc/self/mounts + statfs)',
      () => si.fsSize(),
      (s) => s.filesystems(),
    ),
    await compare(
      'connections (`si.networkConnections` vs /proc/net/tcp*,udp*)',
      () => si.networkConnections(),
      (s) => s.connections(),
    ),
  ];

  const q50 = percentile(quick, 50);
  const s50 = percentile(start, 50);
  const report = `## Server screens (bench/server.ts)

${machine()}. Same run for every figure. Latency: daemon at log level info. Stall: daemon at log level debug, the only level at which its event-loop probe (perf_hooks \`monitorEventLoopDelay\`, 2 ms resolution, never reset) runs; it logs the worst stall when it stops.

| | figure | target |
| --- | ---: | ---: |
| /proc floor: sync read of /proc/stat + meminfo + loadavg, p50 / p99 | ${floor.p50.toFixed(1)} µs / ${floor.p99.toFixed(1)} µs | |
| /start reply, warm, p50 / p99 (routing floor, ${ROUNDS} round trips) | ${fmt(s50)} / ${fmt(percentile(start, 99))} | |
| **Quick view reply, warm, p50** / p99 (${ROUNDS} round trips) | **${fmt(q50)}** / ${fmt(percentile(quick, 99))} | p50 ≤ 25 ms |
| Quick view p50 ÷ /start p50 | ${(q50 / s50).toFixed(2)} | |
| daemon's worst event-loop stall, idle from start to stop (baseline): median of ${RUNS} daemons (min–max) | ${spread(idle.map((l) => l.loopMaxStallMs ?? NaN))} | |
| **daemon's worst event-loop stall (wall clock) while every screen and drill-down is requested** (${PASSES} passes, first cold, ${busy[0]?.screensServed} screens): median of ${RUNS} daemons (min–max) | **${spread(busy.map((l) => l.loopMaxStallMs ?? NaN))}** | ≤ 20 ms |
| the same, p99 tick | ${spread(busy.map((l) => l.loopP99StallMs ?? NaN))} | |
| **longest stall the daemon caused itself** (wall time between two 2 ms ticks minus the main thread's wait in the run queue: preemption by other processes excluded), while every screen is requested | **${spread(busy.map((l) => l.loopMaxBusyMs ?? NaN))}** | ≤ 20 ms |
| the same, idle from start to stop (baseline) | ${spread(idle.map((l) => l.loopMaxBusyMs ?? NaN))} | |
| control: an idle Node process's worst stall over the same windows (idle run / busy run) | ${spread(idleControl)} / ${spread(busyControl)} | |

How to read the stall rows: the wall-clock figure is what perf_hooks reports, and on this shared 2-core machine it is dominated by other processes (the control process, which does nothing at all, stalls for tens of milliseconds too, and the scheduler favours a process that mostly sleeps over one that is working, so the daemon fares worse than the control under the same load). The own-stall figure takes out of each gap the time the daemon's main thread waited in the kernel's run queue for a CPU (\`/proc/thread-self/schedstat\`), so it is the part of the stall the daemon itself causes. (It replaced main-thread CPU time, which this kernel accounts in 4 ms steps that catch up in jumps larger than the wall time that passed.)

Time to build each screen inside the daemon (from its debug log; first request cold, then the median of the warm ones; cached figures answer in microseconds):

| screen | first | warm p50 |
| --- | ---: | ---: |
${screenRows.join('\n')}

Why the adapter reads /proc and /sys itself for these metrics: each call cold, in this process, 5 times: the median time, and the median of the worst event-loop stall seen during each call (the median filters out moments when the shared machine preempted the process).

| metric | systeminformation | its stall | tmbot adapter | its stall |
| --- | ---: | ---: | ---: | ---: |
${siRows.join('\n')}

Besides speed, systeminformation lacks what some screens need: \`si.mem()\` has no shared memory, \`si.disksIO()\`/\`si.fsStats()\` give only machine totals (no per-disk rows), \`si.cpuTemperature()\` has CPU temperatures only (no chips, no fans), \`si.networkConnections()\` needs \`netstat\` (absent from slim images) and \`si.networkInterfaces()\` runs one \`execSync\` per /sys file.

systeminformation stays in use where it is read once or rarely: CPU model, physical cores and clock limits (\`si.cpu()\`, once, in the background at start). Logged-in users were its last other use (\`si.users()\`, which ran \`who\` and \`w\`); loading the library at the first Users screen held the event loop for ~30 ms, so they are now read from utmp directly (\`src/adapters/system/utmp.ts\`).`;
  process.stdout.write(`${report}\n`);
  writeSection('server', report);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
