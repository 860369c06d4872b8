import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSync } from '@otplib/totp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { base32Encode } from '../../src/security/base32';
import { BotApiEmulator, type EmuMessage, type UploadedFile } from '../support/bot-api-emulator';
import { ADMIN_ID, Daemon, TEST_SALT, TEST_TOKEN, USER_ID } from '../support/daemon';
import { eventually } from '../support/e2e-helpers';

jest.setTimeout(90_000);

const MAIN_JS = resolve(__dirname, '..', '..', 'dist', 'main.js');
const BOT = 'tmbot_test_bot';
const OPS_CHAT = -100777;
const crypto = new NodeCryptoPlugin();

/** The secret as the issue defines it, computed here independently of src/. */
function secretOf(userId: number, rotation: number): Buffer {
  return createHmac('sha256', TEST_SALT)
    .update(`totp-v1:${userId}:${rotation}`)
    .digest()
    .subarray(0, 20);
}

const expectedUri = (rotation: number): string =>
  `otpauth://totp/tmbot:${BOT}%20${ADMIN_ID}?secret=${base32Encode(secretOf(ADMIN_ID, rotation))}` +
  '&issuer=tmbot&algorithm=SHA1&digits=6&period=30';

describe('two-factor authentication, end to end (real daemon, Bot API emulator)', () => {
  let emu: BotApiEmulator;
  const daemons: Daemon[] = [];
  /** Every code a test typed: none may reach a log line. */
  const codes: string[] = [];

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN, botUsername: BOT });
  });
  afterEach(async () => {
    for (const d of daemons.splice(0)) {
      await d.stop('SIGKILL');
      expect(d.output).not.toContain(TEST_TOKEN);
      expect(d.output).not.toContain(TEST_SALT);
      for (const rotation of [0, 1, 2]) {
        const secret = secretOf(ADMIN_ID, rotation);
        expect(d.output).not.toContain(base32Encode(secret));
        expect(d.output).not.toContain(secret.toString('hex'));
      }
      for (const c of codes) {
        // eslint-disable-next-line security/detect-non-literal-regexp -- six digits made by the test
        expect(d.output).not.toMatch(new RegExp(`(?<!\\d)${c}(?!\\d)`));
      }
      d.cleanup();
    }
    codes.length = 0;
    await emu.stop();
  });

  function start(options: Partial<Parameters<typeof Daemon.start>[0]> = {}): Daemon {
    const d = Daemon.start({ apiRoot: emu.apiRoot, ...options });
    daemons.push(d);
    return d;
  }

  function codeNow(rotation = 0): string {
    const c = generateSync({
      secret: secretOf(ADMIN_ID, rotation),
      crypto,
      epoch: Math.floor(Date.now() / 1000),
    });
    codes.push(c);
    return c;
  }

  /** A code valid for none of the steps the daemon could accept. */
  function wrongCode(): string {
    const now = Math.floor(Date.now() / 1000);
    const near = [-60, -30, 0, 30, 60].map((d) =>
      generateSync({ secret: secretOf(ADMIN_ID, 0), crypto, epoch: now + d }),
    );
    const c = ['314159', '271828', '161803', '141421'].find((x) => !near.includes(x))!;
    codes.push(c);
    return c;
  }

  function auditLines(
    d: Daemon,
  ): { userId: number; action: string; outcome: string; target?: string }[] {
    return readFileSync(join(d.stateDir, 'audit.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { userId: number; action: string; outcome: string; target?: string },
      );
  }

  type AuditLine = ReturnType<typeof auditLines>[number];

  /**
   * The audit log once `done` holds for it (lines are appended right after the reply they
   * belong to, and a read may catch a line half written); the last read when it never does.
   */
  async function auditWhen(d: Daemon, done: (lines: AuditLine[]) => boolean): Promise<AuditLine[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      let lines: AuditLine[] | undefined;
      try {
        lines = auditLines(d);
      } catch {
        lines = undefined;
      }
      if (lines !== undefined && done(lines)) return lines;
      if (Date.now() > deadline) return lines ?? auditLines(d);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  function decodeQr(call: { params: Record<string, unknown> }): string {
    const upload = call.params.photo as UploadedFile;
    const png = PNG.sync.read(upload.data);
    return (
      jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? '(no QR code found)'
    );
  }

  const button = (m: EmuMessage, text: string): string => {
    const b = m.reply_markup?.inline_keyboard.flat().find((x) => x.text === text);
    if (b === undefined || !('callback_data' in b))
      throw new Error(`no button "${text}" in ${JSON.stringify(m.reply_markup)}`);
    return b.callback_data;
  };

  it('asks an admin without a session for a code, then the resume button performs the original action', async () => {
    const d = start();
    await d.ready();
    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });

    await admin.command('/audit');
    const prompt = await admin.nextReply();
    expect(prompt.text).toMatch(/Two-factor authentication/);
    expect(prompt.text).toMatch(/to show the audit log/);

    const bad = await admin.text(wrongCode());
    expect((await admin.nextReply()).text).toMatch(/not valid .* 2 attempts left/);

    const good = await admin.text(codeNow());
    const accepted = await admin.nextReply();
    expect(accepted.text).toMatch(/Code accepted/);

    await admin.press(accepted, button(accepted, 'Continue: show the audit log'));
    const shown = await emu.waitForEdit(
      (m) => m.message_id === accepted.message_id && /Audit log/.test(m.text ?? ''),
    );
    expect(shown.text).toMatch(/audit\.view/);
    expect(shown.text).toMatch(/totp\.verify — enrolment completed/);

    // The code messages and the prompt are deleted in the background.
    const deletedIds = [bad.message_id, good.message_id, prompt.message_id];
    const isDeleted = (id: number): boolean =>
      admin.transcript().find((e) => e.message_id === id)?.deleted === true;
    await eventually(() => deletedIds.every(isDeleted), 20_000).catch(() => undefined);
    const transcript = admin.transcript();
    for (const id of deletedIds) {
      expect(transcript.find((e) => e.message_id === id)?.deleted).toBe(true);
    }
    const visible = transcript
      .filter((e) => !e.deleted)
      .map((e) => `${e.text ?? ''}${e.caption ?? ''}`);
    for (const c of codes) expect(visible.join('\n')).not.toContain(c);

    expect(statSync(join(d.stateDir, 'audit.jsonl')).mode & 0o777).toBe(0o600);
    // The audit line for the resumed action is appended just after its screen is shown.
    expect(
      (await auditWhen(d, (l) => l.length >= 4)).map((l) => `${l.userId} ${l.action} ${l.outcome}`),
    ).toEqual([
      `${ADMIN_ID} audit.view prompted`,
      `${ADMIN_ID} totp.verify failed`,
      `${ADMIN_ID} totp.verify ok`,
      `${ADMIN_ID} audit.view ok`,
    ]);
  });

  it('shows a QR code that decodes to the otpauth URI, deletes it, refuses it after enrolment, and `totp reset` starts over', async () => {
    const d = start({ env: { TMBOT_QR_DELETE_SECONDS: '1' } });
    await d.ready();
    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });

    await admin.command('/qrcode');
    const photo = await admin.nextReply();
    expect(photo.caption).toMatch(/deleted in 1 s/);
    const sendPhoto = emu.calls.filter((c) => c.method === 'sendPhoto');
    expect(sendPhoto).toHaveLength(1);
    expect(String(sendPhoto[0]!.params.has_spoiler)).toBe('true');
    expect(String(sendPhoto[0]!.params.protect_content)).toBe('true');
    expect(decodeQr(sendPhoto[0]!)).toBe(expectedUri(0));
    await emu.waitFor((e) => e.type === 'delete' && e.messageId === photo.message_id, 20_000);

    await admin.text('🖋️ Enter 2FA code');
    expect((await admin.nextReply()).text).toMatch(/6-digit code/);
    await admin.text(codeNow());
    expect((await admin.nextReply()).text).toMatch(/now enrolled/);
    await admin.command('/logout');
    expect((await admin.nextReply()).text).toMatch(/session ended/);
    await admin.command('/qrcode');
    expect((await admin.nextReply()).text).toMatch(/already enrolled/);
    expect(emu.calls.filter((c) => c.method === 'sendPhoto')).toHaveLength(1);

    const cli = spawnSync(
      process.execPath,
      [MAIN_JS, 'totp', 'reset', String(ADMIN_ID), '--config', d.configPath],
      {
        env: { PATH: process.env.PATH ?? '', HOME: d.dir, TMBOT_STATE_DIR: d.stateDir },
        encoding: 'utf8',
      },
    );
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/User 1001 has a new 2FA secret \(rotation 1\)/);

    await admin.command('/qrcode');
    await admin.nextReply();
    const again = emu.calls.filter((c) => c.method === 'sendPhoto');
    expect(again).toHaveLength(2);
    expect(decodeQr(again[1]!)).toBe(expectedUri(1));
    const qrLines = (lines: AuditLine[]): AuditLine[] =>
      lines.filter((l) => l.action.startsWith('totp.qrcode') || l.action === 'totp.reset');
    expect(qrLines(await auditWhen(d, (l) => qrLines(l).length >= 4))).toEqual([
      expect.objectContaining({ userId: ADMIN_ID, action: 'totp.qrcode', outcome: 'ok' }),
      expect.objectContaining({ userId: ADMIN_ID, action: 'totp.qrcode', outcome: 'denied' }),
      expect.objectContaining({
        userId: 0,
        action: 'totp.reset',
        target: String(ADMIN_ID),
        outcome: 'ok',
      }),
      expect.objectContaining({ userId: ADMIN_ID, action: 'totp.qrcode', outcome: 'ok' }),
    ]);
  });

  it('locks an admin out after 3 wrong codes, tells the admin chat, keeps the block over a restart; refuses non-admins', async () => {
    const config = { chat_id: { global_chat_id: [OPS_CHAT] } };
    let d = start({ config });
    await d.ready();
    emu.user(ADMIN_ID).inChat({ id: OPS_CHAT, type: 'supergroup', title: 'ops' });
    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });

    await admin.text('🖋️ Enter 2FA code');
    await admin.nextReply();
    for (let i = 0; i < 3; i++) {
      await admin.text(wrongCode());
      await admin.nextReply();
    }
    expect(admin.transcript().at(-1)?.text).toMatch(/2FA is blocked for 10 minutes/);
    const notice = await emu.waitForMessage((m) => m.chat.id === OPS_CHAT);
    expect(notice.text).toMatch(/2FA lockout: Ann \(1001\) is blocked for 10 minutes/);

    expect(await d.stop()).toBe(0);
    d = start({ config, stateDir: d.stateDir });
    await d.ready();
    await admin.text('🖋️ Enter 2FA code');
    expect((await admin.nextReply()).text).toMatch(/Try again in 10 minutes/);
    await admin.text(codeNow());
    expect((await admin.nextReply()).text).toMatch(/Try again in 10 minutes/);

    const user = emu.user(USER_ID, { first_name: 'Bob' });
    await user.command('/audit');
    expect((await user.nextReply()).text).toMatch(/Only admins may show the audit log/);
    await user.command('/qrcode');
    expect((await user.nextReply()).text).toMatch(/Only admins may get a 2FA QR code/);
    expect(emu.calls.filter((c) => c.method === 'sendPhoto')).toHaveLength(0);
    expect(
      (await auditWhen(d, (l) => l.length >= 5)).map((l) => `${l.userId} ${l.action} ${l.outcome}`),
    ).toEqual([
      `${ADMIN_ID} totp.verify failed`,
      `${ADMIN_ID} totp.verify failed`,
      `${ADMIN_ID} totp.lockout blocked`,
      `${USER_ID} audit.view denied`,
      `${USER_ID} totp.qrcode denied`,
    ]);
  });
});
