/**
 * Alerts across engines, end to end: the built daemon with `--plugins monitor` follows two real
 * private engines (the run's shared one and a second one this file starts and restarts), the
 * Bot API emulator as Telegram. Only containers named `<prefix>-*` are watched, so other suites
 * sharing the first engine add no noise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotApiEmulator, type EmuMessage } from '../support/bot-api-emulator';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  testConfig,
} from '../support/daemon';
import {
  BUSYBOX_IMAGE,
  describeDocker,
  removeAll,
  runBusybox,
  startSecondEngine,
  uniqueName,
  type DockerTestEngine,
  type OwnedDockerEngine,
} from '../support/docker-engine';
import { NO_TEMPERATURE_ALERTS, QUIET_HOST_CONDITIONS, until } from '../support/e2e-helpers';

jest.setTimeout(240_000);

/** The OOM container's limit: far below what its command allocates. */
const MEMORY_LIMIT_BYTES = 16 * 1024 * 1024;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describeDocker('alerts from two engines, across an engine restart, and on OOM', (suite) => {
  let emu: BotApiEmulator;
  let daemon: Daemon;
  let second: OwnedDockerEngine;
  const prefix = uniqueName('alen');

  const botTexts = (): string[] =>
    emu
      .user(ADMIN_ID)
      .transcript()
      .filter((m) => m.sender === 'bot')
      .map((m) => m.text ?? '');
  const context = (): string =>
    `\nlast messages:\n${botTexts().slice(-4).join('\n---\n')}\ndaemon:\n${daemon.output.slice(-3000)}`;
  const toAdmin = (re: RegExp, timeoutMs = 30_000): Promise<EmuMessage> =>
    emu.waitForMessage((m) => m.chat.id === ADMIN_CHAT_ID && re.test(m.text ?? ''), timeoutMs);
  /** How often the daemon has logged this host's event stream entering `state`. */
  const streamLogs = (host: string, state: string): number =>
    daemon.output.split(`docker host ${host}: events ${state}`).length - 1;
  /** Waits until the daemon has recorded the container as running (its persisted known state). */
  const knownRunning = (engine: DockerTestEngine, id: string): Promise<true> =>
    until(
      `the daemon to know ${id.slice(0, 12)} runs`,
      () => {
        let doc: { hosts?: Record<string, Record<string, { state?: string }>> };
        try {
          doc = JSON.parse(readFileSync(join(daemon.stateDir, 'alerts-docker.json'), 'utf8'));
        } catch {
          return undefined;
        }
        return doc.hosts?.[engine.host]?.[id]?.state === 'running' ? true : undefined;
      },
      30_000,
      context,
    );
  const diedLine = (name: string, host: string, exit = 'exit \\d+(?: \\(SIG[A-Z]+\\))?'): RegExp =>
    // eslint-disable-next-line security/detect-non-literal-regexp -- names and hosts escaped; `exit` is this file's own pattern
    new RegExp(`${escape(name)} died, ${exit} · ${escape(host)}`);

  beforeAll(async () => {
    second = await startSecondEngine();
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    emu.user(ADMIN_ID, { first_name: 'Ann' });
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'monitor'],
      config: testConfig(emu.apiRoot, {
        docker: { host: [suite.engine.host, second.host] },
        plugins_config: {
          monitor: {
            monitor_docker: true,
            max_notifications: 200,
            // Re-subscribe every second while the second engine restarts (it may take a while here).
            retry_interval: 1,
            retry_attempts: 120,
            tracehold: NO_TEMPERATURE_ALERTS,
          },
        },
        alerts: {
          settle_ms: 300,
          group_window_seconds: 0,
          docker: { include: [`${prefix}-*`], stable_seconds: 2 },
          conditions: QUIET_HOST_CONDITIONS,
        },
      }),
    });
    await daemon.ready();
    for (const host of [suite.engine.host, second.host])
      await until(
        'both event streams',
        () => (streamLogs(host, 'streaming') >= 1 ? true : undefined),
        30_000,
        context,
      );
  });
  afterAll(async () => {
    await removeAll(suite.engine, prefix);
    await daemon.stop();
    expect(daemon.output).not.toContain(TEST_TOKEN);
    expect(daemon.output).not.toContain(TEST_SALT);
    daemon.cleanup();
    await emu.stop();
    await second.stop();
  });

  it('a container killed on each of two engines alerts once, naming its host', async () => {
    const onFirst = await runBusybox(suite.engine, {
      name: `${prefix}-one`,
      cmd: 'while true; do sleep 1; done',
    });
    const onSecond = await runBusybox(second, {
      name: `${prefix}-two`,
      cmd: 'while true; do sleep 1; done',
    });
    await knownRunning(suite.engine, onFirst.id);
    await knownRunning(second, onSecond.id);
    await Promise.all([
      suite.engine.cli(['kill', '-s', 'KILL', onFirst.name]),
      second.cli(['kill', '-s', 'KILL', onSecond.name]),
    ]);
    await toAdmin(diedLine(onFirst.name, suite.engine.host, 'exit 137 \\(SIGKILL\\)'));
    await toAdmin(diedLine(onSecond.name, second.host, 'exit 137 \\(SIGKILL\\)'));
    // A later kill on the first engine: once it has alerted, the first two had every chance to repeat.
    const barrier = await runBusybox(suite.engine, {
      name: `${prefix}-barrier`,
      cmd: 'while true; do sleep 1; done',
    });
    await knownRunning(suite.engine, barrier.id);
    await suite.engine.cli(['kill', '-s', 'KILL', barrier.name]);
    await toAdmin(diedLine(barrier.name, suite.engine.host));
    const all = botTexts().join('\n');
    for (const name of [onFirst.name, onSecond.name])
      expect(all.split(`${name} died`).length - 1).toBe(1);
    // Each named with its own host only.
    expect(all).not.toMatch(diedLine(onFirst.name, second.host));
    expect(all).not.toMatch(diedLine(onSecond.name, suite.engine.host));
  });

  it('a container allocating past its --memory limit alerts "OOM killed"', async () => {
    const name = `${prefix}-oom`;
    // busybox tail keeps the last lines of a newline-free stream in memory: it grows without end.
    const created = await suite.engine.docker.createContainer({
      name,
      Image: BUSYBOX_IMAGE,
      Cmd: ['/bin/sh', '-c', 'echo allocating; tail /dev/zero'],
      HostConfig: {
        NetworkMode: 'none',
        Init: true,
        Memory: MEMORY_LIMIT_BYTES,
        MemorySwap: MEMORY_LIMIT_BYTES,
      },
    });
    await created.start();
    const alert = await toAdmin(
      // eslint-disable-next-line security/detect-non-literal-regexp -- the name and host are escaped
      new RegExp(`${escape(name)} killed: out of memory \\(OOM\\) · ${escape(suite.engine.host)}`),
    );
    const inspected = await created.inspect();
    expect(inspected.State.OOMKilled).toBe(true);
    expect(alert.text).toContain(`Exit: exit ${inspected.State.ExitCode}`);
    expect(alert.text).toContain('allocating');
    expect(botTexts().filter((t) => t.includes(name) && / died,/.test(t))).toEqual([]);
  });

  it('an engine restart: the stream reconnects by itself; a container stopped with the engine alerts once', async () => {
    const victim = await runBusybox(second, {
      name: `${prefix}-victim`,
      cmd: 'while true; do sleep 1; done',
    });
    await knownRunning(second, victim.id);
    const drops = streamLogs(second.host, 'unavailable');
    const streams = streamLogs(second.host, 'streaming');
    // dockerd stops its containers on the way down: the victim dies with the engine.
    await second.stopDockerd();
    await until(
      'the daemon to see the stream drop',
      () => (streamLogs(second.host, 'unavailable') > drops ? true : undefined),
      60_000,
      context,
    );
    await second.startDockerd();
    await until(
      'the stream to reconnect',
      () => (streamLogs(second.host, 'streaming') > streams ? true : undefined),
      90_000,
      context,
    );
    // dockerd announces the deaths on its way down: the alert comes from the event stream.
    await toAdmin(diedLine(victim.name, second.host));

    // Events after the restart still alert, without a daemon restart.
    const after = await runBusybox(second, {
      name: `${prefix}-after`,
      cmd: 'while true; do sleep 1; done',
    });
    await knownRunning(second, after.id);
    await second.cli(['kill', '-s', 'KILL', after.name]);
    await toAdmin(diedLine(after.name, second.host, 'exit 137 \\(SIGKILL\\)'));
    expect(daemon.proc.exitCode).toBeNull();
    expect(botTexts().filter((t) => t.includes(`${victim.name} died`))).toHaveLength(1);
  });

  it('an engine crash: a container that died while the engine was down is found by the re-list, once', async () => {
    const victim = await runBusybox(second, {
      name: `${prefix}-crashed`,
      cmd: 'while true; do sleep 1; done',
    });
    await knownRunning(second, victim.id);
    const pid = (await victim.container.inspect()).State.Pid;
    expect(pid).toBeGreaterThan(0);
    const drops = streamLogs(second.host, 'unavailable');
    const streams = streamLogs(second.host, 'streaming');
    // SIGKILL: dockerd announces nothing and containerd keeps the container running.
    await second.stopDockerd({ crash: true });
    await until(
      'the daemon to see the stream drop',
      () => (streamLogs(second.host, 'unavailable') > drops ? true : undefined),
      60_000,
      context,
    );
    // The container's init (started by this test's engine) dies while no engine is there to tell.
    process.kill(pid, 'SIGKILL');
    await until(
      `container init ${pid} to exit`,
      () => {
        try {
          process.kill(pid, 0);
          return undefined;
        } catch {
          return true;
        }
      },
      30_000,
      context,
    );
    await second.startDockerd();
    // The restarted engine has no event about it: only re-listing its state can tell.
    const events = await second.cli([
      'events',
      '--since',
      '10m',
      '--until',
      '0s',
      '--filter',
      `container=${victim.name}`,
    ]);
    expect(events.stdout).not.toMatch(/die/);
    await until(
      'the stream to reconnect',
      () => (streamLogs(second.host, 'streaming') > streams ? true : undefined),
      90_000,
      context,
    );
    await toAdmin(diedLine(victim.name, second.host, 'exit 137 \\(SIGKILL\\)'));

    const after = await runBusybox(second, {
      name: `${prefix}-after-crash`,
      cmd: 'while true; do sleep 1; done',
    });
    await knownRunning(second, after.id);
    await second.cli(['kill', '-s', 'KILL', after.name]);
    await toAdmin(diedLine(after.name, second.host, 'exit 137 \\(SIGKILL\\)'));
    expect(daemon.proc.exitCode).toBeNull();
    expect(botTexts().filter((t) => t.includes(`${victim.name} died`))).toHaveLength(1);
  });
});
