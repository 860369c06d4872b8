/** How the Bot API's failures are told apart: what is success, what is gone, what may be resent. */
import { TelegramError } from 'telegraf';
import { FatalTelegramError } from '../errors';

/**
 * Connection failures before any response came back (node-fetch words these "request to … failed"):
 * Telegram was unreachable, or it had closed an idle keep-alive connection just as the request went
 * out on it, so nothing was read. Resending once is safe and saves the reply; a failure while the
 * response was being read is never resent (the message may have gone out).
 */
const UNSENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

export function unsentRequestCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !err.message.startsWith('request to ')) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && UNSENT_CODES.has(code) ? code : undefined;
}

export function isNotModified(err: unknown): boolean {
  return (
    err instanceof TelegramError &&
    err.code === 400 &&
    /message is not modified/i.test(err.description)
  );
}

export function isNotMedia(err: unknown): boolean {
  return (
    err instanceof TelegramError &&
    err.code === 400 &&
    /no media in the message|there is no (text|caption)/i.test(err.description)
  );
}

export function isGone(err: unknown): boolean {
  return (
    err instanceof TelegramError &&
    err.code === 400 &&
    /message to (edit|delete) not found|message can't be (edited|deleted)|MESSAGE_ID_INVALID/i.test(
      err.description,
    )
  );
}

/** Turns the Bot API's answer into our decision: fatal, wait as told, or back off. */
export function classifyTelegramFailure(
  err: unknown,
):
  | { kind: 'fatal'; error: FatalTelegramError }
  | { kind: 'retry-after'; ms: number }
  | { kind: 'backoff' } {
  if (err instanceof TelegramError) {
    if (err.code === 401 || err.code === 404) {
      return {
        kind: 'fatal',
        error: new FatalTelegramError(
          err.code,
          'the bot token was rejected by Telegram (401 Unauthorized). Check bot_token.prod_token, or revoke and re-issue it with @BotFather.',
        ),
      };
    }
    if (err.code === 409) {
      return {
        kind: 'fatal',
        error: new FatalTelegramError(
          409,
          'another instance is receiving updates for this bot (409 Conflict). Stop the other instance, or remove its webhook.',
        ),
      };
    }
    if (err.code === 429)
      return { kind: 'retry-after', ms: (err.parameters?.retry_after ?? 5) * 1000 };
  }
  return { kind: 'backoff' };
}
