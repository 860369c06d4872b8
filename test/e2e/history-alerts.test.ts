/**
 * Charts with alerts, end to end: the built daemon with `--plugins monitor` and history
 * sampling every second, the Bot API emulator and this machine's real /proc. A memory
 * threshold of 0 makes a memory alert certain (the other conditions need 100 checks, so it
 * goes out alone); the last hour's memory chart must follow as a photo replying to it.
 */
import { PNG } from 'pngjs';
import { Telegraf } from 'telegraf';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { ADMIN_CHAT_ID, ADMIN_ID, Daemon, TEST_TOKEN, testConfig } from '../support/daemon';

jest.setTimeout(90_000);

const SLOW = { debounce_checks: 100 };

describe('alert charts', () => {
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  });
  afterEach(async () => {
    if (daemon !== undefined) {
      expect(await daemon.stop()).toBe(0);
      expect(daemon.output).not.toContain(TEST_TOKEN);
      daemon.cleanup();
      daemon = undefined;
    }
    await emu.stop();
  });

  it("a memory alert is followed by the last hour's memory chart, replying to it", async () => {
    emu.user(ADMIN_ID, { first_name: 'Ann' }); // the admin's private chat exists
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'monitor'],
      config: {
        ...testConfig(emu.apiRoot),
        plugins_config: {
          monitor: {
            tracehold: { cpu_usage_threshold: 100, memory_usage_threshold: 0 },
            check_interval: 1,
            max_notifications: 10,
          },
        },
        alerts: {
          conditions: {
            cpu: SLOW,
            disk: SLOW,
            temperature: SLOW,
            swap: SLOW,
            load: SLOW,
            fan: SLOW,
          },
        },
        history: { interval: 1 },
      },
    });
    await daemon.ready();
    const alert = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && /Memory [\d.]+ % over 0 %/.test(m.text ?? ''),
      30_000,
    );
    const chart = await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && m.photo !== undefined,
      45_000,
    );
    const entry = emu.transcript(ADMIN_CHAT_ID).find((e) => e.message_id === chart.message_id);
    expect(entry?.reply_to_message_id).toBe(alert.message_id);
    expect(chart.caption).toMatch(/^Memory and swap · last 1 h\nmemory: now [\d.]+ %/);
    const telegram = new Telegraf(TEST_TOKEN, { telegram: { apiRoot: emu.apiRoot } }).telegram;
    const photo = chart.photo?.at(-1);
    if (photo === undefined) throw new Error('not a photo');
    const link = await telegram.getFileLink(photo.file_id);
    const png = PNG.sync.read(Buffer.from(await (await fetch(link)).arrayBuffer()));
    expect([png.width, png.height]).toEqual([800, 400]);
  });
});
