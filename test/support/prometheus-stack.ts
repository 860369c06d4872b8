/**
 * Real node_exporter, Prometheus and Alertmanager for tests: each runs as a plain process on
 * 127.0.0.1 with a free port, its own config and data dir under a temp dir, and is stopped by its
 * pid. Readiness is polled with a deadline. Without a binary the suite is skipped with the reason
 * printed; under `CI=true` (or `TMBOT_REQUIRE_DOCKER=1`) it fails instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port';

export { freePort };

export const STACK_BINARIES = {
  nodeExporter: 'prometheus-node-exporter',
  prometheus: 'prometheus',
  alertmanager: 'prometheus-alertmanager',
} as const;
export type StackBinary = keyof typeof STACK_BINARIES;

/** How long a component may take to answer its readiness URL on a busy 2-core box. */
const READY_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 10_000;

/** The binary's path, or undefined when it is not installed. */
export function findBinary(name: StackBinary): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, STACK_BINARIES[name]);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next directory
    }
  }
  return undefined;
}

/** True when a missing component must fail the tests (CI). */
export function stackRequired(): boolean {
  return process.env.CI === 'true' || process.env.TMBOT_REQUIRE_DOCKER === '1';
}

/**
 * `describe` for tests that need some of the stack. Missing binaries: skipped with the reason
 * printed, or a failing test under CI.
 */
export function describeStack(name: string, needs: readonly StackBinary[], fn: () => void): void {
  const missing = needs.filter((b) => findBinary(b) === undefined).map((b) => STACK_BINARIES[b]);
  if (missing.length === 0) {
    describe(name, fn);
  } else if (stackRequired()) {
    describe(name, () => {
      it('needs the Prometheus stack (CI=true)', () => {
        throw new Error(
          `not installed: ${missing.join(', ')} (apt-get install ${missing.join(' ')})`,
        );
      });
    });
  } else {
    console.warn(
      `${name}: skipped, not installed: ${missing.join(', ')}. Set CI=true to fail instead.`,
    );
    describe.skip(`${name} [skipped: ${missing.join(', ')} not installed]`, fn);
  }
}

/** Polls `url` until it answers 200, with a deadline; the error carries the process log's tail. */
export async function waitReady(
  url: string,
  deadlineMs: number,
  log: () => string,
  init: RequestInit = {},
): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${deadlineMs} ms (${last})\n${log().slice(-2000)}`);
}

/** A component process with its temp dir; `stop()` ends it by pid and removes the dir. */
export class StackProcess {
  private child: ChildProcess | undefined;
  readonly url: string;

  constructor(
    readonly name: StackBinary,
    readonly dir: string,
    readonly port: number,
    private readonly args: readonly string[],
    private readonly readyPath: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'process.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async start(): Promise<this> {
    const bin = findBinary(this.name);
    if (bin === undefined) throw new Error(`${STACK_BINARIES[this.name]} is not installed`);
    const out = openSync(join(this.dir, 'process.log'), 'a');
    this.child = spawn(bin, [...this.args], { cwd: this.dir, stdio: ['ignore', out, out] });
    const exited = new Promise<never>((_, reject) =>
      this.child?.once('exit', (code) =>
        reject(new Error(`${this.name} exited (${code}) before it was ready\n${this.log()}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([
      waitReady(`${this.url}${this.readyPath}`, READY_DEADLINE_MS, () => this.log()),
      exited,
    ]);
    return this;
  }

  /** Ends the process by its pid (TERM, then KILL after a deadline). Keeps the dir for a restart. */
  async halt(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await gone;
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `tmbot-${name}-`));
}

/**
 * Starts the process `make` builds for a free port. A port is free when picked but another test
 * running alongside may take it before the process binds it: then it starts again on another.
 */
async function onFreePort(make: (port: number) => StackProcess): Promise<StackProcess> {
  for (let attempt = 1; ; attempt++) {
    const proc = make(await freePort());
    try {
      return await proc.start();
    } catch (err) {
      await proc.stop();
      if (attempt >= 5 || !/address already in use/.test(String(err))) throw err;
    }
  }
}

/** node_exporter with the collectors the remote screens read (the rest off, to stay light). */
export async function startNodeExporter(port?: number): Promise<StackProcess> {
  if (port === undefined) return onFreePort((p) => nodeExporter(p));
  return nodeExporter(port).start();
}

function nodeExporter(p: number): StackProcess {
  const collectors = ['cpu', 'meminfo', 'loadavg', 'filesystem', 'netdev', 'hwmon', 'time', 'stat'];
  return new StackProcess(
    'nodeExporter',
    tempDir('node-exporter'),
    p,
    [
      `--web.listen-address=127.0.0.1:${p}`,
      '--collector.disable-defaults',
      ...collectors.map((c) => `--collector.${c}`),
    ],
    '/metrics',
  );
}

/** Prometheus with the given `scrape_configs` (YAML list text), global interval `intervalS`. */
export function startPrometheus(scrapeConfigs: string, intervalS = 5): Promise<StackProcess> {
  return onFreePort((port) => {
    const dir = tempDir('prometheus');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: ${intervalS}s\n  evaluation_interval: ${intervalS}s\nscrape_configs:\n${scrapeConfigs}`,
    );
    return new StackProcess(
      'prometheus',
      dir,
      port,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      '/-/ready',
    );
  });
}

/** Alertmanager (single node) with the given config YAML. */
export function startAlertmanager(config: string): Promise<StackProcess> {
  return onFreePort((port) => {
    const dir = tempDir('alertmanager');
    writeFileSync(join(dir, 'alertmanager.yml'), config);
    return new StackProcess(
      'alertmanager',
      dir,
      port,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      '/-/ready',
    );
  });
}

/** Polls `fn` until it returns a value that is not undefined, with a deadline. */
export async function pollUntil<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  deadlineMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}
