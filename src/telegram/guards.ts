import type { Context, MiddlewareFn } from 'telegraf';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { accessNoticeView, RATE_LIMITED_TEXT } from '../views/access';
import type { Sender } from './sender';

/**
 * Drops updates seen before (webhook retries, replays): keyed by update id,
 * callback id and chat+message id, for `ttlMs`, at most `maxEntries` (oldest out).
 */
export function updateDedup(
  clock: Clock,
  options: { ttlMs: number; maxEntries: number } = { ttlMs: 120_000, maxEntries: 8192 },
): MiddlewareFn<Context> {
  const seen = new Map<string, number>();
  return (ctx, next) => {
    const now = clock.now();
    for (const [key, at] of seen) {
      if (now - at < options.ttlMs) break;
      seen.delete(key);
    }
    const keys = [`u:${ctx.update.update_id}`];
    if (ctx.callbackQuery !== undefined) keys.push(`c:${ctx.callbackQuery.id}`);
    if (ctx.message !== undefined && ctx.chat !== undefined)
      keys.push(`m:${ctx.chat.id}:${ctx.message.message_id}`);
    if (keys.some((k) => seen.has(k))) return Promise.resolve();
    for (const k of keys) seen.set(k, now);
    while (seen.size > options.maxEntries) {
      const oldest = seen.keys().next().value;
      if (oldest === undefined) break;
      seen.delete(oldest);
    }
    return next();
  };
}

/** pyTMBot's limit: 8 requests per 10 s (`access_control.rate_limit`). */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { requests: 8, windowMs: 10_000 };

export interface RateLimitOptions {
  /** Requests one user may make within `windowMs`. */
  readonly requests: number;
  readonly windowMs: number;
}

/**
 * Gaps between "rate limit hit" log lines for one user who keeps hitting the limit (pyTMBot's
 * 1/5/15/30/60 min); a user quiet for the longest gap starts again at the first.
 */
export const RATE_LOG_BACKOFF_MS = [60_000, 300_000, 900_000, 1_800_000, 3_600_000] as const;

interface UserWindow {
  hits: number[];
  warnedAt: number;
  /** No "rate limit hit" line for this user before this time; then the next gap. */
  logAfter: number;
  logStep: number;
  lastRefusedAt: number;
  /** Refusals since the last line. */
  unlogged: number;
}

/** Logs a refusal unless this user's log back-off says to count it silently. */
function logRefusal(w: UserWindow, userId: number, now: number, log: Logger): void {
  const longest = RATE_LOG_BACKOFF_MS[RATE_LOG_BACKOFF_MS.length - 1] ?? 0;
  if (now - w.lastRefusedAt >= longest) w.logStep = 0;
  w.lastRefusedAt = now;
  if (now < w.logAfter) {
    w.unlogged++;
    return;
  }
  log.info('rate limit hit', {
    user: userId,
    ...(w.unlogged > 0 ? { refusedSinceLastLine: w.unlogged } : {}),
  });
  w.unlogged = 0;
  w.logAfter = now + (RATE_LOG_BACKOFF_MS[w.logStep] ?? longest);
  w.logStep = Math.min(w.logStep + 1, RATE_LOG_BACKOFF_MS.length - 1);
}

/**
 * Per-user sliding window (messages and button presses together). Rejected
 * requests do not count; the user is told once per window, and the log says so with
 * a back-off ({@link RATE_LOG_BACKOFF_MS}).
 */
export function rateLimit(
  deps: { clock: Clock; sender: Sender; log: Logger },
  options: RateLimitOptions = DEFAULT_RATE_LIMIT,
): MiddlewareFn<Context> {
  const windows = new Map<number, UserWindow>();
  const MAX_TRACKED = 10_000;
  return async (ctx, next) => {
    const userId = ctx.from?.id;
    if (userId === undefined) return;
    const now = deps.clock.now();
    const w = windows.get(userId) ?? {
      hits: [],
      warnedAt: 0,
      logAfter: 0,
      logStep: 0,
      lastRefusedAt: 0,
      unlogged: 0,
    };
    w.hits = w.hits.filter((t) => now - t < options.windowMs);
    windows.delete(userId);
    windows.set(userId, w);
    if (windows.size > MAX_TRACKED) {
      const oldest = windows.keys().next().value;
      if (oldest !== undefined) windows.delete(oldest);
    }
    if (w.hits.length >= options.requests) {
      logRefusal(w, userId, now, deps.log);
      if (ctx.callbackQuery !== undefined) {
        await deps.sender.answer(ctx.callbackQuery.id, RATE_LIMITED_TEXT).catch(() => undefined);
      } else if (now - w.warnedAt >= options.windowMs && ctx.chat !== undefined) {
        w.warnedAt = now;
        await deps.sender
          .send(ctx.chat.id, accessNoticeView(RATE_LIMITED_TEXT))
          .catch(() => undefined);
      }
      return;
    }
    w.hits.push(now);
    return next();
  };
}
