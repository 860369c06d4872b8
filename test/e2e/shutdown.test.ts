/**
 * Issue 17 §4 and §6: stop signals under load end the process promptly and cleanly; SIGUSR1
 * opens no inspector when started through the `tmbot` bin; malformed getUpdates answers and
 * message-less callback queries do not hurt. The real daemon against the Bot API emulator.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { ADMIN_ID, Daemon, STRANGER_ID, TEST_TOKEN, testConfig } from '../support/daemon';
import { DEFAULT_SEND_LANES } from '../../src/telegram/send-queue';

jest.setTimeout(90_000);

const BIN = resolve(__dirname, '..', '..', 'bin', 'tmbot');

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('stopping and Bot API faults (real daemon)', () => {
  let emu: BotApiEmulator;
  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  });
  afterEach(async () => {
    await emu.stop();
  });

  it('SIGTERM with 300 updates queued behind a hanging sendMessage: exit 0 within 5 s', async () => {
    const d = Daemon.start({ apiRoot: emu.apiRoot });
    await d.ready();
    emu.fail('sendMessage', { delayMs: 120_000 }, 10_000);
    for (let i = 0; i < 300; i++) await emu.user(STRANGER_ID + i).command('/start');
    // The bot has taken updates and is stuck sending: strangers' replies fill the send queue's
    // bulk lane (DEFAULT_SEND_LANES.bulkSlots in flight, the rest waiting behind them).
    await until(
      () =>
        emu.calls.filter((c) => c.method === 'sendMessage').length >= DEFAULT_SEND_LANES.bulkSlots,
      'sends',
    );
    const t0 = Date.now();
    const code = await d.stop('SIGTERM', 20_000);
    const took = Date.now() - t0;
    expect(code).toBe(0);
    // The daemon's own 5 s deadline, plus a loaded machine's signal and exit latency; the
    // "stopped" line shows the clean path finished (the deadline's exit logs nothing).
    expect(took).toBeLessThan(10_000);
    expect(d.output).toMatch(/"message":"stopped"/);
    d.cleanup();
  });

  it.each(['SIGHUP', 'SIGUSR2'] as const)(
    '%s stops cleanly (exit 0, state flushed)',
    async (signal) => {
      const d = Daemon.start({ apiRoot: emu.apiRoot });
      await d.ready();
      const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
      await ann.command('/start');
      await ann.nextReply(20_000);
      expect(await d.stop(signal)).toBe(0);
      expect(d.output).toContain(`stopping (${signal})`);
      expect(d.output).toMatch(/"stopped"|stopped/);
      d.cleanup();
    },
  );

  it('the tmbot bin runs node with --disable-sigusr1 in one process: SIGUSR1 opens no inspector', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-bin-'));
    const config = join(dir, 'pytmbot.yaml');
    writeFileSync(config, YAML.stringify(testConfig(emu.apiRoot)), { mode: 0o600 });
    const proc = spawn(BIN, ['--config', config, '--log-format', 'json'], {
      env: {
        PATH: `${resolve(process.execPath, '..')}:${process.env.PATH ?? ''}`,
        HOME: dir,
        TMBOT_STATE_DIR: join(dir, 'state'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    try {
      await until(() => /ready: receiving updates/.test(out), 'ready');
      const cmdline = readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline).toContain('--disable-sigusr1');
      proc.kill('SIGUSR1');
      // Still serving after the signal (an inspector would announce itself on stderr first).
      const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
      await ann.command('/start');
      expect((await ann.nextReply(20_000)).text).toMatch(/Hi, Ann!/);
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).not.toMatch(/Debugger listening|inspector/i);
    } finally {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['{"ok":true,"result":null}', '{}', '{"ok":true,"result":[null]}'])(
    'a malformed getUpdates answer %s is retried like a network error',
    async (body) => {
      const d = Daemon.start({ apiRoot: emu.apiRoot });
      await d.ready();
      emu.fail('getUpdates', { rawBody: body }, 2);
      const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
      await ann.command('/start');
      expect((await ann.nextReply(30_000)).text).toMatch(/Hi, Ann!/);
      expect(d.proc.exitCode).toBeNull();
      expect(await d.stop()).toBe(0);
      d.cleanup();
    },
  );

  it('a callback query without a message gets an answer (no endless spinner)', async () => {
    const d = Daemon.start({ apiRoot: emu.apiRoot });
    await d.ready();
    const update = emu.injectUpdate({
      callback_query: {
        id: '777000111',
        from: { id: ADMIN_ID, is_bot: false, first_name: 'Ann' },
        chat_instance: '1',
        inline_message_id: 'abc',
        data: 'x',
      },
    });
    expect(update.update_id).toBeGreaterThan(0);
    await until(
      () =>
        emu.calls.some(
          (c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === '777000111',
        ),
      'the answer',
    );
    expect(await d.stop()).toBe(0);
    d.cleanup();
  });
});
