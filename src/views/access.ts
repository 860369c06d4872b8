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

/** A stranger's name or text on one line: no newlines, bidi overrides or control characters to forge lines with. */
const oneLine = (s: string): string =>
  s
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');

/** The admin-chat alert for an update from a user not on the allowlist, with the real ids. */
export function strangerAlertView(a: StrangerAttempt): View {
  const name = oneLine([a.user.firstName, a.user.lastName].filter(Boolean).join(' '));
  const what =
    a.sent.kind === 'text'
      ? html`text: <code>${clip(oneLine(a.sent.text), 64)}</code>`
      : a.sent.kind === 'button'
        ? html`a button press`
        : html`a non-text message`;
  return {
    html: html`${a.isPublic ? 'ℹ️ Setup command from a user not on the allowlist' : '⚠️ Unauthorized access attempt'} #${a.attempt}
User: ${clip(name, 64)}${a.user.username !== undefined ? html` (@${clip(oneLine(a.user.username), 64)})` : ''}
User id: <code>${a.user.id}</code>
Chat: <code>${a.chat.id}</code> (${clip(a.chat.type, 20)})
Sent ${what}
${a.attemptsLeft <= 0 ? 'Blocked now.' : `Attempts left: ${a.attemptsLeft}.`}
To allow this user, add the id to access_control.allowed_user_ids.`,
  };
}

/** Strangers held back from individual alerts, in one message at the end of the window. */
export function strangerDigestView(d: {
  users: number;
  ids: readonly number[];
  windowMinutes: number;
}): View {
  const more = d.users - d.ids.length;
  return {
    html: html`⚠️ ${d.users} more unknown user(s) in the last ${d.windowMinutes} min (not alerted one by one): ${d.ids.join(', ')}${more > 0 ? ` (+${more} more)` : ''}
To allow one, add the id to access_control.allowed_user_ids.`,
  };
}
