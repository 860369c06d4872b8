import type { AuditRecord } from '../security/audit-log';
import type { PrivilegedAction } from '../security/second-factor';
import type { BlockReason } from '../security/two-factor-sessions';
import { buttonFor } from '../telegram/actions';
import { clip, html, joinHtml, visibleText, type Html } from './html';
import { subMenuKeyboard } from './keyboards';
import { TELEGRAM_LIMITS, type Keyboard, type View } from './view';

/** Reply-keyboard labels of the 2FA flow (matched exactly, emoji optional). */
export const AUTH_BUTTONS = {
  enterCode: '🖋️ Enter 2FA code',
  getQr: '🌓 Get QR-code for 2FA app',
} as const;

/** The keyboard shown with 2FA prompts. */
export function authKeyboard(): Keyboard {
  return subMenuKeyboard([AUTH_BUTTONS.enterCode, AUTH_BUTTONS.getQr]);
}

const minutes = (ms: number): number => Math.max(1, Math.ceil(ms / 60_000));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The text of the resume button: "Continue: restart nginx". */
export function continueLabel(action: PrivilegedAction): string {
  return clip(`Continue: ${action.label}`, TELEGRAM_LIMITS.buttonText);
}

export interface PromptInfo {
  /** What the user asked for, when a privileged action triggered the prompt. */
  readonly action: string | undefined;
  /** Not yet enrolled: point at the QR code. */
  readonly enrolled: boolean;
  /** In groups the code must be a reply (privacy mode) or `/123456`. */
  readonly group: boolean;
  /** In groups, the user the ForceReply is for: mentioned so `selective` reaches them. */
  readonly mention?: { readonly id: number; readonly name: string };
}

export function codePromptView(p: PromptInfo): View {
  const why =
    p.action !== undefined ? html`to <b>${clip(p.action, 80)}</b>` : html`to open a 2FA session`;
  const enrol = p.enrolled
    ? ''
    : html`

First time? Press <b>${AUTH_BUTTONS.getQr}</b> (or /qrcode) and scan it with your authenticator app.`;
  const who =
    p.group && p.mention !== undefined
      ? html`<a href="tg://user?id=${String(p.mention.id)}">${clip(p.mention.name || 'you', 64)}</a>, r`
      : html`R`;
  const how = p.group
    ? html`${who}eply to this message with the code, or send it as /123456.`
    : html`Send the code as a message: 123456 (or /123456).`;
  return {
    html: html`🔐 <b>Two-factor authentication</b>

Enter the 6-digit code from your authenticator app ${why}.
${how} Your message is deleted right away.${enrol}`,
    keyboard: p.group ? { kind: 'force_reply' } : authKeyboard(),
  };
}

export function codeAcceptedView(
  sessionMs: number,
  resume: PrivilegedAction | undefined,
  firstEnrolment: boolean,
): View {
  const enrolled = firstEnrolment
    ? html`
Your authenticator app is now enrolled; the QR code is only shown again inside a 2FA session.`
    : '';
  const next =
    resume !== undefined
      ? html`
Press the button to continue.`
      : '';
  return {
    html: html`✅ <b>Code accepted.</b> You are authenticated for ${plural(minutes(sessionMs), 'minute')}.${enrolled}${next}`,
    ...(resume !== undefined
      ? {
          keyboard: {
            kind: 'inline' as const,
            rows: [[buttonFor(continueLabel(resume), resume)]],
          },
        }
      : {}),
  };
}

export function wrongCodeView(attemptsLeft: number): View {
  return {
    html: html`❌ That code is not valid (or was already used). ${plural(attemptsLeft, 'attempt')} left before a 10-minute block.`,
  };
}

export function lockedView(reason: BlockReason, blockMs: number): View {
  const why = reason === 'failures' ? 'Too many wrong codes.' : 'Too many codes in a short time.';
  return {
    html: html`🚫 ${why} 2FA is blocked for ${plural(minutes(blockMs), 'minute')}. The admins have been notified.`,
  };
}

