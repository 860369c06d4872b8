/**
 * History end to end: the built daemon sampling every second, the Bot API emulator and a
 * private Docker engine. The CPU chart arrives as a real PNG and its period picker edits the
 * same message; a container that allocates memory in steps shows the steps in its chart.
 */
import { PNG } from 'pngjs';
import { Telegraf } from 'telegraf';
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../support/bot-api-emulator';
import { ADMIN_ID, Daemon, TEST_SALT, TEST_TOKEN, USER_ID } from '../support/daemon';
import {
  describeDocker,
  removeAll,
  runBusybox,
  startSecondEngine,
  uniqueName,
  type OwnedDockerEngine,
} from '../support/docker-engine';
import { buttons } from '../support/e2e-helpers';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
function callbackOf(m: EmuMessage, text: string): string {
  const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text === text);
  if (b === undefined || !('callback_data' in b) || b.callback_data === undefined)
    throw new Error(`no button "${text}" in: ${buttons(m).join(' | ')}`);
  return b.callback_data;
}

describeDocker('History and charts, end to end', () => {
  const prefix = uniqueName('tmbot-hist');
  let own: OwnedDockerEngine;
  let emu: BotApiEmulator;
  let daemon: Daemon;
  let telegram: Telegraf['telegram'];
  /** Users take turns so that no one hits the bot's 8-requests-per-10-s limit. */
  const USERS = [ADMIN_ID, USER_ID, 2001, 2002, 2003, 2004];
  let turn = 0;
  const user = (): UserDriver => emu.user(USERS[turn++ % USERS.length] as number);

  beforeAll(async () => {
    [own, emu] = await Promise.all([
      startSecondEngine(),
      BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' }),
    ]);
    telegram = new Telegraf(TEST_TOKEN, { telegram: { apiRoot: emu.apiRoot } }).telegram;
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        access_control: {
          allowed_user_ids: USERS,
          allowed_admins_ids: [ADMIN_ID],
          auth_salt: [TEST_SALT],
        },
        docker: { host: [own.host] },
        history: { interval: 1, time_zone: 'Europe/Berlin' },
      },
    });
    await daemon.waitForLog(/ready: receiving updates/, 30_000);
  });

  afterAll(async () => {
    const code = await daemon?.stop();
    expect(code).toBe(0);
    expect(daemon.output).not.toContain(TEST_TOKEN);
    daemon.cleanup();
    await removeAll(own, prefix);
    await emu?.stop();
    await own?.stop();
  });

  /** The photo's bytes, fetched the way a client would (getFile, then the file URL). */
  async function photoBytes(m: EmuMessage): Promise<Buffer> {
    const photo = m.photo?.at(-1);
    if (photo === undefined) throw new Error('not a photo message');
    const link = await telegram.getFileLink(photo.file_id);
    return Buffer.from(await (await fetch(link)).arrayBuffer());
  }

  /** Presses a chart button until the bot answers with a photo (history needs a few samples first). */
  async function openChart(
    screen: (u: UserDriver) => Promise<EmuMessage>,
    label: string,
  ): Promise<EmuMessage> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const u = user();
      const m = await screen(u);
      const seen = Math.max(0, ...emu.transcript(u.chatId).map((e) => e.message_id));
      const id = await u.press(m, callbackOf(m, label));
      const answer = await emu.waitForCallbackAnswer(id, 30_000);
      if (answer.text === undefined || !/No data for this period yet/.test(answer.text)) {
        return emu.waitForMessage(
          (x) => x.chat.id === u.chatId && x.message_id > seen && x.photo !== undefined,
          30_000,
        );
      }
      if (Date.now() > deadline) throw new Error('no chart within 60 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  it('sends the CPU chart for 1 h as an 800 × 400 PNG, and 24 h edits the same message', async () => {
    const cpuScreen = async (u: UserDriver): Promise<EmuMessage> => {
      await u.text('🔌 CPU');
      return u.nextReply(30_000);
    };
    const chart = await openChart(cpuScreen, '📈 Chart');
    const u = emu.user(chart.chat.id);
    expect(chart.caption).toMatch(/^CPU · last 1 h\nCPU: now [\d.]+ %, peak [\d.]+ %/);
    const png = PNG.sync.read(await photoBytes(chart));
    expect([png.width, png.height]).toEqual([800, 400]);
    expect(buttons(chart)).toEqual(['• 1 h', '6 h', '24 h', '7 d', '30 d']);

    const before = await photoBytes(chart);
    await u.press(chart, callbackOf(chart, '24 h'));
    const edited = await emu.waitForEdit(
      (m) =>
        m.chat.id === chart.chat.id &&
        m.message_id === chart.message_id &&
        /last 24 h/.test(m.caption ?? ''),
      30_000,
    );
    expect(buttons(edited)).toEqual(['1 h', '6 h', '• 24 h', '7 d', '30 d']);
    const after = await photoBytes(edited);
    expect(after.equals(before)).toBe(false);
    expect(PNG.sync.read(after).width).toBe(800);
  });

  it('shows a container that allocates memory in steps in its memory chart', async () => {
    const name = `${prefix}-steps`;
    // Three steps of 24 MiB held in shell variables, a few seconds apart (anonymous memory).
    const step = (v: string, c: string): string =>
      `${v}=$(head -c ${24 * MiB} /dev/zero | tr '\\0' ${c})`;
    await runBusybox(own, {
      name,
      cmd: `${step('a', 'x')}; sleep 4; ${step('b', 'y')}; sleep 4; ${step('c', 'z')}; sleep 600`,
    });
    const memoryMiB = (caption: string | undefined): number[] => {
      const m = /memory: now ([\d.]+) (KiB|MiB|GiB), peak ([\d.]+) (KiB|MiB|GiB)/.exec(
        caption ?? '',
      );
      if (m === null) return [];
      const f = (v: string, u: string): number =>
        Number(v) * (u === 'KiB' ? 1 / 1024 : u === 'GiB' ? 1024 : 1);
      return [f(m[1] ?? '0', m[2] ?? 'MiB'), f(m[3] ?? '0', m[4] ?? 'MiB')];
    };
    const details = async (u: UserDriver): Promise<EmuMessage> => {
      await u.command('/containers');
      const list = await u.nextReply(30_000);
      const id = await u.press(list, callbackOf(list, `🟢 ${name}`));
      await emu.waitForCallbackAnswer(id, 30_000);
      return emu.waitForEdit(
        (m) =>
          m.chat.id === list.chat.id &&
          m.message_id === list.message_id &&
          buttons(m).includes('📈 Memory'),
        30_000,
      );
    };
    const deadline = Date.now() + 90_000;
    let now = 0;
    let caption: string | undefined;
    while (now < 40) {
      if (Date.now() > deadline)
        throw new Error(`memory chart never showed two steps: ${JSON.stringify(caption)}`);
      const chart = await openChart(details, '📈 Memory');
      caption = chart.caption;
      expect(caption?.startsWith(`${name} · memory · last 1 h`)).toBe(true);
      [now = 0] = memoryMiB(caption);
      const png = PNG.sync.read(await photoBytes(chart));
      expect(png.width).toBe(800);
      if (now < 40) await new Promise((r) => setTimeout(r, 2000));
    }
    // Busybox alone holds ~1 MiB; each step adds 24 MiB: the chart shows at least two steps.
    expect(now).toBeGreaterThanOrEqual(40);
    expect(now).toBeLessThan(200);
  });

  it('says so when the container vanished between the screen and the chart', async () => {
    const name = `${prefix}-gone`;
    await runBusybox(own, { name, cmd: 'sleep 600' });
    const u = user();
    await u.command('/containers');
    const list = await u.nextReply(30_000);
    const pressed = await u.press(list, callbackOf(list, `🟢 ${name}`));
    await emu.waitForCallbackAnswer(pressed, 30_000);
    const screen = await emu.waitForEdit(
      (m) =>
        m.chat.id === list.chat.id &&
        m.message_id === list.message_id &&
        buttons(m).includes('📈 CPU'),
      30_000,
    );
    await own.docker.getContainer(name).remove({ force: true });
    const id = await u.press(screen, callbackOf(screen, '📈 CPU'));
    const answer = await emu.waitForCallbackAnswer(id, 30_000);
    expect(answer.text).toBe(`Container ${name} no longer exists; its chart cannot be drawn.`);
  });
});
