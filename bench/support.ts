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
 * A control process that only measures its own event loop (the daemon's probe: perf_hooks, 2 ms
 * resolution) over the same window: what the shared machine alone does to a Node process.
 * Resolves with its worst stall when stopped.
 */
export function startLoopControl(): { proc: ChildProcess; stop: () => Promise<number> } {
  const code = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 2 }); h.enable();
process.on('SIGTERM', () => { process.stdout.write(String(Math.max(0, h.max / 1e6 - 2))); process.exit(0); });
setInterval(() => {}, 1 << 30);`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    proc,
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve(Number(out)));
        proc.kill('SIGTERM');
      }),
  };
}

/** The event-loop figures a daemon at log level debug logs when it stops (its server feature's probe). */
export interface DaemonLoopSummary {
  loopMaxStallMs: number;
  loopP99StallMs: number;
  loopMaxBusyMs: number | undefined;
}

/** Finds the event-loop summary in a stopped daemon's JSON log; throws when there is none. */
export function daemonLoopSummary(output: string): DaemonLoopSummary {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const l = JSON.parse(line) as Partial<DaemonLoopSummary>;
    if (typeof l.loopMaxStallMs === 'number' && typeof l.loopP99StallMs === 'number')
      return {
        loopMaxStallMs: l.loopMaxStallMs,
        loopP99StallMs: l.loopP99StallMs,
        loopMaxBusyMs: typeof l.loopMaxBusyMs === 'number' ? l.loopMaxBusyMs : undefined,
      };
  }
  throw new Error(`the daemon logged no event-loop summary:\n${output.slice(-2000)}`);
}