export function blockedView(remainingMs: number): View {
  return {
    html: html`🚫 Too many failed attempts. Try again in ${plural(minutes(remainingMs), 'minute')}.`,
  };
}

export function alreadyAuthenticatedView(remainingMs: number): View {
  return {
    html: html`✅ You are already authenticated (${plural(minutes(remainingMs), 'minute')} left). /logout ends the session.`,
  };
}

export function adminOnlyView(what: string): View {
  return {
    html: html`⛔ Only admins may ${clip(what, 80)}. This attempt has been recorded.`,
  };
}

export function qrCaptionView(deleteAfterMs: number): View {
  const seconds = Math.max(1, Math.round(deleteAfterMs / 1000));
  return {
    html: html`🌓 <b>Your 2FA QR code</b>
Scan it with an authenticator app (Google Authenticator, Microsoft Authenticator, Aegis, 2FAS…), then press <b>${AUTH_BUTTONS.enterCode}</b>.
This message is deleted in ${seconds} s.`,
  };
}

export function qrRefusedView(): View {
  return {
    html: html`🔒 Your authenticator app is already enrolled. The QR code is shown again only inside a 2FA session: press <b>${AUTH_BUTTONS.enterCode}</b> first.
Lost your phone? Ask the server owner to run <code>tmbot totp reset &lt;your user id&gt;</code>.`,
    keyboard: authKeyboard(),
  };
}

export function qrPrivateOnlyView(): View {
  return {
    html: html`🔒 The QR code holds your 2FA secret: ask for it in your private chat with the bot, not in a group.`,
  };
}

export function loggedOutView(hadSession: boolean): View {
  return {
    html: hadSession ? html`🔒 2FA session ended.` : html`You have no 2FA session.`,
  };
}

const OUTCOME_ICON: Record<string, string> = {
  ok: '✅',
  failed: '❌',
  denied: '⛔',
  prompted: '🔐',
  blocked: '🚫',
};

export function auditView(records: readonly AuditRecord[]): View {
  if (records.length === 0) return { html: html`📜 <b>Audit log</b>\n\nNo entries yet.` };
  const lines = records.map((r) => {
    const time = r.time.slice(0, 19).replace('T', ' ');
    const target = r.target !== undefined ? html` <code>${clip(r.target, 40)}</code>` : '';
    const detail = r.detail !== undefined ? html` — ${clip(r.detail, 60)}` : '';
    return html`${OUTCOME_ICON[r.outcome] ?? '•'} ${time} · ${r.userId} · ${clip(r.action, 40)}${target}${detail}`;
  });
  const render = (shown: readonly Html[]): View => ({
    html: html`📜 <b>Audit log</b> (last ${shown.length}, UTC)

${joinHtml(shown)}`,
  });
  // Hostile names can make lines long (an emoji counts two): drop the oldest lines until it fits.
  let shown = lines;
  let view = render(shown);
  while (shown.length > 1 && visibleText(view.html.value).length > TELEGRAM_LIMITS.messageText) {
    shown = shown.slice(1);
    view = render(shown);
  }
  return view;
}

/** Who did it, for admin notices. */
export interface Actor {
  readonly id: number;
  readonly name: string;
}

export function lockoutNoticeView(actor: Actor, reason: BlockReason, blockMs: number): View {
  const why =
    reason === 'failures' ? 'too many wrong 2FA codes' : 'too many 2FA codes in a short time';
  return {
    html: html`🚨 <b>2FA lockout</b>: ${clip(actor.name, 64)} (<code>${actor.id}</code>) is blocked for ${plural(minutes(blockMs), 'minute')} after ${why}.`,
  };
}

export function privilegedNoticeView(actor: Actor, action: PrivilegedAction, ok: boolean): View {
  return {
    html: html`🛡️ ${clip(actor.name, 64)} (<code>${actor.id}</code>) ran <b>${clip(action.label, 80)}</b>: ${ok ? 'done' : 'failed'}.`,
  };
}
