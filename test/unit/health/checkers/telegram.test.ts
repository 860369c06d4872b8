import { TelegramError } from 'telegraf';
import { classifyTelegramError, telegramChecker } from '../../../../src/health/checkers/telegram';

const signal = new AbortController().signal;

function apiError(code: number, description: string): TelegramError {
  return new TelegramError({ error_code: code, description });
}

describe('Telegram API checker', () => {
  it('is healthy with the getMe latency when the Bot API answers', async () => {
    const checker = telegramChecker({
      api: { getMe: () => Promise.resolve({}) },
      intervalMs: 1000,
      timeoutMs: 1000,
    });
    const out = await checker.check(signal);
    expect(out).toMatchObject({ level: 'healthy', summary: 'getMe answered' });
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('is degraded when getMe is slower than the limit', async () => {
    const slow = { getMe: () => new Promise<unknown>((r) => setTimeout(r, 30)) };
    const out = await telegramChecker({
      api: slow,
      intervalMs: 1000,
      timeoutMs: 1000,
      slowMs: 5,
    }).check(signal);
    expect(out).toMatchObject({ level: 'degraded', summary: 'getMe is slow (over 5 ms)' });
  });

  it('is critical when the token is rejected', () => {
    expect(classifyTelegramError(apiError(401, 'Unauthorized'))).toMatchObject({
      level: 'critical',
    });
    expect(classifyTelegramError(apiError(404, 'Not Found')).summary).toMatch(
      /token was rejected \(404\).*@BotFather/,
    );
  });

  it('is degraded on 409 and 429, unhealthy on other API errors and network failures', () => {
    expect(classifyTelegramError(apiError(409, 'Conflict')).level).toBe('degraded');
    expect(classifyTelegramError(apiError(429, 'Too Many Requests')).level).toBe('degraded');
    expect(classifyTelegramError(apiError(502, 'Bad Gateway'))).toEqual({
      level: 'unhealthy',
      summary: 'Bot API error 502',
    });
    const refused = Object.assign(
      new Error('request to https://api.telegram.org/bot1:SECRET/getMe failed'),
      {
        code: 'ECONNREFUSED',
      },
    );
    expect(classifyTelegramError(refused)).toEqual({
      level: 'unhealthy',
      summary: 'cannot reach the Bot API (ECONNREFUSED)',
    });
    expect(classifyTelegramError(new Error('weird'))).toEqual({
      level: 'unhealthy',
      summary: 'cannot reach the Bot API',
    });
  });
});
