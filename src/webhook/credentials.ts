import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock';

/** One registered path token and secret. */
export interface WebhookCredential {
  /** 128 random bits, base64url (22 chars): the secret path segment. */
  readonly pathToken: string;
  /** 256 random bits, base64url (43 chars): Telegram's `secret_token` header value. */
  readonly secret: string;
  /** The exact request path Telegram calls. */
  readonly path: string;
}

/** Fresh random credentials. */
export function newCredential(): WebhookCredential {
  const pathToken = randomBytes(16).toString('base64url');
  return {
    pathToken,
    secret: randomBytes(32).toString('base64url'),
    path: `/webhook/${pathToken}/`,
  };
}

/** Compares without leaking where the first difference is (the length may show). */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The path as logs show it: `/webhook/abc…xyz/`. */
export function maskPath(credential: WebhookCredential): string {
  const t = credential.pathToken;
  return `/webhook/${t.slice(0, 3)}…${t.slice(-3)}/`;
}

interface Slot {
  credential: WebhookCredential;
  /** Accepted until this time (ms); undefined while current or pending. */
  expiresAt: number | undefined;
}

/**
 * The credentials the server accepts: the current pair, a pair being registered,
 * and retired pairs inside their grace period (Telegram may still be delivering
 * to the old URL for a short while after setWebhook).
 */
export class CredentialSet {
  private current: Slot;
  private pending: Slot | undefined;
  private retired: Slot[] = [];

  constructor(
    initial: WebhookCredential,
    private readonly clock: Clock,
  ) {
    this.current = { credential: initial, expiresAt: undefined };
  }

  /** The pair registered with Telegram now. */
  get active(): WebhookCredential {
    return this.current.credential;
  }

  /** The accepted credential whose path is exactly `path`, if any. */
  match(path: string): WebhookCredential | undefined {
    const now = this.clock.now();
    this.retired = this.retired.filter((s) => (s.expiresAt ?? 0) > now);
    for (const slot of [this.current, this.pending, ...this.retired]) {
      if (slot !== undefined && safeEqual(path, slot.credential.path)) return slot.credential;
    }
    return undefined;
  }

  /** Accepts `next` from now on, before it is registered (Telegram may call before setWebhook returns). */
  stage(next: WebhookCredential): void {
    this.pending = { credential: next, expiresAt: undefined };
  }

  /** Makes the staged pair current; the previous one stays valid for `graceMs`. */
  commit(graceMs: number): void {
    if (this.pending === undefined) return;
    this.retired.push({
      credential: this.current.credential,
      expiresAt: this.clock.now() + graceMs,
    });
    this.current = this.pending;
    this.pending = undefined;
  }

  /** Forgets the staged pair (its registration failed). */
  abandon(): void {
    this.pending = undefined;
  }
}
