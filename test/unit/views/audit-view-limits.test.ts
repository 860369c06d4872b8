/**
 * Regression found by test/unit/fuzz/views.test.ts: a page of audit records whose action, target
 * and detail are emoji runs rendered 6288 UTF-16 units (clip counts code points; Telegram counts
 * an emoji as two), which Telegram refuses as "message is too long".
 */
import { AUDIT_SHOWN } from '../../../src/features/auth';
import { auditView } from '../../../src/views/auth';
import { visibleText } from '../../../src/views/html';
import { TELEGRAM_LIMITS } from '../../../src/views/view';

describe('auditView length', () => {
  it('drops the oldest lines until a page of emoji-heavy records fits', () => {
    const wide = '😀'.repeat(100);
    const records = Array.from({ length: AUDIT_SHOWN }, (_, i) => ({
      time: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
      userId: 1001,
      action: wide,
      outcome: 'ok' as const,
      target: wide,
      detail: wide,
    }));
    const text = visibleText(auditView(records).html.value);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    // The newest record is the one kept last.
    expect(text).toContain('2026-01-01 00:00:19');
    expect(text).not.toContain('2026-01-01 00:00:00');
    expect(text).toMatch(/\(last \d+, UTC\)/);
  });
});
