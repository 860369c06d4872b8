import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';

/** A syntactically valid token the emulator accepts; never a real one. */
export const TEST_TOKEN = '123456789:TEST-tokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
export const TEST_SALT = 'TESTSALTQWERTYUIOPASDFGHJKLZXCVBNM234567';
export const ADMIN_ID = 1001;
export const USER_ID = 1002;
export const STRANGER_ID = 6666;
export const ADMIN_CHAT_ID = 1001;

const MAIN_JS = resolve(__dirname, '..', '..', 'dist', 'main.js');

/**
 * `access_control.rate_limit` for tests that send more than a person would: far above the
 * default 8 per 10 s, so a test never waits for the window to pass.
 */
export const UNLIMITED_RATE = { requests: 10_000, per_seconds: 1 };

/** A pyTMBot-style config document for tests; override any section. */
export function testConfig(
  apiRoot: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    config_version: '0.4.0',
    telegram: { api_root: apiRoot },
    bot_token: { prod_token: [TEST_TOKEN] },
    access_control: {
      allowed_user_ids: [ADMIN_ID, USER_ID],
      allowed_admins_ids: [ADMIN_ID],
      auth_salt: [TEST_SALT],
    },
    chat_id: { global_chat_id: [ADMIN_CHAT_ID] },
    docker: { host: ['unix:///nonexistent/docker.sock'] },
    ...overrides,
  };
}

export interface DaemonOptions {
  apiRoot: string;
  /** Sections replacing those of testConfig(). */
  config?: Record<string, unknown>;
  /** Raw YAML instead of a generated document. */
  configText?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a state dir (restart scenarios). */
  stateDir?: string;
  logLevel?: 'trace' | 'debug' | 'info';
}

/** The built daemon (`dist/main.js`) as a child process, with its output captured. */
export class Daemon {
  output = '';
  readonly exited: Promise<number | null>;
  private constructor(
    readonly proc: ChildProcess,
    readonly dir: string,
    readonly stateDir: string,
    readonly configPath: string,
  ) {
    proc.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => proc.on('exit', (code) => res(code)));
  }

  static start(options: DaemonOptions): Daemon {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-e2e-'));
    const stateDir = options.stateDir ?? join(dir, 'state');
    const configPath = join(dir, 'pytmbot.yaml');
    const text = options.configText ?? YAML.stringify(testConfig(options.apiRoot, options.config));
    writeFileSync(configPath, text);
    chmodSync(configPath, 0o600);
    const proc = spawn(
      process.execPath,
      [
        MAIN_JS,
        '--config',
        configPath,
        '--log-level',
        options.logLevel ?? 'debug',
        '--log-format',
        'json',
        ...(options.args ?? []),
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          TMBOT_STATE_DIR: stateDir,
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new Daemon(proc, dir, stateDir, configPath);
  }

  /** Resolves when a log line matching `pattern` has appeared. */
  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline)
        throw new Error(`log never matched ${pattern}. Output:\n${this.output}`);
      if (this.proc.exitCode !== null)
        throw new Error(`daemon exited (${this.proc.exitCode}) before ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits for "ready" in the log. */
  ready(timeoutMs = 60_000): Promise<void> {
    return this.waitForLog(/ready: receiving updates/, timeoutMs);
  }

  /**
   * Sends a signal and waits for the exit code (kills after `timeoutMs`: the daemon exits by
   * itself within 5 s, later on a loaded machine, and a kill would turn its exit 0 into null).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Removes the temp dir (keep it when a test failed to read the log). */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs the built CLI once (`tmbot maintenance on 30m …`) with `env`; its exit code and output. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [MAIN_JS, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (err, stdout, stderr) =>
        res({
          code: err === null ? 0 : Number((err as { code?: number }).code ?? 1),
          out: stdout + stderr,
        }),
    );
  });
}
