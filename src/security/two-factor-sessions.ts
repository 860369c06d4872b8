import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import { intField, isValidTwoFactorUser, validatedEntries } from '../state/state-entries';
import { base32Encode } from './base32';
import type { PrivilegedAction } from './second-factor';
import { deriveTotpSecret, otpauthUri, totpAccountName, verifyTotp } from './totp';

/** Numbers of the 2FA policy; the defaults are the documented ones. */
export interface TwoFactorLimits {
  /** Wrong codes in a row that lock the user out. */
  readonly maxFailures: number;
  readonly failureBlockMs: number;
  /** More than this many codes inside `burstWindowMs` lock the user out for `burstBlockMs`. */
  readonly burstMax: number;
  readonly burstWindowMs: number;
  readonly burstBlockMs: number;
  /** How long a good code keeps the user authenticated (absolute, not sliding). */
  readonly sessionMs: number;
  /** How long a prompt (and the action waiting behind it) stays valid. */
  readonly challengeMs: number;
}

export const DEFAULT_TWO_FACTOR_LIMITS: TwoFactorLimits = {
  maxFailures: 3,
  failureBlockMs: 10 * 60_000,
  burstMax: 6,
  burstWindowMs: 60_000,
  burstBlockMs: 60_000,
  sessionMs: 10 * 60_000,
  challengeMs: 10 * 60_000,
};

export type BlockReason = 'failures' | 'burst';

/** A prompt message to delete once it has served its purpose. */
export interface PromptRef {
  readonly chatId: number;
  readonly messageId: number;
}

export type TwoFactorStatus =
  | { readonly state: 'unauthenticated'; readonly enrolled: boolean }
  | {
      readonly state: 'awaiting';
      readonly enrolled: boolean;
      readonly pending: PrivilegedAction | undefined;
    }
  | { readonly state: 'authenticated'; readonly enrolled: boolean; readonly until: number }
  | {
      readonly state: 'blocked';
      readonly enrolled: boolean;
      readonly until: number;
      readonly reason: BlockReason;
    };

/** What became of a submitted code. */
export type CodeOutcome =
  | {
      readonly kind: 'accepted';
      readonly until: number;
      /** The action the user asked for before the prompt, if still fresh. */
      readonly pending: PrivilegedAction | undefined;
      readonly prompts: readonly PromptRef[];
      /** This was the first good code for the current secret: enrolment is now complete. */
      readonly firstEnrolment: boolean;
    }
  | { readonly kind: 'wrong'; readonly attemptsLeft: number }
  /** This code caused a lockout. */
  | {
      readonly kind: 'locked';
      readonly until: number;
      readonly reason: BlockReason;
      readonly prompts: readonly PromptRef[];
    }
  /** The user was already locked out; the code was not checked. */
  | { readonly kind: 'blocked'; readonly until: number }
  /** The user already has a session; the code was not checked (and not used up). */
  | { readonly kind: 'authenticated'; readonly until: number };

interface UserRecord {
  /** Last accepted time-step (replay guard); -1 before the first. */
  lastStep: number;
  /** Rotation whose secret the user has proved to hold; -1 for none. */
  enrolledRotation: number;
  failures: number;
  blockedUntil: number;
  blockReason: BlockReason;
  /** When recent codes arrived, for the burst limit. */
  recentCodes: number[];
  sessionUntil: number;
  sessionRotation: number;
  /** When the last prompt was shown; 0 when none is open. */
  challengeAt: number;
  pending: PrivilegedAction | null;
  prompts: PromptRef[];
}

interface Persisted {
  v: 1;
  users: Record<string, unknown>;
}

interface RotationFile {
  v: 1;
  rotations: Record<string, number>;
}

const SESSIONS_FILE = 'twofa.json';
/** Written only by `tmbot totp reset`; the daemon re-reads it, so a reset takes effect at once. */
export const ROTATION_FILE = 'totp-rotation.json';
const MAX_PROMPTS = 5;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

const isPersisted = (v: unknown): v is Persisted => isObject(v) && v.v === 1 && isObject(v.users);

