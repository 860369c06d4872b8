/**
 * The hooks /metrics counts through: SafeSender reports every Bot API error code, and the
 * bot metrics render them by code.
 */
import { TelegramError, type Telegram } from 'telegraf';
import { ManualClock } from '../../../src/clock';
import { createBotMetrics } from '../../../src/fleet/bot-metrics';
import { parseExposition } from '../../../src/fleet/exposition';
import { silentLogger } from '../../support/silent-logger';
import { CallbackStore } from '../../../src/telegram/callback-store';
import { SafeSender } from '../../../src/telegram/sender';
import { html } from '../../../src/views/html';
import type { SystemPort } from '../../../src/adapters/system/system-port';
import { MemoryStore } from '../../support/memory-store';

describe('Telegram API errors on /metrics', () => {
  it('counts each Bot API error by its code', async () => {
    const fake = {
      callApi: () =>
        Promise.reject(
          new TelegramError({
            error_code: 403,
            description: 'Forbidden: bot was blocked by the user',
          }),
        ),
    };
    const sender = new SafeSender(
      fake as unknown as Telegram,
      new CallbackStore(new ManualClock(), new MemoryStore()),
      silentLogger,
      new ManualClock(),
    );
    const metrics = createBotMetrics({
      now: () => 0,
      // Host collectors fail here; the registry keeps rendering the rest.
      system: {} as SystemPort,
      docker: undefined,
      fleet: undefined,
      startedAt: 0,
    });
    sender.onApiError = (code) => metrics.telegramErrors.inc({ code: String(code) });
    await expect(sender.send(1, { html: html`hi` })).rejects.toThrow(TelegramError);
    await expect(sender.send(1, { html: html`hi` })).rejects.toThrow(TelegramError);
    const samples = parseExposition(await metrics.registry.render());
    expect(
      samples.find((s) => s.name === 'tmbot_telegram_api_errors_total' && s.labels.code === '403')
        ?.value,
    ).toBe(2);
  });
});
