import type { Context, MiddlewareFn } from 'telegraf';
import type { Logger } from '../log/logger';
import type { AccessControl, AccessDecision } from '../security/access-control';
import {
  ACCESS_DENIED_TOAST,
  accessBlockedText,
  accessDeniedText,
  accessNoticeView,
  strangerAlertView,
  type StrangerAttempt,
} from '../views/access';
import type { StrangerThrottle } from '../security/access-alerts';
import { grantAccess } from './access-state';
import { parseCommand } from './router';
import type { Sender } from './sender';

export interface AccessGateDeps {
  sender: Sender;
  log: Logger;
  botUsername: () => string | undefined;
  /** Alert budget with digest, and the global budget of replies to strangers. */
  throttle: StrangerThrottle;
}

const textOf = (ctx: Context): string | undefined =>
  ctx.message !== undefined && 'text' in ctx.message ? ctx.message.text : undefined;

/**
 * The access-control middleware: asks {@link AccessControl} about the sender, records the
 * verdict for the router ({@link grantAccess}) and tells strangers and the admin chats, in
 * the views' words.
 */
export function accessGate(access: AccessControl, deps: AccessGateDeps): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const { from, chat } = ctx;
    const text = textOf(ctx);
    const decision = access.decide(
      from === undefined || chat === undefined
        ? undefined
        : {
            userId: from.id,
            isBot: from.is_bot,
            chatId: chat.id,
            chatType: chat.type,
            command: () =>
              text === undefined ? undefined : parseCommand(text, deps.botUsername())?.name,
          },
    );
    switch (decision.kind) {
      case 'drop':
        // A button under a message the bot cannot see (inline): stop the spinner; a stranger
        // is told no, as for any other press.
        if (ctx.callbackQuery !== undefined && chat === undefined) {
          const allowed = from !== undefined && access.policy.userIds.includes(from.id);
          await deps.sender
            .answer(ctx.callbackQuery.id, allowed ? undefined : ACCESS_DENIED_TOAST, false)
            .catch(() => undefined);
        }
        return;
      case 'allow':
        grantAccess(ctx, { isAdmin: decision.isAdmin });
        return next();
      case 'blocked':
        if (ctx.callbackQuery !== undefined)
          await deps.sender
            .answer(ctx.callbackQuery.id, ACCESS_DENIED_TOAST, false)
            .catch(() => undefined);
        return;
      case 'stranger':
        if (decision.alert && deps.throttle.alertNow(ctx.from?.id ?? 0))
          await alertAdmins(ctx, decision, access.policy.adminChatIds, deps);
        if (decision.guest) {
          grantAccess(ctx, { isAdmin: false, guest: true });
          return next();
        }
        // Under a crowd, strangers' replies are dropped first: allowed users keep the send path.
        if (!deps.throttle.replyNow()) return;
        await tell(
          ctx,
          decision.attemptsLeft <= 0
            ? accessBlockedText(decision.blockMinutes)
            : accessDeniedText(decision.attemptsLeft),
          deps,
        );
    }
  };
}

async function tell(ctx: Context, text: string, deps: AccessGateDeps): Promise<void> {
  try {
    if (ctx.callbackQuery !== undefined) {
      await deps.sender.answer(ctx.callbackQuery.id, text, true);
    } else if (ctx.chat !== undefined) {
      await deps.sender.send(ctx.chat.id, accessNoticeView(text));
    }
  } catch (err) {
    deps.log.warn('could not answer an unknown user', { error: err });
  }
}

async function alertAdmins(
  ctx: Context,
  d: Extract<AccessDecision, { kind: 'stranger' }>,
  adminChatIds: readonly number[],
  deps: AccessGateDeps,
): Promise<void> {
  const from = ctx.from!;
  const chat = ctx.chat!;
  const text = textOf(ctx);
  const attempt: StrangerAttempt = {
    attempt: d.attempt,
    attemptsLeft: d.attemptsLeft,
    isPublic: d.isPublic,
    user: {
      id: from.id,
      firstName: from.first_name,
      ...(from.last_name !== undefined ? { lastName: from.last_name } : {}),
      ...(from.username !== undefined ? { username: from.username } : {}),
    },
    chat: { id: chat.id, type: chat.type },
    sent:
      text !== undefined
        ? { kind: 'text', text }
        : { kind: ctx.callbackQuery !== undefined ? 'button' : 'other' },
  };
  const view = strangerAlertView(attempt);
  for (const adminChat of adminChatIds) {
    await deps.sender
      .send(adminChat, view, { silent: false, bulk: true })
      .catch((err: unknown) => deps.log.warn('could not alert the admin chat', { error: err }));
  }
}
