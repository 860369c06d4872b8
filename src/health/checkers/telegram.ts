import { performance } from 'node:perf_hooks';
import type { CheckOutcome, HealthChecker } from '../types';

/** The one Bot API call the check makes. */
export interface TelegramPing {
  getMe(signal: AbortSignal): Promise<unknown>;
}

export interface TelegramCheckerOptions {
  api: TelegramPing;
  intervalMs: number;
  timeoutMs: number;
  /** Answers slower than this are degraded (pyTMBot: 3000 ms). */
  slowMs?: number;
}

/** Bot API error code (telegraf's TelegramError.code), or a system error code such as ECONNREFUSED. */
function errorCode(err: unknown): number | string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' || typeof code === 'string' ? code : undefined;
}

/** Turns a failed getMe into a level and a line without the error's own text (it may hold the URL). */
export function classifyTelegramError(err: unknown): CheckOutcome {
  const code = errorCode(err);
  switch (code) {
    case 401:
    case 403:
    case 404:
      return {
        level: 'critical',
        summary: `the bot token was rejected (${code}); re-issue it with @BotFather and update bot_token`,
      };
    case 409:
      return {
        level: 'degraded',
        summary: 'conflict (409): another instance or a webhook is receiving updates',
      };
    case 429:
      return { level: 'degraded', summary: 'rate limited by Telegram (429)' };
    default:
      break;
  }
  if (typeof code === 'number') return { level: 'unhealthy', summary: `Bot API error ${code}` };
  const safe = typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? ` (${code})` : '';
  return { level: 'unhealthy', summary: `cannot reach the Bot API${safe}` };
}

/** getMe round trip: latency, 401 critical, slow degraded, unreachable unhealthy. */
export function telegramChecker(options: TelegramCheckerOptions): HealthChecker {
  const slowMs = options.slowMs ?? 3000;
  return {
    name: 'telegram',
    label: 'Telegram API',
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    async check(signal) {
      const started = performance.now();
      try {
        await options.api.getMe(signal);
      } catch (err) {
        return classifyTelegramError(err);
      }
      const latencyMs = Math.round(performance.now() - started);
      return latencyMs > slowMs
        ? { level: 'degraded', summary: `getMe is slow (over ${slowMs} ms)`, latencyMs }
        : { level: 'healthy', summary: 'getMe answered', latencyMs };
    },
  };
}