const isRotationFile = (v: unknown): v is RotationFile =>
  isObject(v) &&
  v.v === 1 &&
  isObject(v.rotations) &&
  Object.values(v.rotations).every((n) => isInt(n) && n >= 0);

const freshRecord = (): UserRecord => ({
  lastStep: -1,
  enrolledRotation: -1,
  failures: 0,
  blockedUntil: 0,
  blockReason: 'failures',
  recentCodes: [],
  sessionUntil: 0,
  sessionRotation: -1,
  challengeAt: 0,
  pending: null,
  prompts: [],
});

/** Each user's secret rotation counter (0 until `tmbot totp reset`). */
export function readRotations(store: StateStore): Record<string, number> {
  return store.read(ROTATION_FILE, isRotationFile)?.rotations ?? {};
}

/** Moves a user to a new secret (the CLI's `totp reset`); returns the new rotation. */
export async function bumpRotation(store: StateStore, userId: number): Promise<number> {
  const rotations = { ...readRotations(store) };
  const next = (rotations[String(userId)] ?? 0) + 1;
  rotations[String(userId)] = next;
  await store.write(ROTATION_FILE, { v: 1, rotations } satisfies RotationFile);
  await store.flush();
  return next;
}

/**
 * The 2FA state of every admin: replay guard, lockouts, sessions and the prompt
 * in progress. Everything is persisted, so a restart lifts nothing; time only
 * moves through the injected clock and nothing clears a block early.
 */
export class TwoFactorSessions {
  private readonly users = new Map<number, UserRecord>();
  readonly limits: TwoFactorLimits;

