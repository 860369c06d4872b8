/**
 * Alerts end to end: the built daemon with `--plugins monitor` following a real engine's event
 * stream, the Bot API emulator as Telegram. Only containers named `alrt-*` are watched
 * (alerts.docker.include), so other suites sharing the engine add no noise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotApiEmulator, type EmuMessage } from '../support/bot-api-emulator';
import { buttonData } from '../support/bot-api-driver';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  testConfig,
  runCli,
} from '../support/daemon';
import {
  describeDocker,
  removeAll,
  runBusybox,
  startSecondEngine,
  uniqueName,
  type OwnedDockerEngine,
} from '../support/docker-engine';
import { NO_TEMPERATURE_ALERTS, QUIET_HOST_CONDITIONS, until } from '../support/e2e-helpers';

jest.setTimeout(120_000);

const SECRET = 'hunter2-very-secret';

describeDocker('alerts from Docker events', () => {
  // An engine of its own: images other test files build or pull on the shared engine would
  // otherwise arrive as 'new image' alerts grouped with the ones these tests wait for.
  let own: OwnedDockerEngine;
  let emu: BotApiEmulator;
  let daemon: Daemon;
  const prefix = uniqueName('alrt');

  const config = () =>
    testConfig(emu.apiRoot, {
      docker: { host: [own.host] },
      plugins_config: {
        monitor: {
          monitor_docker: true,
          check_interval: 60,
          max_notifications: 200,
          tracehold: NO_TEMPERATURE_ALERTS,
        },
      },
      alerts: {
        settle_ms: 300,
        group_window_seconds: 10,
        severity: { container_created: 'info', container_removed: 'info' },
        docker: { include: ['alrt-*'], stable_seconds: 2, restart_loop_restarts: 3 },
        conditions: QUIET_HOST_CONDITIONS,
      },
    });
  const start = async (stateDir?: string): Promise<void> => {
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'monitor'],
      config: config(),
      ...(stateDir !== undefined ? { stateDir } : {}),
    });
    await daemon.ready();
    await daemon.waitForLog(/events streaming/);
  };
  const toAdmin = (re: RegExp, timeoutMs = 30_000): Promise<EmuMessage> =>
    emu.waitForMessage((m) => m.chat.id === ADMIN_CHAT_ID && re.test(m.text ?? ''), timeoutMs);

  beforeAll(async () => {
    own = await startSecondEngine();
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    emu.user(ADMIN_ID, { first_name: 'Ann' });
    await start();
  });
  afterAll(async () => {
    await removeAll(own, prefix);
    await daemon.stop();
    expect(daemon.output).not.toContain(TEST_TOKEN);
    expect(daemon.output).not.toContain(TEST_SALT);
    daemon.cleanup();
    await emu.stop();
    await own.stop();
  });

  it('a SIGKILLed container alerts with 137 / SIGKILL and its last log lines, secrets redacted', async () => {
    const name = `${prefix}-kill`;
    await runBusybox(own, {
      name,
      cmd: `echo "DB_PASSWORD=${SECRET}"; echo "bot ${TEST_TOKEN}"; echo ready; while true; do sleep 1; done`,
    });
    for (const deadline = Date.now() + 30_000; ;) {
      if ((await own.cli(['logs', name])).stdout.includes('ready')) break;
      if (Date.now() > deadline) throw new Error('the container never logged "ready"');
      await new Promise((r) => setTimeout(r, 100));
    }
    await own.cli(['kill', '-s', 'KILL', name]);
    const alert = await toAdmin(new RegExp(`${name} died`));
    expect(alert.text).toContain('exit 137 (SIGKILL)');
    expect(alert.text).toContain(own.host);
    expect(alert.text).toContain('Last log lines');
    expect(alert.text).toContain('ready');
    expect(alert.text).not.toContain(SECRET);
    expect(alert.text).not.toContain(TEST_TOKEN);
    expect(alert.text).toContain('DB_PASSWORD=[REDACTED]');
  });

  it('an unhealthy container alerts, and healthy again edits that message to resolved', async () => {
    const name = `${prefix}-health`;
    await runBusybox(own, {
      name,
      cmd: 'while true; do sleep 1; done',
      healthcheck: { cmd: 'test -f /tmp/ok', intervalMs: 1000, retries: 1 },
    });
    const alert = await toAdmin(new RegExp(`${name} is unhealthy`), 30_000);
    await own.cli(['exec', name, 'touch', '/tmp/ok']);
    const edit = await emu.waitForEdit(
      (m) => m.message_id === alert.message_id && /resolved after/.test(m.text ?? ''),
      30_000,
    );
    expect(edit.reply_markup?.inline_keyboard ?? []).toEqual([]);
  });

  it('a --restart always container that exits at once alerts once, as a restart loop', async () => {
    const name = `${prefix}-loop`;
    await runBusybox(own, { name, cmd: 'echo boom; exit 3', restart: 'always' });
    await toAdmin(new RegExp(`${name} is in a restart loop`), 30_000);
    // Several more restarts happen meanwhile; none may alert again.
    const restarts = async () =>
      Number((await own.cli(['inspect', '-f', '{{.RestartCount}}', name])).stdout.trim());
    const seen = await restarts();
    for (let n = seen; n < seen + 2; n = await restarts())
      await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 4000));
    const about = emu
      .user(ADMIN_ID)
      .transcript()
      .filter(
        (m) =>
          m.sender === 'bot' &&
          new RegExp(`${name} (died|is in a restart loop)`).test(m.text ?? ''),
      );
    expect(about).toHaveLength(1);
    await removeAll(own, name);
  });

  it('Mute from the alert (admin) and Ack survive a daemon restart', async () => {
    const muted = `${prefix}-mute`;
    const acked = `${prefix}-ack`;
    const admin = emu.user(ADMIN_ID);
    const unhealthy = async (name: string): Promise<EmuMessage> => {
      await runBusybox(own, {
        name,
        cmd: 'while true; do sleep 1; done',
        healthcheck: { cmd: 'test ! -f /tmp/bad', intervalMs: 1000, retries: 1 },
      });
      await toAdmin(new RegExp(`container ${name} created`));
      // Running longer than stable_seconds, and healthy first (a slow first check on a loaded
      // machine would otherwise see the bad file while still "starting").
      await new Promise((r) => setTimeout(r, 3500));
      for (const deadline = Date.now() + 30_000; ;) {
        const status = await own.cli(['inspect', '-f', '{{.State.Health.Status}}', name]);
        if (status.stdout.trim() === 'healthy') break;
        if (Date.now() > deadline) throw new Error(`${name} never became healthy`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await own.cli(['exec', name, 'touch', '/tmp/bad']);
      return toAdmin(new RegExp(`${name} is unhealthy`), 30_000);
    };
    const a = await unhealthy(muted);
    const b = await unhealthy(acked);
    const m1 = await admin.press(a, buttonData(a, '🔇 Mute this'));
    expect((await emu.waitForCallbackAnswer(m1)).text).toBe('Muted: this kind for this target');
    const m2 = await admin.press(b, buttonData(b, '✔️ Ack'));
    expect((await emu.waitForCallbackAnswer(m2)).text).toBe('Acknowledged');
    const forged = await admin.press(b, 'AAAAAAAAAAAA', { unchecked: true });
    expect((await emu.waitForCallbackAnswer(forged)).text).toMatch(/expired/);

    await daemon.stop();
    await start(daemon.stateDir);
    await admin.text('/monitor');
    // The admin's chat is the alert chat too: an alert may land before the reply.
    const status = await admin.nextReplyMatching(/Monitoring \(every/, 30_000);
    expect(status.text).toContain(`${muted} is unhealthy · ${own.host} — 🔇 muted`);
    expect(status.text).toContain(
      `${acked} is unhealthy · ${own.host} — ✔️ acknowledged by ${ADMIN_ID}`,
    );
    expect(buttonData(status, '🔇 Mutes (1)')).toBeTruthy();
    expect(status.text).toMatch(/streaming events/);
    await removeAll(own, muted);
    await removeAll(own, acked);
  });

  it('maintenance from the CLI: no alert during it, one summary after', async () => {
    const env = { TMBOT_STATE_DIR: daemon.stateDir, HOME: daemon.dir };
    const on = await runCli(['maintenance', 'on', '10m', '--config', daemon.configPath], env);
    expect(on).toMatchObject({ code: 0, out: expect.stringMatching(/^maintenance: on until/) });
    const name = `${prefix}-maint`;
    await runBusybox(own, { name, cmd: 'while true; do sleep 1; done' });
    const before = emu.user(ADMIN_ID).transcript().length;
    await own.cli(['kill', '-s', 'KILL', name]);
    await until('the alert recorded during maintenance', () => {
      const doc = JSON.parse(readFileSync(join(daemon.stateDir, 'alerts.json'), 'utf8')) as {
        maintenance?: { alertIds: string[] };
      };
      return (doc.maintenance?.alertIds.length ?? 0) >= 1 ? true : undefined;
    });
    expect(
      emu
        .user(ADMIN_ID)
        .transcript()
        .slice(before)
        .filter((m) => (m.text ?? '').includes(`${name} died`)),
    ).toEqual([]);
    const status = await runCli(['maintenance', 'status', '--config', daemon.configPath], env);
    expect(status.out).toMatch(/maintenance: on until .*\d+ alert\(s\) recorded/);
    const off = await runCli(['maintenance', 'off', '--config', daemon.configPath], env);
    expect(off.code).toBe(0);
    const summary = await toAdmin(/Maintenance ended/);
    expect(summary.text).toContain(`${name} died, exit 137 (SIGKILL)`);
  });

  it('30 containers stopped at once: at most 3 messages, listing all 30', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `${prefix}-s${String(i).padStart(2, '0')}`);
    await Promise.all(
      names.map((name) => runBusybox(own, { name, cmd: 'while true; do sleep 1; done' })),
    );
    // Their "created" news first, so it does not mix with what is measured.
    await until(
      'the created news',
      () => {
        const text = emu
          .user(ADMIN_ID)
          .transcript()
          .map((m) => m.text ?? '')
          .join('\n');
        return names.every((n) => text.includes(`container ${n} created`)) ? true : undefined;
      },
      30_000,
      () =>
        emu
          .user(ADMIN_ID)
          .transcript()
          .slice(-4)
          .map((m) => m.text)
          .join('\n---\n') + daemon.output.slice(-3000),
    );
    await new Promise((r) => setTimeout(r, 3500));
    const before = emu.user(ADMIN_ID).transcript().length;
    await Promise.all(names.map((n) => own.docker.getContainer(n).kill()));
    const died = await until(
      'all 30 in alerts',
      () => {
        // Only messages about these containers: news of earlier tests' removals may still come.
        const msgs = emu
          .user(ADMIN_ID)
          .transcript()
          .slice(before)
          .filter((m) => m.sender === 'bot' && names.some((n) => (m.text ?? '').includes(n)));
        const text = msgs.map((m) => m.text ?? '').join('\n');
        return names.every((n) => text.includes(`${n} died`)) ? msgs : undefined;
      },
      30_000,
      () =>
        emu
          .user(ADMIN_ID)
          .transcript()
          .slice(-4)
          .map((m) => m.text)
          .join('\n---\n') + daemon.output.slice(-3000),
    );
    expect(died.length).toBeLessThanOrEqual(3);
  });
});
