import { generateSync } from '@otplib/totp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { systemClock, type Clock } from '../../../src/clock';
import { authFeature } from '../../../src/features/auth';
import type { Feature } from '../../../src/features/feature';
import { silentLogger } from '../../support/silent-logger';
import type { AdminNotifier } from '../../../src/security/admin-notifier';
import { JsonlAuditLog } from '../../../src/security/audit-log';
import type { PrivilegedAction } from '../../../src/security/second-factor';
import { deriveTotpSecret } from '../../../src/security/totp';
import { TwoFactorGuard } from '../../../src/features/two-factor-guard';
import { TwoFactorSessions } from '../../../src/security/two-factor-sessions';
import type { Req } from '../../../src/telegram/request';
import { html, visibleText } from '../../../src/views/html';
import { defineAction, field } from '../../../src/telegram/actions';
import type { ActionButton } from '../../../src/views/view';
import { MemoryStore } from '../../support/memory-store';
import { Pipeline } from '../../support/pipeline';

const SALT = 'unit-test-salt-0123456789abcdefghijklmnopqrstuv';
const ADMIN = 1001;
const USER = 1002;
const crypto = new NodeCryptoPlugin();

const RESTART_ACTION = defineAction('test.restart', {
  host: field.text(/^[a-z]{1,10}$/),
  name: field.text(/^[a-z]{1,10}$/),
});
const RESTART: PrivilegedAction = {
  label: 'restart nginx',
  ...RESTART_ACTION.call({ host: 'local', name: 'nginx' }),
  audit: 'container.restart',
  target: 'local/nginx',
  destructive: true,
};

