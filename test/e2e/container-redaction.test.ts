/**
 * Issue 17 §1: secrets a container carries (env, labels, command line, health-check output,
 * logs) never reach a chat, in any encoding, for any user; non-admins see no env values and
 * no command line. The real daemon, the emulator and a private real Docker engine.
 */
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../support/bot-api-emulator';
import { ADMIN_ID, Daemon, TEST_SALT, TEST_TOKEN, USER_ID } from '../support/daemon';
import {
  describeDocker,
  runBusybox,
  startSecondEngine,
  type OwnedDockerEngine,
} from '../support/docker-engine';
import { totp } from '../support/e2e-helpers';

jest.setTimeout(120_000);

const HALF = TEST_TOKEN.split(':')[1] ?? '';
const ENCODED = encodeURIComponent(TEST_TOKEN);
const NAME = 'leaky';
/** A second admin, so that no one exceeds the bot's per-user rate limit (8 / 10 s). */
const ADMIN_2 = 2101;

/** Every form of a secret that must never appear in a chat. */
const FORBIDDEN = [TEST_TOKEN, HALF, ENCODED, TEST_SALT, 'hunter2', 'pass@h', 's3cr3t', 'wonder'];

function expectClean(text: string | undefined): void {
  for (const s of FORBIDDEN) expect(text ?? '').not.toContain(s);
  expect(text ?? '').not.toContain('\u001b');
}

describeDocker('container data redaction, end to end', () => {
  let own: OwnedDockerEngine;
  let emu: BotApiEmulator;
  let daemon: Daemon;

  beforeAll(async () => {
    [own, emu] = await Promise.all([
      startSecondEngine(),
      BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' }),
    ]);
    const leak = `echo "GET /bot${ENCODED}/getMe half=${HALF} run --password hunter2"`;
    await runBusybox(own, {
      name: NAME,
      cmd: [
        '/bin/sh',
        '-c',
        `${leak}; while true; do sleep 1; done`,
        'sh',
        `--bot=${TEST_TOKEN}`,
        `--salt-value=${TEST_SALT}`,
        '--db-url=postgres://u:pass@h/d',
        '-p',
        'hunter2',
      ],
      env: {
        PLAIN: TEST_TOKEN,
        NOTIFY: `https://api.telegram.org/bot${TEST_TOKEN}/sendMessage`,
        OPTS: '--password=s3cr3t --verbose',
        CREDS: 'alice:wonder',
        ESCAPED: 'red\u001b[31mtext',
        MODE: 'prod',
      },
      labels: { notify: TEST_TOKEN, team: 'ops' },
      healthcheck: { cmd: `echo ${ENCODED} ${HALF}; exit 1`, retries: 1 },
    });
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        access_control: {
          allowed_user_ids: [ADMIN_ID, ADMIN_2, USER_ID],
          allowed_admins_ids: [ADMIN_ID, ADMIN_2],
          auth_salt: [TEST_SALT],
        },
        docker: { host: [own.host] },
      },
    });
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    daemon?.cleanup();
    await emu?.stop();
    await own?.stop();
  });

  async function press(
    who: UserDriver,
    m: EmuMessage,
    text: string,
    until: RegExp,
  ): Promise<EmuMessage> {
    const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text.startsWith(text));
    if (b === undefined || !('callback_data' in b)) throw new Error(`no button ${text}`);
    const before = emu.transcript(m.chat.id).find((e) => e.message_id === m.message_id)
      ?.edits.length;
    await who.press(m, b.callback_data);
    return emu.waitForEdit(
      (e) =>
        e.message_id === m.message_id &&
        e.chat.id === m.chat.id &&
        (emu.transcript(m.chat.id).find((x) => x.message_id === m.message_id)?.edits.length ?? 0) >
          (before ?? 0) &&
        until.test(e.text ?? ''),
      30_000,
    );
  }

  /** Presses a button behind 2FA: answers the code prompt, then presses "Continue". */
  async function privileged(
    who: UserDriver,
    m: EmuMessage,
    text: string,
    until: RegExp,
  ): Promise<EmuMessage> {
    const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text === text);
    await who.press(m, b && 'callback_data' in b ? b.callback_data : '');
    const prompt = await who.nextReply(20_000);
    expect(prompt.text).toMatch(/Two-factor authentication/);
    await who.text(totp(who.id));
    const accepted = await who.nextReply(20_000);
    expect(accepted.text).toMatch(/Code accepted/);
    const cont = (accepted.reply_markup?.inline_keyboard ?? [])
      .flat()
      .find((x) => x.text.startsWith('Continue'));
    if (cont === undefined) throw new Error('no Continue button');
    return press(who, accepted, cont.text, until);
  }

  async function details(who: UserDriver): Promise<EmuMessage> {
    await who.command('/containers');
    const list = await who.nextReply(20_000);
    return press(who, list, `🟢 ${NAME}`, /Config/);
  }

  it('a plain user sees env names but no values and no command line; labels masked', async () => {
    const u = emu.user(USER_ID, { first_name: 'Plain' });
    const d = await details(u);
    expectClean(d.text);
    expect(d.text).toContain('PLAIN=[admins-only]');
    expect(d.text).toContain('OPTS=[admins-only]');
    expect(d.text).toContain('Command: [admins-only]');
    expect(d.text).toContain('notify=[REDACTED]');
    expect(d.text).toContain('team=ops');
  });

  it('an admin sees the command line and env masked; logs page, log file and health output are clean', async () => {
    const a = emu.user(ADMIN_ID, { first_name: 'Admin' });
    const d = await details(a);
    expectClean(d.text);
    expect(d.text).toContain('PLAIN=[REDACTED]');
    expect(d.text).toContain('OPTS=--password=[REDACTED] --verbose');
    expect(d.text).toContain('CREDS=<hidden>');
    expect(d.text).toContain('ESCAPED=redtext');
    expect(d.text).toContain('--db-url=[REDACTED]');
    expect(d.text).toContain('-p [REDACTED]');

    const logs = await privileged(a, d, '📜 Logs', /Logs of/);
    expectClean(logs.text);
    expect(logs.text).toContain('--password [REDACTED]');

    const since = Date.now();
    const fileButton = (logs.reply_markup?.inline_keyboard ?? [])
      .flat()
      .find((x) => x.text === '📎 As file');
    await a.press(
      logs,
      fileButton && 'callback_data' in fileButton ? fileButton.callback_data : '',
    );
    const doc = await emu.waitForMessage(
      (m) => m.document !== undefined && m.chat.id === a.chatId && m.date * 1000 >= since - 1000,
      20_000,
    );
    const file = (await (
      await fetch(`${emu.apiRoot}bot${TEST_TOKEN}/getFile?file_id=${doc.document?.file_id}`)
    ).json()) as { result: { file_path: string } };
    const text = await (
      await fetch(`${emu.apiRoot}file/bot${TEST_TOKEN}/${file.result.file_path}`)
    ).text();
    expect(text).toContain('GET /bot');
    expectClean(text);

    // Health-check output on the runtime screen (once the engine has run the check).
    const deadline = Date.now() + 20_000;
    while ((await own.docker.getContainer(NAME).inspect()).State.Health?.Log?.length === 0) {
      if (Date.now() > deadline) throw new Error('no health check ran');
      await new Promise((r) => setTimeout(r, 200));
    }
    const b2 = emu.user(ADMIN_2, { first_name: 'Admin2' });
    const runtime = await privileged(b2, await details(b2), '🩺 Runtime', /Runtime of/);
    expect(runtime.text).toMatch(/Output: /);
    expectClean(runtime.text);
  });
});
