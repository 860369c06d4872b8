import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private influxd (Debian's `influxdb`, 1.x) on loopback in a temp dir, stopped by its pid. */
export interface InfluxTestServer {
  readonly url: string;
  /** Runs an InfluxQL statement (v1 `/query`) and returns the parsed JSON. */
  query(q: string, db?: string): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Starts influxd and waits (≤ 60 s) for `/ping`; throws when the binary is missing. Its ports are
 * free when picked but a test running alongside may take one first: then it starts again.
 */
export async function startInfluxd(binary = '/usr/bin/influxd'): Promise<InfluxTestServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary);
    } catch (err) {
      if (attempt >= 5 || !/address already in use/.test(String(err))) throw err;
    }
  }
}

async function startOnce(binary: string): Promise<InfluxTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tmbot-influxd-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${httpPort}"`,
      '  auth-enabled = false',
      '  log-enabled = false',
      '[ifql]',
      '  enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['-config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await Promise.race([
      fetch(`${url}/ping`).then(
        (r) => r.status === 204,
        () => false,
      ),
      spawnError,
    ]);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`influxd did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    async query(q, db) {
      const params = new URLSearchParams({ q, epoch: 'ms', ...(db !== undefined ? { db } : {}) });
      const res = await fetch(`${url}/query`, { method: 'POST', body: params });
      return res.json();
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await stopped;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
