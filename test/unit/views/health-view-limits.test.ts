/**
 * Regression found by test/unit/fuzz/views.test.ts: fifteen components with emoji-heavy labels
 * and summaries rendered 4991 UTF-16 units (clip counts code points; Telegram counts an emoji as
 * two), and Telegram refuses such a message.
 */
import { healthView } from '../../../src/views/health';
import { visibleText } from '../../../src/views/html';
import { TELEGRAM_LIMITS } from '../../../src/views/view';

describe('healthView length', () => {
  it('shows fewer components, and says how many more, until the screen fits', () => {
    const wide = '😀'.repeat(200);
    const components = Array.from({ length: 20 }, (_, i) => ({
      name: `c${i}`,
      label: wide,
      level: 'degraded' as const,
      summary: wide,
      latencyMs: 5,
      checkedAt: 1_700_000_000_000,
    }));
    const text = visibleText(
      healthView({
        overall: 'degraded',
        reasons: [wide, wide, wide],
        components,
        checkedAt: 1_700_000_000_000,
      }).html.value,
    );
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    expect(text).toMatch(/… and \d+ more/);
  });
});
