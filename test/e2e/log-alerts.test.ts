/**
 * Log-pattern alerts and the scheduled report end to end: the built daemon with
 * `--plugins monitor` following the logs of a real engine's container, the Bot API emulator
 * as Telegram. A container that prints a matching line over and over gives exactly one alert
 * (the rate window holds), with the secret in the line redacted. The daily report's time is
 * set a minute back and its last run to the day before, as after a daemon that was down at
 * report time: it is sent once at start.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BotApiEmulator } from '../support/bot-api-emulator';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  testConfig,
} from '../support/daemon';
import { describeDocker, removeAll, runBusybox, uniqueName } from '../support/docker-engine';
import { NO_TEMPERATURE_ALERTS, QUIET_HOST_CONDITIONS, until } from '../support/e2e-helpers';

jest.setTimeout(120_000);

const SECRET = 'hunter2-log-secret';

/** The count of the open log alert for `target` in the daemon's persisted alert state. */
function persistedCount(stateDir: string, target: string): number | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(stateDir, 'alerts.json'), 'utf8')) as {
      alerts: { target: string; facts: { kind: string; count?: number } }[];
    };
    return doc.alerts.find((a) => a.target === target && a.facts.kind === 'log_pattern')?.facts
      .count;
  } catch {
    return undefined;
  }
}

describeDocker('log-pattern alerts', (suite) => {
  let emu: BotApiEmulator;
  let daemon: Daemon;
  const prefix = uniqueName('lgw');
  const stateRoot = mkdtempSync(join(tmpdir(), 'tmbot-lgw-'));
  // The daily report's time: the minute before now (UTC), last sent the day before.
  const reportAt = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const hhmm = new Date(reportAt).toISOString().slice(11, 16);

  beforeAll(async () => {
    const stateDir = join(stateRoot, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    const seeded = join(stateDir, 'report.json');
    writeFileSync(seeded, JSON.stringify({ v: 1, daily: reportAt - 86_400_000 }));
    chmodSync(seeded, 0o600);
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    emu.user(ADMIN_ID, { first_name: 'Ann' });
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      stateDir,
      args: ['--plugins', 'monitor'],
      config: testConfig(emu.apiRoot, {
        docker: { host: [suite.engine.host] },
        plugins_config: {
          monitor: {
            monitor_docker: true,
            check_interval: 60,
            tracehold: NO_TEMPERATURE_ALERTS,
          },
        },
        alerts: {
          settle_ms: 200,
          // Only this suite's containers alert on events; the log pattern picks its own.
          docker: { include: ['no-such-container-*'] },
          conditions: QUIET_HOST_CONDITIONS,
          log_patterns: [
            {
              name: 'fatal',
              pattern: 'FATAL|panic',
              containers: [`${prefix}-*`],
              context_lines: 2,
            },
          ],
        },
        report: { daily: hhmm, timezone: 'UTC' },
      }),
    });
    await daemon.ready();
    await daemon.waitForLog(/events streaming/);
  });
  afterAll(async () => {
    await removeAll(suite.engine, prefix);
    await daemon.stop();
    expect(daemon.output).not.toContain(TEST_TOKEN);
    expect(daemon.output).not.toContain(TEST_SALT);
    expect(daemon.output).not.toContain(SECRET);
    daemon.cleanup();
    rmSync(stateRoot, { recursive: true, force: true });
    await emu.stop();
  });

  it('sends the daily report missed a minute ago once, at start, to the alert chat', async () => {
    const isReport = (m: { chat: { id: number }; text?: string; caption?: string }): boolean =>
      m.chat.id === ADMIN_CHAT_ID && (m.text ?? m.caption ?? '').includes('Daily report');
    const report = await emu.waitForMessage(isReport, 30_000);
    const text = report.text ?? report.caption ?? '';
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d → \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)/);
    expect(text).toMatch(/this host: up \d/);
    // The host's label is clipped to the report's width (a long socket path ends in '…').
    expect(text).toMatch(/🐳 unix:\/\/\/\S+: \d+\/\d+ running · /);
    expect(text).toMatch(/Alerts: \d+ fired, \d+ resolved, \d+ open now/);
    expect(text).toContain('Top CPU:');
    // Remembered right after the send: a restart would not repeat it.
    await until('report.json to record the report', () => {
      try {
        const saved = JSON.parse(readFileSync(join(daemon.stateDir, 'report.json'), 'utf8')) as {
          daily?: number;
        };
        return saved.daily === reportAt ? true : undefined;
      } catch {
        return undefined;
      }
    });
    const reports = emu.events.filter(
      (e) => e.type === 'message' && e.sender === 'bot' && isReport(e.message),
    );
    expect(reports).toHaveLength(1);
  });

  it('a container printing a matching line every 100 ms alerts once, redacted, with context', async () => {
    const name = `${prefix}-app`;
    await runBusybox(suite.engine, {
      name,
      cmd: `echo booting; i=0; while true; do i=$((i+1)); echo "step $i"; echo "FATAL db login failed password=${SECRET} try $i"; sleep 0.1; done`,
    });
    const alert = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && (m.text ?? '').includes(`${name} logged 'fatal'`),
      30_000,
    );
    expect(alert.text).toContain('FATAL db login failed password=[REDACTED]');
    expect(alert.text).toMatch(/step \d+/);
    expect(alert.text).not.toContain(SECRET);
    // Many more matching lines reach the daemon (counted into the open alert)…
    await until('30 matches counted', () => {
      const n = persistedCount(daemon.stateDir, `${name}/fatal`);
      return n !== undefined && n >= 30 ? n : undefined;
    });
    // …and none of them is a new message.
    const logAlerts = emu.events.filter(
      (e) =>
        e.type === 'message' &&
        e.sender === 'bot' &&
        (e.message.text ?? '').includes(`${name} logged`),
    );
    expect(logAlerts).toHaveLength(1);
    expect(JSON.stringify(emu.events)).not.toContain(SECRET);

    // Stopped, then started again: its log is followed again from the start.
    await suite.engine.cli(['stop', '-t', '1', name]);
    const stopped = await until('the count after the stop', () =>
      persistedCount(daemon.stateDir, `${name}/fatal`),
    );
    await suite.engine.cli(['start', name]);
    await until('matches after the restart', () => {
      const n = persistedCount(daemon.stateDir, `${name}/fatal`);
      // More than the lines still queued at the stop could add (it writes 10 matches a second).
      return n !== undefined && n > stopped + 30 ? n : undefined;
    });
    expect(
      emu.events.filter(
        (e) =>
          e.type === 'message' &&
          e.sender === 'bot' &&
          (e.message.text ?? '').includes(`${name} logged`),
      ),
    ).toHaveLength(1);
  });
});
