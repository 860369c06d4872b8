/**
 * Health as a person and a supervisor see it: the Health screen with per-component status and a
 * Refresh button, and `tmbot --health-check` exit codes 0 / 1 / 2 against the real daemon. The
 * probe must be able to fail: a dead update loop (the emulator stops answering) and a frozen
 * process (SIGSTOP) both make it exit 1.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { buttonData } from '../support/bot-api-driver';
import { ADMIN_ID, Daemon, TEST_TOKEN } from '../support/daemon';

jest.setTimeout(120_000);

const MAIN_JS = resolve(__dirname, '..', '..', 'dist', 'main.js');
/** 15 s heartbeat → 0.75 s, 60 s staleness → 3 s; with 1 s long polls a dead loop shows in ~5 s. */
const FAST = { TMBOT_HEALTH_TIME_SCALE: '0.05', TMBOT_POLL_TIMEOUT_SECONDS: '1' };
const TOKEN_SECRET = TEST_TOKEN.split(':')[1]!;

interface ProbeRun {
  code: number | null;
  out: string;
}

function probe(
  stateDir: string,
  flag = '--health-check',
  extraEnv: Record<string, string> = {},
): Promise<ProbeRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MAIN_JS, flag],
      {
        env: { PATH: process.env.PATH ?? '', TMBOT_STATE_DIR: stateDir, ...extraEnv },
        timeout: 30_000,
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        done({ code, out: stdout + stderr });
      },
    );
  });
}

/** Runs the probe until it exits with `code` and its output contains `text` (bounded); returns that run. */
async function probeUntil(
  stateDir: string,
  code: number,
  timeoutMs: number,
  text = '',
  flag = '--health-check',
): Promise<ProbeRun> {
  const deadline = Date.now() + timeoutMs;
  let last: ProbeRun = { code: null, out: '' };
  while (Date.now() < deadline) {
    last = await probe(stateDir, flag);
    if (last.code === code && last.out.includes(text)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `--health-check never exited ${code} with "${text}"; last: ${last.code} ${last.out}`,
  );
}

describe('health', () => {
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;
  const dirs: string[] = [];

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  });

  afterEach(async () => {
    if (daemon !== undefined) {
      daemon.proc.kill('SIGCONT');
      await daemon.stop();
      daemon.cleanup();
      daemon = undefined;
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await emu.stop();
  });

  it('shows every component on /health and the Health button, and Refresh says when nothing changed', async () => {
    daemon = Daemon.start({ apiRoot: emu.apiRoot });
    await daemon.ready();
    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });

    await admin.text('🩺 Health');
    const screen = await admin.nextReply();
    expect(screen.text).toMatch(/^🩺 Health: /);
    for (const label of ['Telegram API', 'Update loop', 'State dir', 'Host', 'Bot process']) {
      expect(screen.text).toContain(label);
    }

    await admin.command('/health');
    const viaCommand = await admin.nextReply();
    expect(viaCommand.text).toMatch(/^🩺 Health: /);

    // The first Refresh may re-run checks (an edit); pressing again right away finds nothing new.
    // A scheduled check can land between two presses, so allow a few rounds.
    let toast: string | undefined;
    for (let i = 0; i < 5 && toast !== 'Already up to date'; i++) {
      const id = await admin.press(viaCommand, buttonData(viaCommand, '🔄 Refresh'));
      toast = (await emu.waitForCallbackAnswer(id)).text;
    }
    expect(toast).toBe('Already up to date');
    const after = admin.transcript().find((m) => m.message_id === viaCommand.message_id);
    expect(after?.text).toContain('Telegram API · ');
    expect(after?.text).toMatch(/Checked at \d\d:\d\d:\d\d UTC/);
  });

  it('--health-check: 2 before start, 0 while healthy, 1 when updates stop, 1 when frozen, 2 after stop', async () => {
    // Probed before the daemon runs: once started it may beat before a probe process is up.
    const stateDir = join(mkdtempSync(join(tmpdir(), 'tmbot-health-')), 'state');
    dirs.push(resolve(stateDir, '..'));
    expect((await probe(stateDir)).code).toBe(2);
    daemon = Daemon.start({ apiRoot: emu.apiRoot, env: FAST, stateDir });

    await daemon.ready();
    const ok = await probeUntil(stateDir, 0, 30_000);
    expect(ok.out).toMatch(/(healthy|degraded) \(heartbeat \d+ s old\)/);
    // pyTMBot's spelling works the same way (polled too: a loaded machine can let a 3 s
    // heartbeat go stale for a moment).
    await probeUntil(stateDir, 0, 30_000, '', '--health_check');

    // A frozen process stops beating: the heartbeat goes stale.
    daemon.proc.kill('SIGSTOP');
    const stale = await probeUntil(stateDir, 1, 30_000);
    expect(stale.out).toMatch(/stale/);
    daemon.proc.kill('SIGCONT');
    await probeUntil(stateDir, 0, 30_000);

    // Telegram stops answering getUpdates (and getMe): the update loop is dead.
    emu.setUnresponsive(true);
    const dead = await probeUntil(stateDir, 1, 40_000, 'Update loop: no successful getUpdates');
    expect(dead.out).toMatch(/^tmbot: unhealthy/);
    const heartbeat = readFileSync(join(stateDir, 'heartbeat.json'), 'utf8');
    expect(JSON.parse(heartbeat)).toMatchObject({ v: 1, level: 'unhealthy' });

    for (const text of [ok.out, stale.out, dead.out, heartbeat, daemon.output]) {
      expect(text).not.toContain(TOKEN_SECRET);
    }

    // Shutdown confirms the update offset with one last call; let Telegram answer it.
    emu.setUnresponsive(false);
    expect(await daemon.stop()).toBe(0);
    expect(existsSync(join(stateDir, 'heartbeat.json'))).toBe(false);
    expect((await probe(stateDir)).code).toBe(2);
  });
});
