import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Req } from '../telegram/request';
import {
  adminOnlyView,
  alreadyAuthenticatedView,
  blockedView,
  codeAcceptedView,
  codePromptView,
  lockedView,
  lockoutNoticeView,
  privilegedNoticeView,
  wrongCodeView,
  type Actor,
} from '../views/auth';
import { visibleText } from '../views/html';
import type { View } from '../views/view';
import type { AdminNotifier } from '../security/admin-notifier';
import type { AuditLog, PrivilegedAction } from '../security/second-factor';
import type { PromptRef, TwoFactorSessions } from '../security/two-factor-sessions';
import type { SecondFactor } from './second-factor';

/** How long a "wrong code" note stays in the chat. */
const NOTE_DELETE_MS = 30_000;

export interface TwoFactorGuardDeps {
  readonly sessions: TwoFactorSessions;
  readonly audit: AuditLog;
  readonly notifier: AdminNotifier;
  readonly clock: Clock;
  readonly log: Logger;
}

const actorOf = (req: Req): Actor => ({
  id: req.user.id,
  name: [req.user.firstName, req.user.lastName].filter(Boolean).join(' '),
});

/**
 * The 2FA guard privileged handlers wrap themselves in, and the code flow behind
 * it: prompts, code checks, lockout notices and the "Continue: …" button that
 * resumes exactly the action that was asked for.
 */
export class TwoFactorGuard implements SecondFactor {
  constructor(private readonly deps: TwoFactorGuardDeps) {}

  async requireSecondFactor(
    req: Req,
    what: PrivilegedAction,
    perform: () => Promise<void>,
  ): Promise<boolean> {
    const { sessions, audit } = this.deps;
    const base = { userId: req.user.id, action: what.audit, target: what.target };
    if (!req.isAdmin) {
      await audit.record({ ...base, outcome: 'denied', detail: 'not an admin' });
      await this.tell(req, adminOnlyView(what.label));
      return false;
    }
    const status = sessions.status(req.user.id);
    if (status.state === 'blocked') {
      await audit.record({ ...base, outcome: 'blocked', detail: '2FA locked out' });
      await this.tell(req, blockedView(status.until - this.deps.clock.now()));
      return false;
    }
    if (status.state !== 'authenticated') {
      await audit.record({ ...base, outcome: 'prompted' });
      await req.toast('2FA code needed');
      await this.prompt(req, what);
      return false;
    }
    try {
      await perform();
    } catch (err) {
      await audit.record({
        ...base,
        outcome: 'failed',
        detail: err instanceof Error ? err.name : 'error',
      });
      await this.noticeIfDestructive(req, what, false);
      throw err;
    }
    await audit.record({ ...base, outcome: 'ok' });
    await this.noticeIfDestructive(req, what, true);
    return true;
  }

  private async noticeIfDestructive(req: Req, what: PrivilegedAction, ok: boolean): Promise<void> {
    if (what.destructive !== true) return;
    await this.deps.notifier.notify(privilegedNoticeView(actorOf(req), what, ok), req.chat.id);
  }

  /** Asks for a code; after a good one, `pending` (if any) is offered as a "Continue: …" button. */
  async prompt(req: Req, pending?: PrivilegedAction): Promise<void> {
    const { sessions } = this.deps;
    const status = sessions.status(req.user.id);
    const group = req.chat.type !== 'private';
    // ForceReply(selective) reaches the author of the replied-to message and mentioned users:
    // in a group the prompt replies to the user's own message and mentions them (button presses).
    const replyTo = group && !req.isCallback ? req.messageId : undefined;
    const sent = await req.reply(
      codePromptView({
        action: pending?.label,
        enrolled: status.enrolled,
        group,
        ...(group ? { mention: actorOf(req) } : {}),
      }),
      replyTo !== undefined ? { replyTo } : {},
    );
    await sessions.beginChallenge(req.user.id, pending, {
      chatId: sent.chatId,
      messageId: sent.messageId,
    });
    // An unanswered prompt goes away by itself once it can no longer be answered.
    req.deleteLater(sent.messageId, sessions.limits.challengeMs);
  }

