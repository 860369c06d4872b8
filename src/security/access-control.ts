import type { Context, MiddlewareFn } from 'telegraf';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import { intField, isValidStranger, validatedEntries } from '../state/state-entries';
import type { Sender } from '../telegram/sender';
import type { AccessState } from '../telegram/router';
import { parseCommand } from '../telegram/router';
import { clip, html } from '../views/html';

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
 * The allowlist gate. Allowed users pass with their admin flag; unknown users are
 * told how many attempts they have left, blocked on the last one (persisted, so a
 * restart does not lift it), and reported to the admin chat with their real id.
 */
export class AccessControl {
  private readonly users: ReadonlySet<number>;
  private readonly admins: ReadonlySet<number>;
  private readonly chats: ReadonlySet<number>;
  private readonly strangers = new Map<number, Stranger>();

  constructor(
    private readonly policy: AccessPolicy,
    private readonly deps: {
      sender: Sender;
      store: StateStore;
      clock: Clock;
      log: Logger;
      botUsername: () => string | undefined;
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

  middleware(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      const from = ctx.from;
      const chat = ctx.chat;
      // A button under a message the bot can no longer see: stop the spinner, nothing else.
      if (chat === undefined && ctx.callbackQuery !== undefined) {
        await this.deps.sender.answer(ctx.callbackQuery.id).catch(() => undefined);
        return;
      }
      // Service updates, channel posts and anonymous admins carry no user we can check.
      if (from === undefined || chat === undefined || from.is_bot) return;
      if (chat.type !== 'private' && this.chats.size > 0 && !this.chats.has(chat.id)) {
        this.deps.log.debug('update from a chat outside allowed_chat_ids dropped', {
          chat: chat.id,
        });
        return;
      }
      if (this.users.has(from.id)) {
        (ctx.state as { access?: AccessState }).access = { isAdmin: this.admins.has(from.id) };
        return next();
      }
      await this.handleStranger(ctx, next);
    };
  }

  private async handleStranger(ctx: Context, next: () => Promise<void>): Promise<void> {
    const from = ctx.from!;
    const chatId = ctx.chat!.id;
    const now = this.deps.clock.now();
    const s = this.strangers.get(from.id) ?? {
      attempts: 0,
      blockedUntil: 0,
      lastAlertAt: 0,
      lastSeenAt: now,
    };
    if (s.blockedUntil > now) {
      if (ctx.callbackQuery !== undefined) {
        await this.deps.sender
          .answer(ctx.callbackQuery.id, 'Access denied.', false)
          .catch(() => undefined);
      }
      return;
    }
    if (s.blockedUntil !== 0) {
      // A block that has run out starts the count afresh.
      s.attempts = 0;
      s.blockedUntil = 0;
    }
    s.attempts += 1;
    s.lastSeenAt = now;
    const left = this.limits.maxAttempts - s.attempts;
    if (left <= 0) s.blockedUntil = now + this.limits.blockMs;
    this.remember(from.id, s);

    const text = ctx.message !== undefined && 'text' in ctx.message ? ctx.message.text : undefined;
    const command = text === undefined ? undefined : parseCommand(text, this.deps.botUsername());
    const isPublic = command !== undefined && this.policy.publicCommands.includes(command.name);
    this.deps.log.warn('update from a user not on the allowlist', {
      user: from.id,
      attempt: s.attempts,
      blocked: left <= 0,
    });
    await this.alertAdmins(ctx, s, left, isPublic);

    if (left <= 0) {
      await this.tell(
        ctx,
        chatId,
        `🚫 Access blocked for ${Math.round(this.limits.blockMs / 60_000)} minutes.`,
      );
      return;
    }
    if (isPublic) {
      (ctx.state as { access?: AccessState }).access = { isAdmin: false, guest: true };
      return next();
    }
    await this.tell(
      ctx,
      chatId,
      `⛔ You don't have access to this bot. ${left} attempt${left === 1 ? '' : 's'} left before you are blocked.\n` +
        'Send /getmyid and give your user id to the bot owner.',
    );
  }

  private async tell(ctx: Context, chatId: number, text: string): Promise<void> {
    try {
      if (ctx.callbackQuery !== undefined) {
        await this.deps.sender.answer(ctx.callbackQuery.id, text, true);
      } else {
        await this.deps.sender.send(chatId, { html: html`${text}` });
      }
    } catch (err) {
      this.deps.log.warn('could not answer an unknown user', { error: err });
    }
  }

  private async alertAdmins(
    ctx: Context,
    s: Stranger,
    left: number,
    isPublic: boolean,
  ): Promise<void> {
    const now = this.deps.clock.now();
    if (this.policy.adminChatIds.length === 0 || now - s.lastAlertAt < this.limits.alertThrottleMs)
      return;
    s.lastAlertAt = now;
    void this.save();
    const from = ctx.from!;
    const chat = ctx.chat!;
    const name = [from.first_name, from.last_name].filter(Boolean).join(' ');
    const what =
      ctx.message !== undefined && 'text' in ctx.message
        ? html`text: <code>${clip(ctx.message.text, 64)}</code>`
        : ctx.callbackQuery !== undefined
          ? html`a button press`
          : html`a non-text message`;
    const view = {
      html: html`${isPublic ? 'ℹ️ Setup command from a user not on the allowlist' : '⚠️ Unauthorized access attempt'} #${s.attempts}
User: ${clip(name, 64)}${from.username !== undefined ? html` (@${clip(from.username, 64)})` : ''}
User id: <code>${from.id}</code>
Chat: <code>${chat.id}</code> (${clip(chat.type, 20)})
Sent ${what}
${left <= 0 ? 'Blocked now.' : `Attempts left: ${left}.`}
To allow this user, add the id to access_control.allowed_user_ids.`,
    };
    for (const adminChat of this.policy.adminChatIds) {
      await this.deps.sender
        .send(adminChat, view, { silent: false })
        .catch((err: unknown) =>
          this.deps.log.warn('could not alert the admin chat', { error: err }),
        );
    }
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