describe('auth feature and the 2FA guard', () => {
  let p: Pipeline;
  let audit: JsonlAuditLog;
  let notices: { text: string; except: number | undefined }[];
  let performed: string[];
  let rendered: string[];
  let failNext: boolean;

  beforeEach(() => {
    const clock: Clock = { ...systemClock, now: () => p.clock.now() };
    const store = new MemoryStore();
    const sessions = new TwoFactorSessions({ authSalt: SALT, store, clock, log: silentLogger });
    audit = new JsonlAuditLog({ store, clock, log: silentLogger });
    notices = [];
    performed = [];
    rendered = [];
    failNext = false;
    const notifier: AdminNotifier = {
      notify: (view, except) => {
        notices.push({ text: visibleText(view.html.value), except });
        return Promise.resolve();
      },
    };
    const guard = new TwoFactorGuard({ sessions, audit, notifier, clock, log: silentLogger });
    // A stand-in for a privileged Docker screen.
    const restart = async (req: Req): Promise<void> => {
      await guard.requireSecondFactor(req, RESTART, async () => {
        if (failNext) throw new Error('engine said no');
        performed.push('restart');
        await req.show({ html: html`restarted` });
      });
    };
    const privileged: Feature = {
      name: 'test',
      install(router) {
        router.command('restart', restart);
        router.on(RESTART_ACTION, restart);
      },
    };
    const auth = authFeature({
      guard,
      sessions,
      audit,
      clock,
      renderQr: (text) => {
        rendered.push(text);
        return Promise.resolve(Buffer.from('png'));
      },
      qrDeleteMs: 60_000,
      botUsername: () => 'tmbot_test_bot',
    });
    p = new Pipeline({ userIds: [ADMIN, USER], adminIds: [ADMIN] }, [auth, privileged], store);
  });

  const code = (offsetMs = 0): string =>
    generateSync({
      secret: deriveTotpSecret(SALT, ADMIN, 0),
      crypto,
      epoch: Math.floor((p.clock.now() + offsetMs) / 1000),
    });
  const wrong = (): string => {
    const valid = [-30_000, 0, 30_000].map(code);
    return ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
  };
  const lastText = (chatId = ADMIN): string => p.sender.textsTo(chatId).at(-1) ?? '';
  const messageId = (u: Awaited<ReturnType<Pipeline['text']>>): number =>
    'message' in u ? u.message.message_id : -1;
  const outcomes = async (): Promise<string[]> =>
    (await audit.recent(50)).map((r) => `${r.userId} ${r.action} ${r.outcome}`);

  it('refuses a user who is not an admin, and audits it', async () => {
    await p.text(USER, '/restart');
    expect(lastText(USER)).toMatch(/Only admins may restart nginx/);
    await p.text(USER, '/qrcode');
    expect(lastText(USER)).toMatch(/Only admins may get a 2FA QR code/);
    await p.text(USER, '/audit');
    await p.text(USER, '123456');
    expect(lastText(USER)).toMatch(/Only admins may use 2FA codes/);
    expect(performed).toEqual([]);
    expect(rendered).toEqual([]);
    expect(await outcomes()).toEqual([
      '1002 container.restart denied',
      '1002 totp.qrcode denied',
      '1002 audit.view denied',
      '1002 totp.verify denied',
    ]);
  });

  it('refuses a non-admin button press with an alert', async () => {
    const token = p.callbacks.issue(USER, RESTART.action, RESTART.args);
    await p.press(USER, token);
    expect(p.sender.answers.at(-1)).toMatchObject({
      alert: true,
      text: expect.stringMatching(/Only admins/) as string,
    });
  });

  it('prompts, rejects a wrong code, accepts the right one, and resumes the action with "Continue: …"', async () => {
    await p.text(ADMIN, '/restart');
    expect(performed).toEqual([]);
    const prompt = p.sender.sent.at(-1)!;
    expect(prompt.text).toMatch(/6-digit code .* to restart nginx/);
    expect(prompt.text).toMatch(/First time\?/);

    const bad = await p.text(ADMIN, wrong());
    expect(p.sender.deleted).toContainEqual({ chatId: ADMIN, messageId: messageId(bad) });
    expect(lastText()).toMatch(/not valid .* 2 attempts left/);

    const good = await p.text(ADMIN, `/${code()}`);
    expect(p.sender.deleted).toContainEqual({ chatId: ADMIN, messageId: messageId(good) });
    expect(p.sender.deleted).toContainEqual({ chatId: ADMIN, messageId: prompt.messageId });
    const accepted = p.sender.sent.at(-1)!;
    expect(accepted.text).toMatch(/Code accepted.*10 minutes/s);
    expect(accepted.view.keyboard).toEqual({
      kind: 'inline',
      rows: [
        [{ text: 'Continue: restart nginx', action: 'test.restart', args: ['local', 'nginx'] }],
      ],
    });

    const autoDelete = JSON.parse(p.store.files.get('auto-delete.json')!) as { pending: unknown[] };
    expect(autoDelete.pending).toContainEqual({
      chatId: ADMIN,
      messageId: accepted.messageId,
      at: p.clock.now() + 600_000,
    });
    const keyboard = accepted.view.keyboard;
    if (keyboard?.kind !== 'inline') throw new Error('the accepted message has no inline keyboard');
    const button = keyboard.rows[0]![0] as ActionButton;
    await p.press(ADMIN, p.callbacks.issue(ADMIN, button.action, button.args), accepted.messageId);
    expect(performed).toEqual(['restart']);
    expect(p.sender.sent.at(-1)).toMatchObject({
      kind: 'edit',
      messageId: accepted.messageId,
      text: 'restarted',
    });
    expect(notices).toEqual([
      {
        text: expect.stringMatching(/User1001 \(1001\) ran restart nginx: done/) as string,
        except: ADMIN,
      },
    ]);
    expect(await outcomes()).toEqual([
      '1001 container.restart prompted',
      '1001 totp.verify failed',
      '1001 totp.verify ok',
      '1001 container.restart ok',
    ]);
    // Inside the session the guard lets the action through at once.
    await p.text(ADMIN, '/restart');
    expect(performed).toEqual(['restart', 'restart']);
  });

  it('keeps the asked-for action when the user presses "Enter 2FA code" and accepts /123456@bot', async () => {
    await p.text(ADMIN, '/restart');
    await p.text(ADMIN, '🖋️ Enter 2FA code');
    expect(lastText()).toMatch(/to restart nginx/);
    await p.text(ADMIN, `/${code()}@tmbot_test_bot`);
    expect(lastText()).toMatch(/Code accepted/);
    expect(JSON.stringify(p.sender.sent.at(-1)!.view.keyboard)).toContain(
      'Continue: restart nginx',
    );
    await p.text(ADMIN, 'enter 2fa code');
    expect(lastText()).toMatch(/already authenticated \(10 minutes left\)/);
  });

  it('locks out after 3 wrong codes, tells the admin chats, and refuses privileged actions meanwhile', async () => {
    await p.text(ADMIN, '/restart');
    await p.text(ADMIN, wrong());
    await p.text(ADMIN, wrong());
    await p.text(ADMIN, wrong());
    expect(lastText()).toMatch(/Too many wrong codes. 2FA is blocked for 10 minutes/);
    expect(notices.map((n) => n.text)).toEqual([
      expect.stringMatching(/2FA lockout: User1001 \(1001\) is blocked for 10 minutes/),
    ]);
    await p.text(ADMIN, code());
    expect(lastText()).toMatch(/Try again in 10 minutes/);
    p.clock.advance(60_000);
    await p.text(ADMIN, '/restart');
    expect(lastText()).toMatch(/Try again in 9 minutes/);
    expect(performed).toEqual([]);
    expect((await outcomes()).slice(-3)).toEqual([
      '1001 totp.verify failed',
      '1001 totp.lockout blocked',
      '1001 container.restart blocked',
    ]);
  });

  it('audits a privileged action that fails, and reports it without details', async () => {
    await p.text(ADMIN, code());
    failNext = true;
    await p.text(ADMIN, '/restart');
    expect(lastText()).toMatch(/Something went wrong/);
    expect((await outcomes()).at(-1)).toBe('1001 container.restart failed');
    expect(notices.at(-1)?.text).toMatch(/ran restart nginx: failed/);
  });

  it('shows the QR code freely until enrolment, then only inside a session', async () => {
    await p.text(ADMIN, '/qrcode');
    const photo = p.sender.sent.at(-1)!;
    expect(photo.kind).toBe('photo');
    expect(photo.options).toMatchObject({ spoiler: true, protect: true });
    expect(photo.text).toMatch(/deleted in 60 s/);
    expect(rendered).toEqual([
      expect.stringMatching(
        /^otpauth:\/\/totp\/tmbot:tmbot_test_bot%201001\?secret=[A-Z2-7]{32}&issuer=tmbot/,
      ),
    ]);

    await p.text(ADMIN, code());
    expect(lastText()).toMatch(/now enrolled/);
    await p.text(ADMIN, '🌓 Get QR-code for 2FA app');
    expect(p.sender.sent.at(-1)!.kind).toBe('photo');
    await p.text(ADMIN, '/logout');
    expect(lastText()).toMatch(/session ended/);
    await p.text(ADMIN, '/qrcode');
    expect(lastText()).toMatch(/already enrolled/);
    expect(rendered).toHaveLength(2);
    expect((await outcomes()).filter((o) => o.includes('qrcode'))).toEqual([
      '1001 totp.qrcode ok',
      '1001 totp.qrcode ok',
      '1001 totp.qrcode denied',
    ]);
  });

  it('never sends the QR code into a group', async () => {
    await p.text(ADMIN, '/qrcode', { id: -100, type: 'supergroup', title: 'ops' });
    expect(lastText(-100)).toMatch(/private chat/);
    expect(rendered).toEqual([]);
  });

  it('shows the last 20 audit entries inside a session', async () => {
    for (let i = 0; i < 25; i++) await audit.record({ userId: 7, action: `a${i}`, outcome: 'ok' });
    await p.text(ADMIN, code());
    await p.text(ADMIN, '/audit');
    const shown = lastText();
    expect(shown).toMatch(/Audit log \(last 20, UTC\)/);
    // 26 entries so far (25 + the code): a0…a5 are older than the last 20.
    expect(shown).not.toMatch(/ a5\b/);
    expect(shown).toMatch(/ a6\b/);
    expect(shown).toMatch(/ a24\b/);
    expect(shown).toMatch(/totp\.verify/);
  });
});
