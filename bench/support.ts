import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Percentile of a sample (nearest rank). */
export function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

export const fmt = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

/** Resident set size of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const DOC = join(__dirname, '..', 'docs', 'performance.md');

/**
 * Replaces the section between `<!-- bench:name -->` markers in
 * docs/performance.md with fresh figures (appends it if absent).
 */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let doc = existsSync(DOC)
    ? readFileSync(DOC, 'utf8')
    : '# Performance\n\nFigures written by `npm run bench` (each section by its benchmark). Ratios compare against a baseline measured in the same run, because machines here are noisy.\n';
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc =
    i >= 0 && j > i
      ? doc.slice(0, i) + block + doc.slice(j + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Machine description for the report header. */
export function machine(): string {
  const cpus =
    readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown CPU';
  const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0;
  return `${cores} × ${cpus}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Stops a child process: SIGTERM, then SIGKILL after 5 s. */
export function stopChild(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
    setTimeout(() => p.kill('SIGKILL'), 5000).unref();
  });
}

/** access_control for a benchmark daemon: many plain users, so no one hits the per-user rate limit. */
export function benchAccess(users: readonly number[]): Record<string, unknown> {
  return { allowed_user_ids: users, allowed_admins_ids: [], auth_salt: 'x'.repeat(32) };
}

/**
 * The V8 flag every shipped start command passes (\`npm start\`, the Dockerfile's entrypoint, the
 * systemd unit): 1 MiB semi-spaces. Benchmarks run the daemon the way it ships.
 */
export const SHIPPED_NODE_OPTIONS = '--max-semi-space-size=1';

/** What {@link startLoopControl} saw over its window, in ms. */
export interface ControlSummary {
  /** Worst event-loop stall (wall clock) of a process doing almost nothing. */
  stallMs: number;
  /**
   * Its worst stall with its run-queue waits taken out, as the daemon's own stall is measured:
   * what a process that does almost nothing is charged with on this machine in this window.
   */
  ownStallMs: number;
  /** How many of those were over 20 ms. */
  ownOver20: number;
  /** Time one fixed task (the same work every time) held the loop, run-queue waits excluded: median, worst. */
  taskP50Ms: number;
  taskMaxMs: number;
}

/**
 * A control process over the same window as a measured daemon: its own event loop measured by
 * the daemon's probe (perf_hooks at 2 ms for the wall clock, and the same gaps less run-queue
 * waits), and how long one fixed task run every 50 ms holds the loop
 * (serialising and parsing the same ~40 kB document; wall time less run-queue wait, as the daemon's
 * probe measures). The stall is what the shared machine alone does to a Node process; the task's
 * worst against its median is what the same work costs when the machine is that busy (caches,
 * memory bandwidth, the kernel).
 */
export function startLoopControl(): { proc: ChildProcess; stop: () => Promise<ControlSummary> } {
  const probe = JSON.stringify(
    join(__dirname, '..', 'dist', 'adapters', 'system', 'loop-delay.js'),
  );
  const clockModule = JSON.stringify(join(__dirname, '..', 'dist', 'clock.js'));
  const code = `const { LoopDelayProbe, ThreadClock, ownTime } = require(${probe});
const loop = new LoopDelayProbe(require(${clockModule}).systemClock);
loop.start();
const clock = ThreadClock.open();
const doc = Array.from({ length: 400 }, (_, i) => ({ id: i, name: 'container-' + i, state: 'running', labels: { a: 'x'.repeat(20) } }));
const task = [];
setInterval(() => {
  const t0 = clock?.read();
  for (let i = 0; i < 3; i++) JSON.parse(JSON.stringify(doc));
  const t1 = clock?.read();
  if (t0 !== undefined && t1 !== undefined) task.push(ownTime(t0, t1));
}, 50);
process.on('SIGTERM', () => {
  task.sort((a, b) => a - b);
  const s = loop.summary();
  const out = { stallMs: s?.maxStallMs ?? NaN, ownStallMs: s?.maxBusyMs ?? NaN, ownOver20: s?.longBusy ?? NaN, taskP50Ms: task[Math.floor(task.length / 2)] ?? NaN, taskMaxMs: task[task.length - 1] ?? NaN };
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
});`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    proc,
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve(JSON.parse(out) as ControlSummary));
        proc.kill('SIGTERM');
      }),
  };
}

/** Event-loop figures of a daemon over a window (bench/loop-probe.js), in ms. */
export interface DaemonLoopSummary {
  loopMaxStallMs: number;
  loopP99StallMs: number;
  loopMaxBusyMs: number | undefined;
  /** How many gaps between two probe ticks held the loop over 20 ms (run-queue waits excluded). */
  loopBusyOver20: number | undefined;
}
