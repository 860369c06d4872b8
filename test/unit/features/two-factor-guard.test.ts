import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSync } from '@otplib/totp';
import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import type { AuditEntry, PrivilegedAction } from '../../../src/security/second-factor';
import { deriveTotpSecret } from '../../../src/security/totp';
import { TwoFactorGuard } from '../../../src/features/two-factor-guard';
import { TwoFactorSessions } from '../../../src/security/two-factor-sessions';
import type { Req } from '../../../src/telegram/request';
import { visibleText } from '../../../src/views/html';
import type { View } from '../../../src/views/view';
import { MemoryStore } from '../../support/memory-store';
import { rawAction } from '../../support/raw-action';

const SALT = 'unit-test-salt-0123456789abcdefghijklmnopqrstuv';
const ADMIN = 1001;
const PLAIN = 2002;
const crypto = new NodeCryptoPlugin();
const RESTART: PrivilegedAction = {
  ...rawAction('docker.restart').call(['0', 'web']),
  label: 'restart web',
  audit: 'container.restart',
  target: 'local/web',
  destructive: true,
};

/** A request from `userId` in their private chat, recording what the guard does with it. */
function request(
  userId: number,
  isAdmin: boolean,
  where?: { chatId: number; isCallback: boolean },
) {
  const replies: string[] = [];
  const replyOptions: { replyTo?: number }[] = [];
  const toasts: string[] = [];
  const rawReplies: string[] = [];
  const deletedLater: number[] = [];
  let nextId = 100;
  const req: Req = {
    user: { id: userId, firstName: 'Ann', lastName: undefined, username: undefined },
    chat: where ? { id: where.chatId, type: 'supergroup' } : { id: userId, type: 'private' },
    text: undefined,
    messageId: 50,
    isCallback: where?.isCallback ?? true,
    isAdmin,
    reply: (view: View, options: { replyTo?: number } = {}) => {
      replies.push(visibleText(view.html.value));
      replyOptions.push(options);
      rawReplies.push(view.html.value);
      return Promise.resolve({ chatId: userId, messageId: nextId++ });
    },
    show: (view: View) => {
      replies.push(visibleText(view.html.value));
      return Promise.resolve('sent');
    },
    toast: (text?: string) => {
      toasts.push(text ?? '');
      return Promise.resolve();
    },
    deleteLater: (messageId: number) => void deletedLater.push(messageId),
    deleteNow: () => Promise.resolve(true),
    sendPhoto: () => Promise.reject(new Error('unused')),
    sendDocument: () => Promise.reject(new Error('unused')),
  } as unknown as Req;
  return { req, replies, replyOptions, rawReplies, toasts, deletedLater };
}

function setup() {
  const clock = new ManualClock();
  const sessions = new TwoFactorSessions({
    authSalt: SALT,
    store: new MemoryStore(),
    clock,
    log: silentLogger,
  });
  const audit: AuditEntry[] = [];
  const notices: { text: string; except: number | undefined }[] = [];
  const guard = new TwoFactorGuard({
    sessions,
    audit: { record: (e) => Promise.resolve(void audit.push(e)) },
    notifier: {
      notify: (view, except) =>
        Promise.resolve(void notices.push({ text: visibleText(view.html.value), except })),
    },
    clock,
    log: silentLogger,
  });
  const code = (): string =>
    generateSync({
      secret: deriveTotpSecret(SALT, ADMIN, 0),
      crypto,
      epoch: Math.floor(clock.now() / 1000),
    });
  return { guard, audit, notices, code };
}

describe('TwoFactorGuard', () => {
  it('in a group, the ForceReply prompt replies to the user message and mentions the user', async () => {
    const { guard } = setup();
    const typed = request(ADMIN, true, { chatId: -1001, isCallback: false });
    await guard.prompt(typed.req);
    expect(typed.replyOptions).toEqual([{ replyTo: 50 }]);
    expect(typed.rawReplies[0]).toContain(`<a href="tg://user?id=${ADMIN}">Ann</a>, reply`);
    // A button press has no user message to reply to: the mention alone targets the user.
    const pressed = request(ADMIN, true, { chatId: -1001, isCallback: true });
    await guard.prompt(pressed.req);
    expect(pressed.replyOptions).toEqual([{}]);
    expect(pressed.rawReplies[0]).toContain(`tg://user?id=${ADMIN}`);
    // Private chats keep the reply keyboard and no reply-to.
    const priv = request(ADMIN, true);
    await guard.prompt(priv.req);
    expect(priv.replyOptions).toEqual([{}]);
    expect(priv.rawReplies[0]).not.toContain('tg://user');
  });

  it('refuses a non-admin without running the action, and audits the denial', async () => {
    const { guard, audit } = setup();
    const r = request(PLAIN, false);
    let ran = false;
    expect(
      await guard.requireSecondFactor(r.req, RESTART, () => Promise.resolve(void (ran = true))),
    ).toBe(false);
    expect(ran).toBe(false);
    expect(audit).toEqual([
      expect.objectContaining({ userId: PLAIN, action: 'container.restart', outcome: 'denied' }),
    ]);
  });

  it('prompts an admin without a session, then runs the action after a good code, with notices', async () => {
    const { guard, audit, notices, code } = setup();
    const r = request(ADMIN, true);
    let runs = 0;
    const perform = (): Promise<void> => Promise.resolve(void runs++);
    expect(await guard.requireSecondFactor(r.req, RESTART, perform)).toBe(false);
    expect(runs).toBe(0);
    expect(r.toasts).toEqual(['2FA code needed']);
    expect(r.deletedLater).toEqual([100]); // the prompt goes away once it cannot be answered
    await guard.submitCode(r.req, code());
    expect(r.replies.at(-1)).toMatch(/Code accepted[\s\S]*Press the button to continue/);
    expect(await guard.requireSecondFactor(r.req, RESTART, perform)).toBe(true);
    expect(runs).toBe(1);
    expect(audit.map((e) => `${e.action} ${e.outcome}`)).toEqual([
      'container.restart prompted',
      'totp.verify ok',
      'container.restart ok',
    ]);
    expect(notices).toEqual([{ text: expect.stringMatching(/restart web/), except: ADMIN }]);
  });

  it('audits a failing action as failed, tells the admin chat, and rethrows', async () => {
    const { guard, audit, notices, code } = setup();
    const r = request(ADMIN, true);
    await guard.prompt(r.req);
    await guard.submitCode(r.req, code());
    const boom = new TypeError('engine said no');
    await expect(
      guard.requireSecondFactor(r.req, RESTART, () => Promise.reject(boom)),
    ).rejects.toBe(boom);
    expect(audit.at(-1)).toEqual(
      expect.objectContaining({
        action: 'container.restart',
        outcome: 'failed',
        detail: 'TypeError',
      }),
    );
    expect(notices).toHaveLength(1);
  });
});
