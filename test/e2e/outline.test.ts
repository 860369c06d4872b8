/**
 * The Outline plugin end to end: the built daemon with `--plugins outline`, the Bot API emulator
 * and a local HTTPS Outline stand-in with a self-signed certificate. A user opens the plugin from
 * the Plugins screen and presses its three buttons; the API URL (a secret) never shows up in the
 * daemon's output or in the chat, and neither do access URLs.
 */
import { BotApiEmulator } from '../support/bot-api-emulator';
import { Daemon, USER_ID, TEST_TOKEN } from '../support/daemon';
import { OutlineStandIn, SECRET_PATH } from '../support/outline-server';

describe('outline plugin', () => {
  let emu: BotApiEmulator;
  let outline: OutlineStandIn;
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    outline = await OutlineStandIn.start();
  });
  afterAll(async () => {
    await outline.stop();
  });
  beforeEach(async () => {
    outline.reset();
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  });
  afterEach(async () => {
    if (daemon !== undefined) {
      await daemon.stop();
      daemon.cleanup();
      daemon = undefined;
    }
    await emu.stop();
  });

  it('a plain allowed user sees info, key names and traffic; secrets stay out', async () => {
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'outline'],
      config: {
        plugins_config: {
          outline: { api_url: [outline.apiUrl], cert: [outline.fingerprint.toLowerCase()] },
        },
      },
    });
    await daemon.ready();
    const user = emu.user(USER_ID, { first_name: 'Una' });

    await user.text('🍭 Plugins');
    expect((await user.nextReply()).text).toContain('🪐 Outline VPN');
    expect(emu.commands?.commands.map((c) => c.command)).toContain('outline');
    await user.command('/outline');
    expect((await user.nextReply()).text).toContain('Outline');
    await user.text('🪐 Outline VPN');
    const menu = await user.nextReply();
    const entry = emu.transcript(USER_ID).find((e) => e.message_id === menu.message_id);
    const labels = (entry?.reply_markup as { keyboard: { text: string }[][] }).keyboard
      .flat()
      .map((b) => b.text);
    expect(labels).toEqual(['🚡 Outline info', '📚 Keys', '🚅 Traffic', '⬅️ Back to main menu']);

    await user.text('🚡 Outline info');
    const info = await user.nextReply();
    expect(info.text).toContain('Up and running');
    expect(info.text).toContain('Name: Outline <b>Test</b>');

    await user.text('📚 Keys');
    const keys = await user.nextReply();
    expect(keys.text).toContain('Access keys (2)');
    expect(keys.text).toContain('• <i>Bob</i> & co');

    await user.text('🚅 Traffic');
    const traffic = await user.nextReply();
    expect(traffic.text).toContain('Alice: 1.50 MiB');
    expect(traffic.text).toContain('key 7: 2.00 KiB');

    // Exact routes only: a sentence containing "Keys" is not the Keys button.
    await user.text('where are my keys');
    expect((await user.nextReply()).text).not.toContain('Access keys');

    // The server goes away: the user is told why, without the URL.
    outline.answers.set('server', { json: {}, status: 503 });
    await user.text('🚡 Outline info');
    expect((await user.nextReply()).text).toBe(
      '⚠️ Outline server not reachable: the API answered HTTP 503',
    );

    const chat = JSON.stringify(emu.transcript(USER_ID));
    for (const text of [chat, daemon.output]) {
      expect(text).not.toContain(SECRET_PATH);
      expect(text).not.toContain('SECRETKEY');
    }
  });

  it('stays off with a warning when the fingerprint is a placeholder; unknown plugins still warn', async () => {
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'outline,nosuch'],
      config: {
        plugins_config: { outline: { api_url: [outline.apiUrl], cert: ['YOUR_CERT_SHA256'] } },
      },
    });
    await daemon.ready();
    expect(daemon.output).toContain("plugin 'outline' is off");
    expect(daemon.output).toContain("plugin 'nosuch' is not available");
    const user = emu.user(USER_ID, { first_name: 'Una' });
    await user.text('🍭 Plugins');
    expect((await user.nextReply()).text).toContain('No plugins are enabled');
    expect(daemon.output).not.toContain(SECRET_PATH);
  });
});
