import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotApiEmulator } from '../support/bot-api-emulator';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  STRANGER_ID,
  TEST_SALT,
  TEST_TOKEN,
  USER_ID,
} from '../support/daemon';

jest.setTimeout(90_000);

const MAIN_MENU = [
  '🚀 Server',
  '🐳 Docker',
  '🍭 Plugins',
  '👀 Quick view',
  '🩺 Health',
  '🍄 About me',
];

/**
 * The daemon exits within 5 s of SIGTERM by its own deadline; seen from here, a loaded machine
 * adds the signal's and the exit's latency. A daemon that hangs is killed (exit null) instead.
 */
const STOP_BOUND_MS = 10_000;

describe('foundation, end to end (real daemon, Bot API emulator)', () => {
  let emu: BotApiEmulator;
  const daemons: Daemon[] = [];

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' });
  });
  afterEach(async () => {
    for (const d of daemons.splice(0)) {
      await d.stop('SIGKILL');
      // Every daemon's output is checked for secrets, whatever the test was about.
      expect(d.output).not.toContain(TEST_TOKEN);
      expect(d.output).not.toContain(TEST_SALT);
      d.cleanup();
    }
    await emu.stop();
  });

  function start(options: Partial<Parameters<typeof Daemon.start>[0]> = {}): Daemon {
    const d = Daemon.start({ apiRoot: emu.apiRoot, ...options });
    daemons.push(d);
    return d;
  }

  it('answers /start with the main keyboard of exactly six buttons', async () => {
    const d = start();
    await d.ready();
    const user = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await user.command('/start');
    const reply = await user.nextReply();
    expect(reply.text).toMatch(/Hi, Ann!/);
    const entry = emu.transcript(ADMIN_ID).find((e) => e.message_id === reply.message_id);
    const keyboard = (entry?.reply_markup as { keyboard: { text: string }[][] }).keyboard;
    expect(keyboard.flat().map((b) => b.text)).toEqual(MAIN_MENU);
    expect(emu.commands?.commands.map((c) => c.command)).toEqual(
      expect.arrayContaining(['start', 'help', 'back', 'getmyid']),
    );
    // The bot profile texts are set at start (pyTMBot's set_my_description).
    expect(emu.description('description')).toMatch(/tmbot .* watches your server/);
    expect(emu.description('short_description')).toMatch(/Server and Docker monitoring/);
  });

  it('denies an unknown user twice, blocks the third time, alerts the admin once, and keeps the block after a restart', async () => {
    let d = start();
    await d.ready();
    const admin = emu.user(ADMIN_CHAT_ID, { first_name: 'Admin' });
    await admin.command('/start');
    await admin.nextReply();
    const stranger = emu.user(STRANGER_ID, { first_name: 'Mallory', username: 'mal' });
    await stranger.text('hi');
    expect((await stranger.nextReply()).text).toMatch(/2 attempts left/);
    await stranger.command('/start');
    expect((await stranger.nextReply()).text).toMatch(/1 attempt left/);
    await stranger.text('let me in');
    expect((await stranger.nextReply()).text).toMatch(/blocked/);
    const alert = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && /Unauthorized/.test(m.text ?? ''),
    );
    expect(alert.text).toContain(`User id: ${STRANGER_ID}`);

    expect(await d.stop()).toBe(0);
    d = start({ stateDir: d.stateDir });
    await d.ready();
    await stranger.text('and now?');
    // Updates are handled in order: once the admin's later /start is answered, the stranger's
    // message has been decided on (a reply to it would have been sent by now).
    const probe = await admin.command('/start');
    await emu.waitForMessage(
      (m) =>
        m.chat.id === ADMIN_CHAT_ID &&
        m.message_id > probe.message_id &&
        /Hi, Admin!/.test(m.text ?? ''),
    );
    expect(emu.transcript(STRANGER_ID).filter((e) => e.sender === 'bot')).toHaveLength(3);
    const alerts = emu
      .transcript(ADMIN_CHAT_ID)
      .filter((e) => e.sender === 'bot' && /Unauthorized|Setup/.test(e.text ?? ''));
    expect(alerts).toHaveLength(1);
  });

  it('answers /getmyid for an unknown user and deletes the answer after the delay', async () => {
    const d = start({ env: { TMBOT_GETMYID_DELETE_SECONDS: '1' } });
    await d.ready();
    const stranger = emu.user(STRANGER_ID, { first_name: 'Sam' });
    await stranger.command('/getmyid');
    const card = await stranger.nextReply();
    expect(card.text).toContain(`User id: ${STRANGER_ID}`);
    await emu.waitFor(
      (e) => e.type === 'delete' && e.chatId === STRANGER_ID && e.messageId === card.message_id,
      20_000,
    );
  });

  it("refuses another user's button and a forged token without crashing", async () => {
    const d = start();
    await d.ready();
    const group = { id: -100777, type: 'supergroup' as const, title: 'Ops' };
    const ann = emu.user(ADMIN_ID, { first_name: 'Ann' }).inChat(group);
    const bob = emu.user(USER_ID, { first_name: 'Bob' }).inChat(group);
    await ann.command('/getmyid');
    const card = await ann.nextReply();
    const button = card.reply_markup?.inline_keyboard[0]?.[0];
    expect(button?.text).toMatch(/Delete now/);
    const data = (button as { callback_data: string }).callback_data;
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);

    const bobPress = await bob.press(card, data);
    expect((await emu.waitForCallbackAnswer(bobPress)).text).toBe(
      'This button belongs to another user.',
    );
    const forged = await ann.press(card, 'AAAAAAAAAAAA', { unchecked: true });
    expect((await emu.waitForCallbackAnswer(forged)).text).toMatch(/expired/);
    const huge = await ann.press(card, '\u0000'.repeat(64), { unchecked: true });
    await emu.waitForCallbackAnswer(huge);

    const annPress = await ann.press(card, data);
    expect((await emu.waitForCallbackAnswer(annPress)).text).toBe('Deleted.');
    expect(emu.transcript(group.id).find((e) => e.message_id === card.message_id)?.deleted).toBe(
      true,
    );
    expect(d.proc.exitCode).toBeNull();
  });

  it('exits 2 listing every config problem with its path', async () => {
    const d = start({
      configText: [
        'bot_token: { prod_token: [YOUR_PROD_BOT_TOKEN] }',
        'access_control:',
        '  allowed_user_ids: [1, "two"]',
        '  allowed_admins_ids: [3]',
        `  auth_salt: ['${TEST_SALT}']`,
      ].join('\n'),
    });
    expect(await d.exited).toBe(2);
    expect(d.output).toMatch(/bot_token\.prod_token: is still the placeholder/);
    expect(d.output).toMatch(/access_control\.allowed_user_ids\[1\]: must be an integer/);
    expect(d.output).toMatch(/access_control\.allowed_admins_ids\[0\]: admin 3 is not in/);
  });

  it('--check-config exits 2 naming the path of each bad value in the keys tmbot added', async () => {
    const d = start({
      args: ['--check-config'],
      config: {
        access_control: {
          allowed_user_ids: [ADMIN_ID],
          auth_salt: [TEST_SALT],
          rate_limit: { requests: 0, per_seconds: 10 },
        },
        bot_updates: { timeout_seconds: 61 },
        alerts: { settle_ms: 60_001, severity: { container_oom: 'loud' } },
        history: { interval: 0 },
        hosts: [{ name: 'web-1', node_exporter: { url: 'ftp://web-1/metrics' } }],
        fleet: { receiver: { port: 80 } },
      },
    });
    expect(await d.exited).toBe(2);
    for (const path of [
      'access_control.rate_limit.requests',
      'bot_updates.timeout_seconds',
      'alerts.settle_ms',
      'alerts.severity.container_oom',
      'history.interval',
      'hosts[0].node_exporter.url',
      'fleet.receiver.port',
    ])
      expect(d.output).toContain(`${path}: `);
  });

  it("loads pyTMBot's sample layout (--check-config)", async () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'pytmbot-sample.yaml'), 'utf8');
    const d = start({ configText: text, args: ['--check-config'] });
    expect(await d.exited).toBe(0);
    expect(d.output).toMatch(/configuration is valid/);
  });

  it('stops on SIGTERM with exit 0 within 5 s, idle and with a handler in flight', async () => {
    const idle = start();
    await idle.ready();
    let t0 = Date.now();
    expect(await idle.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(STOP_BOUND_MS);

    const busy = start({ stateDir: idle.stateDir });
    await busy.ready();
    emu.fail('sendMessage', { delayMs: 1500 });
    const user = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await user.command('/start');
    await emu.waitFor((e) => e.type === 'call' && e.call.method === 'sendMessage');
    t0 = Date.now();
    expect(await busy.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(STOP_BOUND_MS);
    // The in-flight reply was finished, and state was flushed to disk.
    expect(
      emu.transcript(ADMIN_ID).some((e) => e.sender === 'bot' && /Hi, Ann/.test(e.text ?? '')),
    ).toBe(true);
    expect(busy.output).toMatch(/"message":"stopped"/);
  });

  it('stops on SIGTERM while still waiting for Telegram at start-up', async () => {
    emu.setUnresponsive(true);
    const d = start();
    await emu.waitFor((e) => e.type === 'call' && e.call.method === 'getMe');
    const t0 = Date.now();
    expect(await d.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(STOP_BOUND_MS);
  });

  it('exits 1 with a clear message when Telegram rejects the token', async () => {
    emu.fail('getMe', { error_code: 401, description: 'Unauthorized' });
    const d = start();
    expect(await d.exited).toBe(1);
    expect(d.output).toMatch(/the bot token was rejected by Telegram/);
  });

  it('exits 1 when another instance takes the updates', async () => {
    const d = start();
    await d.ready();
    emu.fail('getUpdates', {
      error_code: 409,
      description:
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
    emu.injectUpdate({
      message: {
        message_id: 1,
        date: 0,
        chat: { id: ADMIN_ID, type: 'private' },
        from: { id: ADMIN_ID, is_bot: false, first_name: 'A' },
        text: 'x',
      },
    });
    expect(await d.exited).toBe(1);
    expect(d.output).toMatch(/another instance is receiving updates/);
  });

  it('waits out a 429 on sendMessage and keeps polling through 5xx on getUpdates', async () => {
    const d = start();
    await d.ready();
    emu.fail('getUpdates', { error_code: 502, description: 'Bad Gateway' }, 2);
    emu.fail('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const user = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await user.command('/start');
    const t0 = Date.now();
    const reply = await user.nextReply(30_000);
    expect(reply.text).toMatch(/Hi, Ann/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(d.proc.exitCode).toBeNull();
  });

  it('answers unknown text with a hint, and never shows a secret in chat', async () => {
    const d = start();
    await d.ready();
    const user = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await user.text('what is this');
    expect((await user.nextReply()).text).toMatch(/don't know that one/);
    const everything = JSON.stringify(emu.calls);
    expect(everything.replaceAll(emu.apiRoot, '')).not.toContain(TEST_SALT);
  });
});
