import { createHmac } from 'node:crypto';
import { generateSync } from '@otplib/totp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { base32Encode } from '../../../src/security/base32';
import {
  deriveTotpSecret,
  otpauthUri,
  totpAccountName,
  verifyTotp,
} from '../../../src/security/totp';

const crypto = new NodeCryptoPlugin();
/** The RFC 6238 Appendix B SHA-1 seed. */
const RFC_SECRET = new Uint8Array(Buffer.from('12345678901234567890', 'ascii'));

/** A code for `secret` at `epochSeconds`, computed by otplib itself. */
function codeAt(secret: Uint8Array, epochSeconds: number): string {
  return generateSync({ secret, crypto, epoch: epochSeconds });
}

describe('TOTP', () => {
  describe('RFC 6238 Appendix B (SHA-1)', () => {
    // Time (s) → the 8-digit value of the RFC table; a 6-digit code is its last six digits.
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    it.each(vectors)('at T=%i accepts the code %s (6 digits)', (t, eight) => {
      expect(generateSync({ secret: RFC_SECRET, crypto, epoch: t, digits: 8 })).toBe(eight);
      expect(verifyTotp(RFC_SECRET, eight.slice(2), t * 1000)).toEqual({
        valid: true,
        timeStep: Math.floor(t / 30),
      });
    });
  });

  describe('window', () => {
    const secret = deriveTotpSecret('k'.repeat(40), 1001, 0);
    const now = Date.UTC(2026, 0, 1, 12, 0, 15);
    const step = Math.floor(now / 30_000);
    const codeForStep = (delta: number): string => codeAt(secret, (step + delta) * 30 + 1);

    it.each([-1, 0, 1])('accepts the code of step %i', (delta) => {
      expect(verifyTotp(secret, codeForStep(delta), now)).toEqual({
        valid: true,
        timeStep: step + delta,
      });
    });

    it.each([-2, 2])('rejects the code of step %i', (delta) => {
      const code = codeForStep(delta);
      // A different step can collide with a near one by chance (1 in 10^6); the test would then say so.
      expect([-1, 0, 1].map(codeForStep)).not.toContain(code);
      expect(verifyTotp(secret, code, now)).toEqual({ valid: false });
    });

    it('rejects a code at or before the last accepted step (replay guard)', () => {
      expect(verifyTotp(secret, codeForStep(0), now, step)).toEqual({ valid: false });
      expect(verifyTotp(secret, codeForStep(-1), now, step)).toEqual({ valid: false });
      expect(verifyTotp(secret, codeForStep(1), now, step)).toEqual({
        valid: true,
        timeStep: step + 1,
      });
    });

    it('treats a last step beyond the window (clock moved back) as invalid, without throwing', () => {
      expect(verifyTotp(secret, codeForStep(0), now, step + 50)).toEqual({ valid: false });
    });

    it.each(['', '12345', '1234567', '12 456', 'abcdef', '１２３４５６', '123456\n', '-12345'])(
      'rejects the malformed code %j',
      (code) => {
        expect(verifyTotp(secret, code, now)).toEqual({ valid: false });
      },
    );
  });

  describe('secret derivation', () => {
    const salt = 'TESTSALTQWERTYUIOPASDFGHJKLZXCVBNM234567';

    it('is the first 20 bytes of HMAC-SHA256(salt, "totp-v1:<id>:<rotation>")', () => {
      const expected = createHmac('sha256', salt).update('totp-v1:1001:0').digest().subarray(0, 20);
      expect(Buffer.from(deriveTotpSecret(salt, 1001, 0))).toEqual(expected);
      expect(base32Encode(deriveTotpSecret(salt, 1001, 0))).toHaveLength(32);
    });

    it('differs per user, per rotation and per salt, and is stable', () => {
      const a = base32Encode(deriveTotpSecret(salt, 1001, 0));
      expect(base32Encode(deriveTotpSecret(salt, 1001, 0))).toBe(a);
      expect(base32Encode(deriveTotpSecret(salt, 1002, 0))).not.toBe(a);
      expect(base32Encode(deriveTotpSecret(salt, 1001, 1))).not.toBe(a);
      expect(base32Encode(deriveTotpSecret(`${salt}x`, 1001, 0))).not.toBe(a);
    });
  });

  describe('otpauth URI', () => {
    it('names issuer tmbot and an account label without a colon', () => {
      const secret = deriveTotpSecret('s'.repeat(32), 1001, 0);
      const uri = otpauthUri(secret, totpAccountName(1001, 'my_bot'));
      expect(uri).toBe(
        `otpauth://totp/tmbot:my_bot%201001?secret=${base32Encode(secret)}&issuer=tmbot&algorithm=SHA1&digits=6&period=30`,
      );
      const label = decodeURIComponent(new URL(uri).pathname.slice(1));
      expect(label.split(':')).toEqual(['tmbot', 'my_bot 1001']);
    });

    it('keeps hostile characters out of the account name', () => {
      expect(totpAccountName(7, 'a:b/c?d')).toBe('abcd 7');
      expect(totpAccountName(7, undefined)).toBe('user 7');
      expect(otpauthUri(new Uint8Array(20), 'x:y')).toMatch(/^otpauth:\/\/totp\/tmbot:xy\?/);
    });
  });
});