  constructor(
    private readonly deps: {
      authSalt: string;
      store: StateStore;
      clock: Clock;
      /** Told every derived secret, so the log redactor hides it. */
      onSecret?: (base32: string) => void;
      limits?: Partial<TwoFactorLimits>;
      /** Where a tampered state entry is reported. */
      log: Logger;
    },
  ) {
    this.limits = { ...DEFAULT_TWO_FACTOR_LIMITS, ...deps.limits };
    const restored = validatedEntries<UserRecord>({
      store: deps.store,
      file: SESSIONS_FILE,
      entries: deps.store.read(SESSIONS_FILE, isPersisted)?.users,
      validate: isValidTwoFactorUser,
      failClosed: (raw, uid) => this.failClosed(raw, uid, deps.clock.now()),
      meaning: 'treated as locked out, with no code of this time-step accepted again',
      log: deps.log,
      now: () => deps.clock.now(),
    });
    for (const [uid, rec] of restored) this.users.set(uid, rec);
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** A tampered record: locked out, replay guard at now, still enrolled (so no QR without a code). */
  private failClosed(raw: unknown, userId: number, now: number): UserRecord {
    const step = Math.floor(now / 30_000);
    return {
      ...freshRecord(),
      lastStep: Math.max(intField(raw, 'lastStep') ?? step, step),
      enrolledRotation:
        intField(raw, 'enrolledRotation') ?? readRotations(this.deps.store)[String(userId)] ?? 0,
      failures: this.limits.maxFailures,
      blockedUntil: Math.max(intField(raw, 'blockedUntil') ?? 0, now + this.limits.failureBlockMs),
    };
  }

  private record(userId: number): UserRecord {
    let rec = this.users.get(userId);
    if (rec === undefined) {
      rec = freshRecord();
      this.users.set(userId, rec);
    }
    return rec;
  }

  private rotation(userId: number): number {
    return readRotations(this.deps.store)[String(userId)] ?? 0;
  }

  private secret(userId: number): Uint8Array {
    const secret = deriveTotpSecret(this.deps.authSalt, userId, this.rotation(userId));
    this.deps.onSecret?.(base32Encode(secret));
    return secret;
  }

  private save(): Promise<void> {
    const users: Record<string, UserRecord> = {};
    for (const [id, rec] of this.users) users[String(id)] = rec;
    return this.deps.store.write(SESSIONS_FILE, { v: 1, users } satisfies Persisted);
  }

  /** Where the user stands now. */
  status(userId: number): TwoFactorStatus {
    const rec = this.users.get(userId) ?? freshRecord();
    const now = this.now();
    const rotation = this.rotation(userId);
    const enrolled = rec.enrolledRotation === rotation;
    if (rec.blockedUntil > now)
      return { state: 'blocked', enrolled, until: rec.blockedUntil, reason: rec.blockReason };
    // A reset (new rotation) ends the session that the old secret opened.
    if (rec.sessionUntil > now && rec.sessionRotation === rotation) {
      return { state: 'authenticated', enrolled, until: rec.sessionUntil };
    }
    if (rec.challengeAt > 0 && now - rec.challengeAt < this.limits.challengeMs) {
      return { state: 'awaiting', enrolled, pending: rec.pending ?? undefined };
    }
    return { state: 'unauthenticated', enrolled };
  }

  /** Opens a prompt: the next good code resumes `pending` (the latest one asked for wins). */
  async beginChallenge(
    userId: number,
    pending: PrivilegedAction | undefined,
    prompt: PromptRef,
  ): Promise<void> {
    const rec = this.record(userId);
    const now = this.now();
    const open = rec.challengeAt > 0 && now - rec.challengeAt < this.limits.challengeMs;
    rec.challengeAt = now;
    if (pending !== undefined) rec.pending = { ...pending, args: [...pending.args] };
    else if (!open) rec.pending = null;
    rec.prompts = [...rec.prompts, prompt].slice(-MAX_PROMPTS);
    await this.save();
  }

  /**
   * Checks a code and applies the policy: lockouts first (nothing is verified
   * while blocked), then the burst limit, then otplib with the replay guard.
   * The new state is on disk before this resolves.
   */
  async submitCode(userId: number, code: string): Promise<CodeOutcome> {
    const current = this.status(userId);
    if (current.state === 'blocked') return { kind: 'blocked', until: current.until };
    if (current.state === 'authenticated') return { kind: 'authenticated', until: current.until };
    const rec = this.record(userId);
    const now = this.now();
    const { limits } = this;
    rec.recentCodes = [...rec.recentCodes.filter((t) => now - t < limits.burstWindowMs), now];
    if (rec.recentCodes.length > limits.burstMax) {
      return this.lock(rec, 'burst', now + limits.burstBlockMs);
    }
    const check = verifyTotp(
      this.secret(userId),
      code,
      now,
      rec.lastStep >= 0 ? rec.lastStep : undefined,
    );
    if (!check.valid) {
      rec.failures += 1;
      if (rec.failures >= limits.maxFailures)
        return this.lock(rec, 'failures', now + limits.failureBlockMs);
      await this.save();
      return { kind: 'wrong', attemptsLeft: limits.maxFailures - rec.failures };
    }
    const rotation = this.rotation(userId);
    const firstEnrolment = rec.enrolledRotation !== rotation;
    const pending = current.state === 'awaiting' ? current.pending : undefined;
    const prompts = rec.prompts;
    rec.lastStep = check.timeStep;
    rec.enrolledRotation = rotation;
    rec.failures = 0;
    rec.sessionUntil = now + limits.sessionMs;
    rec.sessionRotation = rotation;
    rec.challengeAt = 0;
    rec.pending = null;
    rec.prompts = [];
    await this.save();
    return { kind: 'accepted', until: rec.sessionUntil, pending, prompts, firstEnrolment };
  }

  private async lock(rec: UserRecord, reason: BlockReason, until: number): Promise<CodeOutcome> {
    const prompts = rec.prompts;
    rec.blockedUntil = until;
    rec.blockReason = reason;
    rec.failures = 0;
    rec.recentCodes = [];
    rec.challengeAt = 0;
    rec.pending = null;
    rec.prompts = [];
    await this.save();
    return { kind: 'locked', until, reason, prompts };
  }

  /** Ends the user's session now (/logout). */
  async endSession(userId: number): Promise<void> {
    const rec = this.users.get(userId);
    if (rec === undefined || rec.sessionUntil === 0) return;
    rec.sessionUntil = 0;
    await this.save();
  }

  /** The otpauth:// URI of the user's current secret, for the QR code. */
  provisioningUri(userId: number, botUsername: string | undefined): string {
    return otpauthUri(this.secret(userId), totpAccountName(userId, botUsername));
  }
}
