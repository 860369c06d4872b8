/**
 * `tmbot demo`: the real daemon (same loader, same createApp: polling, middleware, features,
 * plugins) against the embedded Bot API server, plus the chat page. Everything it writes (config,
 * state dir) lives in one temp dir that stop() removes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { loadConfigFile } from '../config/load';
import { healthTimings } from '../health/timings';
import type { Logger } from '../log/logger';
import type { Redactor } from '../log/redactor';
import { JsonStateStore } from '../state/json-store';
import { BotApiServer } from './bot-api/server';
import { fakeToken, writeDemoConfig } from './config';
import { DemoPage } from './page-server';
import { DEMO_ADMIN } from './people';
import { demoAuthenticator } from './totp-aid';

/** What `tmbot demo` was asked for. */
export interface DemoOptions {
  /** Page port on 127.0.0.1 (0: a free one). */
  port: number;
  plugins: readonly string[];
  dockerHost: string;
  /** Where the page files are (dist/demo/page when built). */
  pageDir: string;
}

/** A running demo. */
export interface RunningDemo {
  /** The one URL to open (127.0.0.1, with the access token). */
  readonly url: string;
  /** Settles when the daemon's update source ends (rejects on a fatal error). */
  readonly finished: Promise<void>;
  /** Stops page, daemon and server, then removes the temp dir. Idempotent. */
  stop(reason: string): Promise<void>;
}

/** Starts the demo; on a start failure everything started so far is stopped and removed. */
export async function startDemo(
  opts: DemoOptions,
  deps: { log: Logger; redactor: Redactor; clock: Clock },
): Promise<RunningDemo> {
  const dir = mkdtempSync(join(tmpdir(), 'tmbot-demo-'));
  const stops: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      for (const s of stops.reverse()) await s().catch(() => undefined);
      deps.log.info(`demo stopped (${reason})`);
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    const token = fakeToken();
    const api = await BotApiServer.start({
      token,
      botUsername: 'tmbot_demo_bot',
      botFirstName: 'tmbot demo',
    });
    stops.push(() => api.stop());
    const stateDir = join(dir, 'state');
    const file = writeDemoConfig(dir, {
      apiRoot: api.apiRoot,
      token,
      dockerHost: opts.dockerHost,
      stateDir,
    });
    deps.redactor.add(token);
    deps.redactor.add(file.salt);
    // An empty environment: no TMBOT_* variable of a real set-up can reach the demo's config.
    const { config } = loadConfigFile(file.path, {}, 'prod');
    const store = new JsonStateStore(stateDir, deps.log.child('state'), deps.clock);
    await store.open();
    const { createApp } = await import('../app');
    const app = await createApp({
      config,
      options: {
        webhook: false,
        socketHost: '127.0.0.1',
        plugins: opts.plugins,
        getMyIdDeleteMs: 30_000,
        qrDeleteMs: 60_000,
        shutdownGraceMs: 4000,
        dockerLogFileDeleteMs: 30_000,
        dockerStrictWaitMs: 30_000,
        env: {},
        pollTimeoutSeconds: 50,
        health: healthTimings(1),
      },
      log: deps.log,
      redactor: deps.redactor,
      clock: deps.clock,
      store,
    });
    stops.push(() => app.stop('demo stopping'));
    const page = new DemoPage({
      api,
      token: randomBytes(24).toString('base64url'),
      port: opts.port,
      clock: deps.clock,
      adminCode: demoAuthenticator(file.salt, DEMO_ADMIN.id, store, deps.clock),
      pageDir: opts.pageDir,
    });
    await page.start();
    stops.push(() => page.stop());
    await app.start();
    return { url: page.url, finished: app.finished, stop };
  } catch (err) {
    await stop('start failed');
    throw err;
  }
}
