import { createHmac } from 'node:crypto';
import { verifySync } from '@otplib/totp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { base32Encode } from './base32';

/** What authenticator apps expect: 6 digits, 30 s steps, HMAC-SHA-1 (RFC 6238 defaults). */
export const TOTP_PARAMS = { digits: 6, period: 30, algorithm: 'sha1' } as const;

/** Steps accepted either side of the current one (RFC 6238 §5.2 recommends one). */
export const TOTP_WINDOW_STEPS = 1;

/** The issuer shown in authenticator apps. */
export const TOTP_ISSUER = 'tmbot';

/** Bytes of a derived secret: the SHA-1 output length, as RFC 6238 §5.1 recommends. */
const SECRET_BYTES = 20;

const CODE_SHAPE = /^\d{6}$/;

const crypto = new NodeCryptoPlugin();

/**
 * A user's TOTP secret: the first 20 bytes of HMAC-SHA256(key = auth_salt,
 * "totp-v1:" + user_id + ":" + rotation). Only the immutable numeric id goes in
 * (users without a @username work; renames change nothing), never the bot token.
 */
export function deriveTotpSecret(authSalt: string, userId: number, rotation: number): Uint8Array {
  const mac = createHmac('sha256', authSalt).update(`totp-v1:${userId}:${rotation}`).digest();
  return new Uint8Array(mac.subarray(0, SECRET_BYTES));
}

export type TotpCheck =
  { readonly valid: true; readonly timeStep: number } | { readonly valid: false };

/**
 * Checks a code against the steps around `nowMs`. Codes at or before
 * `afterTimeStep` (the user's last accepted step) are replays and fail, as does
 * anything that is not exactly six digits; otplib's range errors (a clock that
 * went backwards) count as a wrong code, never as a crash.
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  nowMs: number,
  afterTimeStep?: number,
): TotpCheck {
  if (!CODE_SHAPE.test(code)) return { valid: false };
  try {
    const result = verifySync({
      secret,
      token: code,
      crypto,
      epoch: Math.floor(nowMs / 1000),
      period: TOTP_PARAMS.period,
      digits: TOTP_PARAMS.digits,
      algorithm: TOTP_PARAMS.algorithm,
      epochTolerance: TOTP_WINDOW_STEPS * TOTP_PARAMS.period,
      ...(afterTimeStep !== undefined ? { afterTimeStep } : {}),
    });
    return result.valid ? { valid: true, timeStep: result.timeStep } : { valid: false };
  } catch {
    return { valid: false };
  }
}

/** The account name in the app: "<bot username> <user id>" with anything but [A-Za-z0-9_.-] dropped (no ':'). */
export function totpAccountName(userId: number, botUsername: string | undefined): string {
  const bot = (botUsername ?? '').replace(/[^A-Za-z0-9_.-]/g, '');
  return bot === '' ? `user ${userId}` : `${bot} ${userId}`;
}

/**
 * The Key URI authenticator apps scan:
 * `otpauth://totp/tmbot:<account>?secret=…&issuer=tmbot&algorithm=SHA1&digits=6&period=30`.
 */
export function otpauthUri(secret: Uint8Array, account: string): string {
  const label = `${encodeURIComponent(TOTP_ISSUER)}:${encodeURIComponent(account.replace(/:/g, ''))}`;
  const query = new URLSearchParams({
    secret: base32Encode(secret),
    issuer: TOTP_ISSUER,
    algorithm: TOTP_PARAMS.algorithm.toUpperCase(),
    digits: String(TOTP_PARAMS.digits),
    period: String(TOTP_PARAMS.period),
  });
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
