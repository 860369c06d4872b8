/**
 * Regressions found by test/unit/fuzz/sender.test.ts: the over-long fallback and callback answers
 * were cut by code points, but Telegram counts UTF-16 units (an emoji is two), and the cut marker
 * itself pushed ASCII text to 4098.
 */
import type { Telegram } from 'telegraf';
import { ManualClock, systemClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { CallbackStore } from '../../../src/telegram/callback-store';
import { SafeSender } from '../../../src/telegram/sender';
import { html } from '../../../src/views/html';
import { MemoryStore } from '../../support/memory-store';

function recorder(): { telegram: Telegram; texts: string[] } {
  const texts: string[] = [];
  const fake = {
    callApi: (_method: string, payload: { text?: string; caption?: string }) => {
      texts.push(payload.text ?? payload.caption ?? '');
      return Promise.resolve({ message_id: 1 });
    },
  };
  return { telegram: fake as unknown as Telegram, texts };
}

describe('SafeSender length limits', () => {
  const make = (telegram: Telegram): SafeSender =>
    new SafeSender(
      telegram,
      new CallbackStore(new ManualClock(), new MemoryStore()),
      silentLogger,
      systemClock,
    );

  it('cuts an over-long ASCII message to at most 4096 units, marker included', async () => {
    const { telegram, texts } = recorder();
    await make(telegram).send(1, { html: html`${'a'.repeat(5000)}` });
    expect(texts[0]!.length).toBeLessThanOrEqual(4096);
    expect(texts[0]).toMatch(/…\n\[cut to fit Telegram\]$/);
  });

  it('counts an emoji as two units when cutting messages and captions', async () => {
    const { telegram, texts } = recorder();
    const sender = make(telegram);
    await sender.send(1, { html: html`${'😀'.repeat(5000)}` });
    await sender.sendPhoto(1, Buffer.from('png'), { html: html`${'😀'.repeat(2000)}` });
    expect(texts[0]!.length).toBeLessThanOrEqual(4096);
    expect(texts[1]!.length).toBeLessThanOrEqual(1024);
    expect(texts.every((t) => t.isWellFormed())).toBe(true);
  });

  it('keeps callback answers within 200 units', async () => {
    const { telegram, texts } = recorder();
    await make(telegram).answer('cq', '😀'.repeat(150));
    expect(texts[0]!.length).toBeLessThanOrEqual(200);
    expect(texts[0]!.isWellFormed()).toBe(true);
  });
});
