/**
 * The demo admin's authenticator, shown in the page's side panel as a demo aid: the current
 * 6-digit code derived exactly as the bot derives the admin's secret (auth salt, user id,
 * rotation from the state dir). Only `tmbot demo` has this; a real bot never shows a code.
 */
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSync } from '@otplib/totp';
import type { Clock } from '../clock';
import { deriveTotpSecret, TOTP_PARAMS } from '../security/totp';
import { readRotations } from '../security/two-factor-sessions';
import type { StateStore } from '../state/json-store';

const crypto = new NodeCryptoPlugin();

/** The code now and how long it stays current. */
export interface DemoCode {
  code: string;
  secondsLeft: number;
}

/** The authenticator of one demo user. */
export function demoAuthenticator(
  salt: string,
  userId: number,
  store: StateStore,
  clock: Clock,
): () => DemoCode {
  return () => {
    const rotation = readRotations(store)[String(userId)] ?? 0;
    const epoch = Math.floor(clock.now() / 1000);
    const code = generateSync({ secret: deriveTotpSecret(salt, userId, rotation), crypto, epoch });
    return { code, secondsLeft: TOTP_PARAMS.period - (epoch % TOTP_PARAMS.period) };
  };
}
