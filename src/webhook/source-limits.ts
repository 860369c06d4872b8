import type { Socket } from 'node:net';
import type { Clock } from '../clock';
import { canonicalIp, limiterKey, type AddressSet } from './ip';
import type { IpGuard } from './ip-guard';

/** Limits that tell Telegram's own delivery addresses from everyone else. */
export interface SourceLimitOptions {
  /** Requests per window one Telegram-range address may make: far above Telegram's delivery rate. */
  telegramLimit: number;
  windowMs: number;
  /** Open connections one other address (IPv6: its /64) may hold. */
  perSourceConnections: number;
  /** Open connections at most in all (the server's hard cap). */
  maxConnections: number;
  /** Of `maxConnections`, slots only Telegram's ranges and trusted proxies may take. */
  reservedConnections: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimitOptions = {
  // 1 000 updates a second per Telegram address is far beyond what one bot is delivered
  // (max_connections ≤ 100 parallel deliveries), so Telegram is never throttled.
  telegramLimit: 10_000,
  windowMs: 10_000,
  perSourceConnections: 16,
  maxConnections: 512,
  reservedConnections: 64,
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Telegram-range addresses tracked at most (its ranges hold 5 120 addresses). */
const MAX_TELEGRAM_KEYS = 8192;

/**
 * Per-source limits of the webhook: requests from Telegram's ranges (also as the client
 * behind a trusted proxy) get a budget sized for Telegram's delivery rate, everyone else
 * the per-IP guard; connections are capped per source address, and the last slots are kept
 * for Telegram and trusted proxies, so idle connections from many addresses cannot lock
 * Telegram out. Abuse by chat users is the per-user limiter's job, behind the webhook.
 */
export class SourceLimits {
  private readonly telegram = new Map<string, Bucket>();
  private readonly open = new Map<string, number>();
  private others = 0;

  constructor(
    private readonly options: SourceLimitOptions,
    private readonly deps: {
      guard: IpGuard;
      sources: AddressSet;
      trustedProxies: AddressSet;
      clock: Clock;
    },
  ) {}

  /** Whether an address is one of Telegram's (or a configured extra range). */
  isTelegram(ip: string): boolean {
    return this.deps.sources.has(ip);
  }

  /** Takes one request from the budget of `ip`: Telegram's own, or the per-IP guard's. */
  take(ip: string): boolean {
    if (!this.isTelegram(ip)) return this.deps.guard.take(limiterKey(ip), 'main');
    const now = this.deps.clock.now();
    const cap = this.options.telegramLimit;
    let b = this.telegram.get(ip);
    if (b === undefined) {
      if (this.telegram.size >= MAX_TELEGRAM_KEYS) this.telegram.clear();
      b = { tokens: cap, at: now };
      this.telegram.set(ip, b);
    }
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) * cap) / this.options.windowMs);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Admits a new connection or says no (the caller destroys it); released when it closes. */
  admit(socket: Socket): boolean {
    const ip = canonicalIp(socket.remoteAddress ?? '');
    if (ip === undefined) return false;
    if (this.isTelegram(ip) || this.deps.trustedProxies.has(ip)) return true;
    const key = limiterKey(ip);
    const held = this.open.get(key) ?? 0;
    const shared = this.options.maxConnections - this.options.reservedConnections;
    if (held >= this.options.perSourceConnections || this.others >= shared) return false;
    this.open.set(key, held + 1);
    this.others++;
    socket.once('close', () => {
      this.others--;
      const n = (this.open.get(key) ?? 1) - 1;
      if (n <= 0) this.open.delete(key);
      else this.open.set(key, n);
    });
    return true;
  }

  /** Connections held by sources outside Telegram's ranges. */
  get otherConnections(): number {
    return this.others;
  }
}
