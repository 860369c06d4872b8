import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSync } from '@otplib/totp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { ManualClock } from '../../../src/clock';
import { base32Encode } from '../../../src/security/base32';
import type { PrivilegedAction } from '../../../src/security/second-factor';
import { deriveTotpSecret } from '../../../src/security/totp';
import { bumpRotation, TwoFactorSessions } from '../../../src/security/two-factor-sessions';
import { rawAction } from '../../support/raw-action';
import { openStateStore, removeStateDir } from '../../support/state-store';
import { silentLogger } from '../../support/silent-logger';

const SALT = 'unit-test-salt-0123456789abcdefghijklmnopqrstuv';
const ADMIN = 1001;
const crypto = new NodeCryptoPlugin();
const RESTART: PrivilegedAction = {
  label: 'restart nginx',
  ...rawAction('docker.restart').call(['local', 'nginx']),
  audit: 'container.restart',
  target: 'local/nginx',
  destructive: true,
};

describe('TwoFactorSessions', () => {
  let dir: string;
  let clock: ManualClock;
  const secrets: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-2fa-'));
    // Mid-step, so "now" and "now + a few seconds" share a time-step.
    clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 5));
    secrets.length = 0;
  });
  afterEach(() => removeStateDir(dir));

  /** A fresh process over the same state dir (what a daemon restart is). */
  async function boot(): Promise<TwoFactorSessions> {
    return new TwoFactorSessions({
      authSalt: SALT,
      store: await openStateStore(dir),
      clock,
      onSecret: (s) => secrets.push(s),
      log: silentLogger,
    });
  }

  function code(rotation = 0, atMs = clock.now(), user = ADMIN): string {
    return generateSync({
      secret: deriveTotpSecret(SALT, user, rotation),
      crypto,
      epoch: Math.floor(atMs / 1000),
    });
  }

  function wrong(): string {
    const valid = [-30_000, 0, 30_000].map((d) => code(0, clock.now() + d));
    for (let n = 0; ; n++) {
      const candidate = String(n).padStart(6, '0');
      if (!valid.includes(candidate)) return candidate;
    }
  }

  it('accepts a good code, opens a session for 10 minutes, and marks enrolment once', async () => {
    const s = await boot();
    expect(s.status(ADMIN)).toEqual({ state: 'unauthenticated', enrolled: false });
    const first = await s.submitCode(ADMIN, code());
    expect(first).toMatchObject({
      kind: 'accepted',
      firstEnrolment: true,
      until: clock.now() + 600_000,
    });
    expect(s.status(ADMIN)).toMatchObject({ state: 'authenticated', enrolled: true });
    clock.advance(600_000 - 1);
    expect(s.status(ADMIN).state).toBe('authenticated');
    clock.advance(1);
    expect(s.status(ADMIN)).toEqual({ state: 'unauthenticated', enrolled: true });
    expect(await s.submitCode(ADMIN, code())).toMatchObject({
      kind: 'accepted',
      firstEnrolment: false,
    });
    expect(secrets).toContain(base32Encode(deriveTotpSecret(SALT, ADMIN, 0)));
  });

  it('rejects the same code twice, also after a restart', async () => {
    const c = code();
    let s = await boot();
    expect((await s.submitCode(ADMIN, c)).kind).toBe('accepted');
    await s.endSession(ADMIN);
    expect(await s.submitCode(ADMIN, c)).toEqual({ kind: 'wrong', attemptsLeft: 2 });
    s = await boot();
    expect(await s.submitCode(ADMIN, c)).toEqual({ kind: 'wrong', attemptsLeft: 1 });
    // The next step's code is fine.
    clock.advance(30_000);
    expect((await s.submitCode(ADMIN, code())).kind).toBe('accepted');
  });

  it('does not check (or use up) a code while a session is open', async () => {
    const s = await boot();
    await s.submitCode(ADMIN, code());
    clock.advance(30_000);
    const next = code();
    expect((await s.submitCode(ADMIN, next)).kind).toBe('authenticated');
    await s.endSession(ADMIN);
    expect((await s.submitCode(ADMIN, next)).kind).toBe('accepted');
  });

  it('blocks after 3 wrong codes for 10 minutes; a restart does not lift it; then it ends', async () => {
    let s = await boot();
    expect(await s.submitCode(ADMIN, wrong())).toEqual({ kind: 'wrong', attemptsLeft: 2 });
    expect(await s.submitCode(ADMIN, wrong())).toEqual({ kind: 'wrong', attemptsLeft: 1 });
    expect(await s.submitCode(ADMIN, wrong())).toMatchObject({
      kind: 'locked',
      reason: 'failures',
      until: clock.now() + 600_000,
    });
    // While blocked even the right code is not checked.
    expect((await s.submitCode(ADMIN, code())).kind).toBe('blocked');

    s = await boot();
    expect(s.status(ADMIN)).toMatchObject({ state: 'blocked', reason: 'failures' });
    clock.advance(600_000 - 1);
    s = await boot();
    expect(s.status(ADMIN).state).toBe('blocked');
    expect((await s.submitCode(ADMIN, code())).kind).toBe('blocked');
    clock.advance(1);
    expect(s.status(ADMIN).state).toBe('unauthenticated');
    // The counter started afresh: one wrong code does not block again.
    expect(await s.submitCode(ADMIN, wrong())).toEqual({ kind: 'wrong', attemptsLeft: 2 });
    expect((await s.submitCode(ADMIN, code())).kind).toBe('accepted');
  });

  it('resets the wrong-code counter after a good code', async () => {
    const s = await boot();
    await s.submitCode(ADMIN, wrong());
    await s.submitCode(ADMIN, wrong());
    await s.submitCode(ADMIN, code());
    await s.endSession(ADMIN);
    expect(await s.submitCode(ADMIN, wrong())).toEqual({ kind: 'wrong', attemptsLeft: 2 });
  });

  it('blocks for 1 minute when more than 6 codes arrive within 60 s', async () => {
    const s = await boot();
    await s.submitCode(ADMIN, wrong());
    await s.submitCode(ADMIN, wrong());
    await s.submitCode(ADMIN, code()); // 3 codes
    await s.endSession(ADMIN);
    clock.advance(30_000);
    await s.submitCode(ADMIN, wrong());
    await s.submitCode(ADMIN, wrong());
    await s.submitCode(ADMIN, code()); // 6 codes in 30 s: still allowed
    await s.endSession(ADMIN);
    clock.advance(1_000);
    expect(await s.submitCode(ADMIN, code())).toMatchObject({
      kind: 'locked',
      reason: 'burst',
      until: clock.now() + 60_000,
    });
    expect((await boot()).status(ADMIN)).toMatchObject({ state: 'blocked', reason: 'burst' });
    clock.advance(60_000);
    expect(s.status(ADMIN).state).toBe('unauthenticated');
  });

  it('keeps the asked-for action and the prompts of an open challenge, and hands them over once', async () => {
    const s = await boot();
    await s.beginChallenge(ADMIN, RESTART, { chatId: ADMIN, messageId: 10 });
    await s.beginChallenge(ADMIN, undefined, { chatId: ADMIN, messageId: 11 });
    expect((await boot()).status(ADMIN)).toEqual({
      state: 'awaiting',
      enrolled: false,
      pending: RESTART,
    });
    const ok = await s.submitCode(ADMIN, code());
    expect(ok).toMatchObject({
      kind: 'accepted',
      pending: RESTART,
      prompts: [
        { chatId: ADMIN, messageId: 10 },
        { chatId: ADMIN, messageId: 11 },
      ],
    });
    await s.endSession(ADMIN);
    clock.advance(30_000);
    expect(await s.submitCode(ADMIN, code())).toMatchObject({
      kind: 'accepted',
      pending: undefined,
      prompts: [],
    });
  });

  it('forgets an action asked for more than 10 minutes ago', async () => {
    const s = await boot();
    await s.beginChallenge(ADMIN, RESTART, { chatId: ADMIN, messageId: 10 });
    clock.advance(600_000);
    expect(s.status(ADMIN).state).toBe('unauthenticated');
    expect(await s.submitCode(ADMIN, code())).toMatchObject({
      kind: 'accepted',
      pending: undefined,
    });
  });

  it('after `totp reset` the old secret fails, the session ends and enrolment starts over', async () => {
    const s = await boot();
    await s.submitCode(ADMIN, code(0));
    const uri0 = s.provisioningUri(ADMIN, 'bot');
    expect(await bumpRotation(await openStateStore(dir), ADMIN)).toBe(1);
    expect(s.status(ADMIN)).toEqual({ state: 'unauthenticated', enrolled: false });
    expect(s.provisioningUri(ADMIN, 'bot')).not.toBe(uri0);
    clock.advance(30_000);
    expect((await s.submitCode(ADMIN, code(0))).kind).toBe('wrong');
    expect(await s.submitCode(ADMIN, code(1))).toMatchObject({
      kind: 'accepted',
      firstEnrolment: true,
    });
    expect(await bumpRotation(await openStateStore(dir), ADMIN)).toBe(2);
  });

  it('keeps users apart', async () => {
    const s = await boot();
    expect((await s.submitCode(ADMIN, code(0, clock.now(), 1002))).kind).toBe('wrong');
    expect((await s.submitCode(1002, code(0, clock.now(), 1002))).kind).toBe('accepted');
    expect(s.status(ADMIN).state).toBe('unauthenticated');
  });

  it('stores state 0600 without the salt, a secret or a code', async () => {
    const s = await boot();
    const c = code();
    await s.submitCode(ADMIN, wrong());
    await s.submitCode(ADMIN, c);
    const file = join(dir, 'twofa.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(SALT);
    expect(text).not.toContain(base32Encode(deriveTotpSecret(SALT, ADMIN, 0)));
    // eslint-disable-next-line security/detect-non-literal-regexp -- six digits from otplib
    expect(text).not.toMatch(new RegExp(`(?<!\\d)${c}(?!\\d)`));
  });

  it('never trusts a malformed record: it fails closed (locked out) and is copied aside', async () => {
    const store = await openStateStore(dir);
    await store.write('twofa.json', {
      v: 1,
      users: { '1001': { blockedUntil: 'never' }, abc: {} },
    });
    const booted = await openStateStore(dir);
    const sessions = new TwoFactorSessions({
      authSalt: SALT,
      store: booted,
      clock,
      log: silentLogger,
    });
    expect(sessions.status(ADMIN).state).toBe('blocked');
    await booted.flush();
    const aside = readdirSync(dir).filter((f) => f.startsWith('twofa.json.invalid-'));
    expect(aside).toHaveLength(1);
  });
});
