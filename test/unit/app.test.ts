import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import YAML from 'yaml';
import { createApp } from '../../src/app';
import type { App } from '../../src/app-types';
import { systemClock } from '../../src/clock';
import { parseConfig } from '../../src/config/load';
import { healthTimings } from '../../src/health/timings';
import { component } from '../../src/lifecycle';
import { createLogger } from '../../src/log/logger';
import { Redactor } from '../../src/log/redactor';
import { definePlugin } from '../../src/plugins/plugin';
import { builtInPlugins, PluginRegistry } from '../../src/plugins/registry';
import { openStateStore, removeStateDir } from '../support/state-store';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { ADMIN_ID, TEST_TOKEN, testConfig } from '../support/daemon';

/** An optional part that cannot start: the bot must run on without it. */
const brokenPlugin = definePlugin({
  name: 'broken',
  label: '💥 Broken',
  description: 'a plugin whose loop cannot start',
  settings: () => undefined,
  create: () => ({
    feature: { name: 'broken', install: () => undefined },
    components: [
      component('broken', {
        start: () => {
          throw new Error('cannot open its data file');
        },
      }),
    ],
  }),
});

describe('createApp (real telegraf against the Bot API emulator, in-process)', () => {
  let emu: BotApiEmulator;
  let dir: string;
  let app: App | undefined;
  let logged: string[];

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'tmbot-app-'));
    logged = [];
  });

  afterEach(async () => {
    await app?.stop('test over');
    app = undefined;
    await emu.stop();
    await removeStateDir(dir);
  });

  async function build(plugins: string[], registry?: PluginRegistry): Promise<App> {
    const { config } = parseConfig({
      text: YAML.stringify(testConfig(emu.apiRoot)),
      origin: 'test.yaml',
      env: {},
      mode: 'prod',
    });
    const redactor = new Redactor(config.secrets);
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createLogger({ level: 'info', format: 'json', redactor, stream });
    return createApp({
      config,
      options: {
        webhook: false,
        socketHost: '127.0.0.1',
        plugins,
        getMyIdDeleteMs: 30_000,
        qrDeleteMs: 60_000,
        shutdownGraceMs: 2000,
        dockerLogFileDeleteMs: 30_000,
        dockerStrictWaitMs: 0,
        env: {},
        pollTimeoutSeconds: 1,
        health: healthTimings(0.05),
      },
      log,
      redactor,
      clock: systemClock,
      store: await openStateStore(join(dir, 'state'), log),
      ...(registry !== undefined ? { plugins: registry } : {}),
    });
  }

  /** What the bot answers to `command`. */
  async function ask(command: string): Promise<string | undefined> {
    const user = emu.user(ADMIN_ID);
    await user.command(command);
    return (await user.nextReply(10_000)).text;
  }

  /** Sends /health until the Components row has a result (checks run on their own timers). */
  async function healthText(deadlineMs: number): Promise<string> {
    const until = Date.now() + deadlineMs;
    let text = '';
    while (Date.now() < until) {
      text = (await ask('/health')) ?? '';
      if (text.includes('did not start')) return text;
    }
    return text;
  }

  it('answers /start and sets the command menu once connected', async () => {
    app = await build([]);
    await app.start();
    expect(await ask('/start')).toContain('This is tmbot');
    expect(emu.calls.some((c) => c.method === 'setMyCommands')).toBe(true);
  });

  it('resolves --plugins through the registry and warns about unknown names, listing the known ones', async () => {
    app = await build(['monitor', 'nope']);
    await app.start();
    const warning = logged.find((l) => l.includes("plugin 'nope'"));
    expect(warning).toContain(`known: ${builtInPlugins().names.join(', ')}`);
    expect(await ask('/monitor')).toContain('Monitoring');
  });

  it('keeps answering when an optional component throws at start, and the Health screen names it', async () => {
    app = await build(
      ['broken'],
      new PluginRegistry([{ name: 'broken', load: () => Promise.resolve(brokenPlugin) }]),
    );
    await app.start();
    expect(await ask('/start')).toContain('This is tmbot');
    expect(logged.some((l) => l.includes('broken could not start'))).toBe(true);
    const health = await healthText(20_000);
    expect(health).toContain('Components');
    expect(health).toContain('did not start: broken');
    // The error text stays in the log: it may name paths or URLs.
    expect(health).not.toContain('cannot open its data file');
  });

  it('stops cleanly while still connecting (the update source never ran)', async () => {
    emu.setUnresponsive(true);
    app = await build([]);
    const starting = app.start();
    await emu.waitFor((e) => e.type === 'call' && e.call.method === 'getMe', 10_000);
    await app.stop('test');
    await starting;
    await expect(app.finished).resolves.toBeUndefined();
    app = undefined;
  });
});