  /** Handles a code message (`123456` or `/123456`): the message is deleted first, whatever the outcome. */
  async submitCode(req: Req, code: string): Promise<void> {
    const { sessions, audit, log } = this.deps;
    if (req.messageId !== undefined) await this.deleteQuietly(req, req.messageId);
    if (!req.isAdmin) return this.refuseCodes(req, 'use 2FA codes');
    const outcome = await sessions.submitCode(req.user.id, code);
    const userId = req.user.id;
    switch (outcome.kind) {
      case 'accepted':
        await audit.record({
          userId,
          action: 'totp.verify',
          outcome: 'ok',
          ...(outcome.firstEnrolment ? { detail: 'enrolment completed' } : {}),
        });
        log.info('2FA code accepted', { user: userId });
        await this.deletePrompts(req, outcome.prompts);
        const accepted = await req.reply(
          codeAcceptedView(sessions.limits.sessionMs, outcome.pending, outcome.firstEnrolment),
        );
        // Gone with the session, with whatever privileged screen "Continue" turned it into.
        req.deleteLater(accepted.messageId, sessions.limits.sessionMs);
        return;
      case 'wrong': {
        await audit.record({
          userId,
          action: 'totp.verify',
          outcome: 'failed',
          detail: `${outcome.attemptsLeft} attempts left`,
        });
        log.info('2FA code rejected', { user: userId, attemptsLeft: outcome.attemptsLeft });
        const note = await req.reply(wrongCodeView(outcome.attemptsLeft));
        req.deleteLater(note.messageId, NOTE_DELETE_MS);
        return;
      }
      case 'locked': {
        const blockMs =
          outcome.reason === 'failures'
            ? sessions.limits.failureBlockMs
            : sessions.limits.burstBlockMs;
        await audit.record({
          userId,
          action: 'totp.lockout',
          outcome: 'blocked',
          detail:
            outcome.reason === 'failures'
              ? 'too many wrong codes'
              : 'too many codes in a short time',
        });
        log.warn('2FA lockout', {
          user: userId,
          reason: outcome.reason,
          minutes: blockMs / 60_000,
        });
        await this.deletePrompts(req, outcome.prompts);
        await req.reply(lockedView(outcome.reason, blockMs));
        await this.deps.notifier.notify(
          lockoutNoticeView(actorOf(req), outcome.reason, blockMs),
          req.chat.id,
        );
        return;
      }
      case 'blocked':
        await req.reply(blockedView(outcome.until - this.deps.clock.now()));
        return;
      case 'authenticated':
        await req.reply(alreadyAuthenticatedView(outcome.until - this.deps.clock.now()));
        return;
    }
  }

  /** Shows a refusal: an alert for a button press, a message otherwise. */
  /** A non-admin trying to use 2FA itself: refused and audited, like any privileged action. */
  async refuseCodes(req: Req, what: string): Promise<void> {
    await this.deps.audit.record({
      userId: req.user.id,
      action: 'totp.verify',
      outcome: 'denied',
      detail: 'not an admin',
    });
    await req.reply(adminOnlyView(what));
  }

  private async tell(req: Req, view: View): Promise<void> {
    if (req.isCallback) {
      await req.toast(visibleText(view.html.value), true);
    } else {
      await req.reply(view);
    }
  }

  private async deletePrompts(req: Req, prompts: readonly PromptRef[]): Promise<void> {
    // Prompts in other chats are left to their scheduled auto-delete.
    for (const p of prompts)
      if (p.chatId === req.chat.id) await this.deleteQuietly(req, p.messageId);
  }

  private async deleteQuietly(req: Req, messageId: number): Promise<void> {
    try {
      await req.deleteNow(messageId);
    } catch (err) {
      // In a group the bot may lack the right to delete; the code is single-use anyway.
      this.deps.log.warn('could not delete a 2FA message', { chat: req.chat.id, error: err });
    }
  }
}
