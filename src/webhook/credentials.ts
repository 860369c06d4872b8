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
  /** `path` and `secret` as bytes, for constant-time comparison. */
  readonly pathBytes: Buffer;
  readonly secretBytes: Buffer;
}

/** Fresh random credentials. */
export function newCredential(): WebhookCredential {
  const pathToken = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const path = `/webhook/${pathToken}/`;
  return {
    pathToken,
    secret,
    path,
    pathBytes: Buffer.from(path),
    secretBytes: Buffer.from(secret),
  };
}

/** Compares without leaking where the first difference is (the length may show). */
export function safeEqual(given: string | Buffer, expected: Buffer): boolean {
  const a = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
  return a.length === expected.length && timingSafeEqual(a, expected);
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
    const given = Buffer.from(path, 'utf8');
    if (safeEqual(given, this.current.credential.pathBytes)) return this.current.credential;
    if (this.pending !== undefined && safeEqual(given, this.pending.credential.pathBytes)) {
      return this.pending.credential;
    }
    if (this.retired.length === 0) return undefined;
    const now = this.clock.now();
    this.retired = this.retired.filter((s) => (s.expiresAt ?? 0) > now);
    return this.retired.find((s) => safeEqual(given, s.credential.pathBytes))?.credential;
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
