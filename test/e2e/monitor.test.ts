/**
 * The monitor plugin end to end: the built daemon with `--plugins monitor`, the Bot API emulator
 * and this machine's real /proc. Thresholds of 0 make CPU and memory alerts certain; the admin
 * chat (global_chat_id) must receive them, and the Plugins screen must open the status view.
 */
import { BotApiEmulator, type EmuMessage } from '../support/bot-api-emulator';
import { buttonData } from '../support/bot-api-driver';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  testConfig,
} from '../support/daemon';

jest.setTimeout(90_000);

describe('monitor plugin', () => {
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  });
  afterEach(async () => {
    if (daemon !== undefined) {
      await daemon.stop();
      expect(daemon.output).not.toContain(TEST_TOKEN);
      expect(daemon.output).not.toContain(TEST_SALT);
      daemon.cleanup();
      daemon = undefined;
    }
    await emu.stop();
  });

  it('sends CPU and memory alerts to the admin chat and shows a status screen', async () => {
    // The admin's private chat must exist (they started the bot) before it can receive alerts.
    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });
    const base = testConfig(emu.apiRoot);
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'monitor'],
      config: {
        ...base,
        plugins_config: {
          monitor: {
            tracehold: { cpu_usage_threshold: 0, memory_usage_threshold: 0 },
            check_interval: 1,
            max_notifications: 10,
          },
        },
      },
    });
    await daemon.ready();
    expect(daemon.output).not.toContain("plugin 'monitor' is not available");

    const alert = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && /Memory [\d.]+ % over 0 %/.test(m.text ?? ''),
      20_000,
    );
    // CPU and memory cross at the same check: one grouped message names both.
    expect(alert.text).toMatch(/CPU [\d.]+ % over 0 %/);

    // The admin's chat is also the alert chat, where checks every second may add alerts between
    // a message and its reply: the reply is the next message matching `re`.
    const reply = async (text: string, re: RegExp): Promise<EmuMessage> => {
      const sent = await admin.text(text);
      return emu.waitForMessage(
        (m) => m.chat.id === ADMIN_ID && m.message_id > sent.message_id && re.test(m.text ?? ''),
      );
    };
    const plugins = await reply('🍭 Plugins', /📈 Monitoring/);
    expect(plugins.text).toContain('📈 Monitoring');
    const status = await reply('📈 Monitoring', /📈 Monitoring \(every/);
    expect(status.text).toContain('📈 Monitoring (every 1 s)');
    expect(status.text).toMatch(/🔴 Memory: \d+\.\d % \/ 0\.0 %/);
    expect(status.text).toMatch(/Memory [\d.]+ % over 0 % · this host — 🔔 firing since/);

    // With a check every second the screen changes between presses: Refresh edits it in place.
    const id = await admin.press(status, buttonData(status, '🔄 Refresh'));
    await emu.waitForCallbackAnswer(id);
    const after = admin.transcript().find((m) => m.message_id === status.message_id);
    expect(after?.text).toContain('Active alerts');
  });
});
