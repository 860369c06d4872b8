import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import { intField, isValidStranger, validatedEntries } from '../state/state-entries';

export interface AccessPolicy {
  readonly userIds: readonly number[];
  readonly adminIds: readonly number[];
  /** Group chats the bot works in; empty means any. Private chats of allowed users always work. */
  readonly chatIds: readonly number[];
  /** Where unauthorized-access alerts go. */
  readonly adminChatIds: readonly number[];
  /** Commands anyone not blocked may run (bootstrap: /getmyid). */
  readonly publicCommands: readonly string[];
}

/** Who sent an update, as the gate sees it. */
export interface AccessRequest {
  readonly userId: number;
  readonly isBot: boolean;
  readonly chatId: number;
  readonly chatType: string;
  /** The command name when the update is a command for this bot (asked for strangers only). */
  readonly command: () => string | undefined;
}

/**
 * What access control decided. `drop`: not answered at all; `allow`: on the allowlist;
 * `blocked`: a blocked stranger (a button press gets a toast, nothing else); `stranger`: an
 * attempt counted, `guest` when it is a public command that may run, `blocked` when this
 * attempt started the block, `alert` when the admin chats are to be told (throttled).
 */
export type AccessDecision =
  | { readonly kind: 'drop'; readonly reason: 'no-sender' | 'foreign-chat' }
  | { readonly kind: 'allow'; readonly isAdmin: boolean }
  | { readonly kind: 'blocked' }
  | {
      readonly kind: 'stranger';
      readonly attempt: number;
      readonly attemptsLeft: number;
      /** A public command (bootstrap: /getmyid). */
      readonly isPublic: boolean;
      readonly guest: boolean;
      readonly blockMinutes: number;
      readonly alert: boolean;
    };

export interface AccessLimits {
  /** Attempts by an unknown user before the block (the blocking attempt included). */
  maxAttempts: number;
  blockMs: number;
  /** At most one admin alert per unknown user in this window. */
  alertThrottleMs: number;
}

export const DEFAULT_ACCESS_LIMITS: AccessLimits = {
  maxAttempts: 3,
  blockMs: 3600_000,
  alertThrottleMs: 300_000,
};

interface Stranger {
  attempts: number;
  blockedUntil: number;
  lastAlertAt: number;
  lastSeenAt: number;
}

interface Persisted {
  v: 1;
  strangers: Record<string, Stranger>;
}

const FILE = 'access.json';
/** Bounded memory: a flood of new accounts cannot grow the table without end. */
const MAX_STRANGERS = 10_000;

const isPersisted = (v: unknown): v is Persisted =>
  typeof v === 'object' &&
  v !== null &&
  (v as Persisted).v === 1 &&
  typeof (v as Persisted).strangers === 'object' &&
  (v as Persisted).strangers !== null;

/**
 * The allowlist decision. Allowed users pass with their admin flag; unknown users have their
 * attempts counted, are blocked on the last one (persisted, so a restart does not lift it),
 * and are reported to the admin chat (throttled). Telegram glue and wording live in
 * `src/telegram/access-gate.ts` and `src/views/access.ts`.
 */
export class AccessControl {
  private readonly users: ReadonlySet<number>;
  private readonly admins: ReadonlySet<number>;
  private readonly chats: ReadonlySet<number>;
  private readonly strangers = new Map<number, Stranger>();

  constructor(
    readonly policy: AccessPolicy,
    private readonly deps: {
      store: StateStore;
      clock: Clock;
      log: Logger;
      limits?: AccessLimits;
    },
  ) {
    this.users = new Set(policy.userIds);
    this.admins = new Set(policy.adminIds);
    this.chats = new Set(policy.chatIds);
    const restored = validatedEntries<Stranger>({
      store: deps.store,
      file: FILE,
      entries: deps.store.read(FILE, isPersisted)?.strangers,
      validate: isValidStranger,
      // Never "not blocked": a tampered entry blocks that user (again) for the full time.
      failClosed: (raw) => {
        const now = deps.clock.now();
        return {
          attempts: this.limits.maxAttempts,
          blockedUntil: Math.max(intField(raw, 'blockedUntil') ?? 0, now + this.limits.blockMs),
          lastAlertAt: now,
          lastSeenAt: now,
        };
      },
      meaning: 'treated as blocked',
      log: deps.log,
      now: () => deps.clock.now(),
    });
    for (const [uid, s] of restored) this.strangers.set(uid, s);
  }

  private get limits(): AccessLimits {
    return this.deps.limits ?? DEFAULT_ACCESS_LIMITS;
  }

  isAllowed(userId: number): boolean {
    return this.users.has(userId);
  }

  isAdmin(userId: number): boolean {
    return this.admins.has(userId);
  }

  /** Whether a user is blocked right now (for tests and the health screen). */
  isBlocked(userId: number): boolean {
    return (this.strangers.get(userId)?.blockedUntil ?? 0) > this.deps.clock.now();
  }

  /** Decides one update; counts a stranger's attempt (and persists it). */
  decide(req: AccessRequest | undefined): AccessDecision {
    // Service updates, channel posts and anonymous admins carry no user we can check.
    if (req === undefined || req.isBot) return { kind: 'drop', reason: 'no-sender' };
    if (req.chatType !== 'private' && this.chats.size > 0 && !this.chats.has(req.chatId)) {
      this.deps.log.debug('update from a chat outside allowed_chat_ids dropped', {
        chat: req.chatId,
      });
      return { kind: 'drop', reason: 'foreign-chat' };
    }
    if (this.users.has(req.userId)) return { kind: 'allow', isAdmin: this.admins.has(req.userId) };
    return this.countStranger(req);
  }

  private countStranger(req: AccessRequest): AccessDecision {
    const now = this.deps.clock.now();
    const s = this.strangers.get(req.userId) ?? {
      attempts: 0,
      blockedUntil: 0,
      lastAlertAt: 0,
      lastSeenAt: now,
    };
    if (s.blockedUntil > now) return { kind: 'blocked' };
    if (s.blockedUntil !== 0) {
      // A block that has run out starts the count afresh.
      s.attempts = 0;
      s.blockedUntil = 0;
    }
    s.attempts += 1;
    s.lastSeenAt = now;
    const left = this.limits.maxAttempts - s.attempts;
    if (left <= 0) s.blockedUntil = now + this.limits.blockMs;
    const alert =
      this.policy.adminChatIds.length > 0 && now - s.lastAlertAt >= this.limits.alertThrottleMs;
    if (alert) s.lastAlertAt = now;
    this.remember(req.userId, s);
    this.deps.log.warn('update from a user not on the allowlist', {
      user: req.userId,
      attempt: s.attempts,
      blocked: left <= 0,
    });
    const command = req.command();
    const isPublic = command !== undefined && this.policy.publicCommands.includes(command);
    return {
      kind: 'stranger',
      attempt: s.attempts,
      attemptsLeft: left,
      isPublic,
      guest: isPublic && left > 0,
      blockMinutes: Math.round(this.limits.blockMs / 60_000),
      alert,
    };
  }

  private remember(userId: number, s: Stranger): void {
    this.strangers.delete(userId);
    this.strangers.set(userId, s);
    while (this.strangers.size > MAX_STRANGERS) {
      const oldest = this.strangers.keys().next().value;
      if (oldest === undefined) break;
      this.strangers.delete(oldest);
    }
    void this.save();
  }

  save(): Promise<void> {
    const strangers: Record<string, Stranger> = {};
    for (const [id, s] of this.strangers) strangers[String(id)] = s;
    return this.deps.store.write(FILE, { v: 1, strangers } satisfies Persisted);
  }
}
