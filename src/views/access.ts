import { clip, html } from './html';
import type { View } from './view';

/** A blocked user pressing a button: the toast. */
export const ACCESS_DENIED_TOAST = 'Access denied.';

/** The last attempt of a user not on the allowlist (a message, or an alert for a button press). */
export function accessBlockedText(blockMinutes: number): string {
  return `🚫 Access blocked for ${blockMinutes} minutes.`;
}

/** A user not on the allowlist, with attempts left before the block. */
export function accessDeniedText(attemptsLeft: number): string {
  return (
    `⛔ You don't have access to this bot. ${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left before you are blocked.\n` +
    'Send /getmyid and give your user id to the bot owner.'
  );
}

/** A user over the per-user rate limit: the toast, and (once per window) the message. */
export const RATE_LIMITED_TEXT =
  "⚠️ You're sending requests too quickly. Please wait a few seconds.";

/** Any access text as a chat message. */
export function accessNoticeView(text: string): View {
  return { html: html`${text}` };
}

/** Who knocked, as the admin chat sees it. */
export interface StrangerAttempt {
  readonly attempt: number;
  readonly attemptsLeft: number;
  /** A public (bootstrap) command such as /getmyid. */
  readonly isPublic: boolean;
  readonly user: {
    readonly id: number;
    readonly firstName: string;
    readonly lastName?: string;
    readonly username?: string;
  };
  readonly chat: { readonly id: number; readonly type: string };
  readonly sent:
    { readonly kind: 'text'; readonly text: string } | { readonly kind: 'button' | 'other' };
}

/** The admin-chat alert for an update from a user not on the allowlist, with the real ids. */
export function strangerAlertView(a: StrangerAttempt): View {
  const name = [a.user.firstName, a.user.lastName].filter(Boolean).join(' ');
  const what =
    a.sent.kind === 'text'
      ? html`text: <code>${clip(a.sent.text, 64)}</code>`
      : a.sent.kind === 'button'
        ? html`a button press`
        : html`a non-text message`;
  return {
    html: html`${a.isPublic ? 'ℹ️ Setup command from a user not on the allowlist' : '⚠️ Unauthorized access attempt'} #${a.attempt}
User: ${clip(name, 64)}${a.user.username !== undefined ? html` (@${clip(a.user.username, 64)})` : ''}
User id: <code>${a.user.id}</code>
Chat: <code>${a.chat.id}</code> (${clip(a.chat.type, 20)})
Sent ${what}
${a.attemptsLeft <= 0 ? 'Blocked now.' : `Attempts left: ${a.attemptsLeft}.`}
To allow this user, add the id to access_control.allowed_user_ids.`,
  };
}
