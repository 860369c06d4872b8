import type { AuditTrail } from '../security/audit-log';
import type { PrivilegedAction } from '../security/second-factor';
import type { TwoFactorGuard } from './two-factor-guard';
import type { TwoFactorSessions } from '../security/two-factor-sessions';
import { defineAction } from '../telegram/actions';
import type { Req } from '../telegram/request';
import {
  adminOnlyView,
  alreadyAuthenticatedView,
  AUTH_BUTTONS,
  auditView,
  blockedView,
  loggedOutView,
  qrCaptionView,
  qrPrivateOnlyView,
  qrRefusedView,
} from '../views/auth';
import type { Clock } from '../clock';
import type { Feature } from './feature';

export interface AuthDeps {
  readonly guard: TwoFactorGuard;
  readonly sessions: TwoFactorSessions;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  /** Renders text as a QR code PNG. */
  readonly renderQr: (text: string) => Promise<Buffer>;
  /** How long the QR photo stays in the chat. */
  readonly qrDeleteMs: number;
  readonly botUsername: () => string | undefined;
}

/** Entries /audit shows. */
export const AUDIT_SHOWN = 20;

/** The button that opens the audit log. */
export const VIEW_AUDIT_ACTION = defineAction('auth.audit');

/** /audit as a privileged action (it is also what the resume button re-runs). */
export const VIEW_AUDIT: PrivilegedAction = {
  label: 'show the audit log',
  ...VIEW_AUDIT_ACTION.call(),
  audit: 'audit.view',
  target: '',
};

/** A code as `123456` or `/123456` (optionally `/123456@bot` in groups). */
// eslint-disable-next-line security/detect-unsafe-regex -- anchored, bounded, no nested repetition: linear time
const CODE_MESSAGE = /^\/?(\d{6})(?:@[A-Za-z0-9_]{1,64})?$/;

/** /qrcode: the enrolment QR for admins, in private chats, and again only inside a 2FA session. */
async function sendQr(deps: AuthDeps, req: Req): Promise<void> {
  const { sessions, audit } = deps;
  const userId = req.user.id;
  if (!req.isAdmin) {
    await audit.record({
      userId,
      action: 'totp.qrcode',
      outcome: 'denied',
      detail: 'not an admin',
    });
    await req.reply(adminOnlyView('get a 2FA QR code'));
    return;
  }
  if (req.chat.type !== 'private') {
    await req.reply(qrPrivateOnlyView());
    return;
  }
  const status = sessions.status(userId);
  if (status.enrolled && status.state !== 'authenticated') {
    await audit.record({
      userId,
      action: 'totp.qrcode',
      outcome: 'denied',
      detail: 'enrolled; no 2FA session',
    });
    await req.reply(qrRefusedView());
    return;
  }
  const png = await deps.renderQr(sessions.provisioningUri(userId, deps.botUsername()));
  const sent = await req.sendPhoto(png, qrCaptionView(deps.qrDeleteMs), {
    spoiler: true,
    protect: true,
  });
  req.deleteLater(sent.messageId, deps.qrDeleteMs);
  await audit.record({
    userId,
    action: 'totp.qrcode',
    outcome: 'ok',
    detail: status.enrolled ? 'shown again in a 2FA session' : 'enrolment',
  });
}

/** /qrcode, "Enter 2FA code", code messages, /logout and /audit. */
export function authFeature(deps: AuthDeps): Feature {
  const { guard, sessions, audit, clock } = deps;

  const qrcode = (req: Req): Promise<void> => sendQr(deps, req);

  const enterCode = async (req: Req): Promise<void> => {
    if (!req.isAdmin) return guard.refuseCodes(req, 'use 2FA');
    const status = sessions.status(req.user.id);
    if (status.state === 'blocked') {
      await req.reply(blockedView(status.until - clock.now()));
    } else if (status.state === 'authenticated') {
      await req.reply(alreadyAuthenticatedView(status.until - clock.now()));
    } else {
      // Keep the action asked for earlier: pressing "Enter 2FA code" must not lose it.
      await guard.prompt(req, status.state === 'awaiting' ? status.pending : undefined);
    }
  };

  const showAudit = async (req: Req): Promise<void> => {
    await guard.requireSecondFactor(req, VIEW_AUDIT, async () => {
      await req.show(auditView(await audit.recent(AUDIT_SHOWN)));
    });
  };

  return {
    name: 'auth',
    install(router) {
      router.command('qrcode', qrcode, 'QR code for your 2FA app (admins)');
      router.button(AUTH_BUTTONS.getQr, qrcode);
      router.button(AUTH_BUTTONS.enterCode, enterCode);
      router.text(CODE_MESSAGE, async (req, [text = '']) => {
        await guard.submitCode(req, CODE_MESSAGE.exec(text)?.[1] ?? '');
      });
      router.command(
        'logout',
        async (req) => {
          const had = sessions.status(req.user.id).state === 'authenticated';
          await sessions.endSession(req.user.id);
          if (had)
            await audit.record({ userId: req.user.id, action: 'totp.logout', outcome: 'ok' });
          await req.reply(loggedOutView(had));
        },
        'End your 2FA session',
      );
      router.command('audit', showAudit, 'Audit log (admins, 2FA)');
      router.on(VIEW_AUDIT_ACTION, showAudit);
    },
  };
}
