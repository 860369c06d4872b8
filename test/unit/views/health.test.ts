import type { ComponentStatus, HealthSnapshot } from '../../../src/health/types';
import { visibleText } from '../../../src/views/html';
import { healthView } from '../../../src/views/health';
import { TELEGRAM_LIMITS } from '../../../src/views/view';

const AT = Date.UTC(2026, 0, 1, 12, 34, 56);

function component(over: Partial<ComponentStatus>): ComponentStatus {
  return {
    name: 'x',
    label: 'X',
    level: 'healthy',
    summary: 'fine',
    latencyMs: undefined,
    checkedAt: AT,
    ...over,
  };
}

describe('health view', () => {
  it('shows the overall level, the reasons and every component with status and latency', () => {
    const snap: HealthSnapshot = {
      overall: 'degraded',
      reasons: ['Host: high: load 9.50 on 2 cores'],
      checkedAt: AT,
      components: [
        component({
          name: 'telegram',
          label: 'Telegram API',
          summary: 'getMe answered',
          latencyMs: 120,
        }),
        component({
          name: 'host',
          label: 'Host',
          level: 'degraded',
          summary: 'high: load 9.50 on 2 cores',
        }),
        component({
          name: 'docker.local',
          label: 'Docker',
          checkedAt: 0,
          summary: 'not checked yet',
        }),
      ],
    };
    const view = healthView(snap);
    expect(visibleText(view.html.value)).toBe(
      [
        '🩺 Health: ⚠️ degraded',
        '',
        '• Host: high: load 9.50 on 2 cores',
        '',
        '✅ Telegram API · 120 ms',
        '      getMe answered',
        '⚠️ Host',
        '      high: load 9.50 on 2 cores',
        '⏳ Docker — not checked yet',
        '',
        'Checked at 12:34:56 UTC',
      ].join('\n'),
    );
    expect(view.keyboard).toEqual({
      kind: 'inline',
      rows: [[{ text: '🔄 Refresh', action: 'health.refresh', args: [] }]],
    });
  });

  it('escapes what components report', () => {
    const snap: HealthSnapshot = {
      overall: 'unhealthy',
      reasons: ['Docker <b>x</b>: unreachable'],
      checkedAt: AT,
      components: [component({ label: 'Docker <b>x</b>', level: 'unhealthy', summary: 'a & b' })],
    };
    const markup = healthView(snap).html.value;
    expect(markup).toContain('Docker &lt;b&gt;x&lt;/b&gt;');
    expect(markup).toContain('a &amp; b');
  });

  it('fits one Telegram message however many components and however long their text', () => {
    const long = 'z'.repeat(5000);
    const snap: HealthSnapshot = {
      overall: 'critical',
      reasons: Array.from({ length: 50 }, () => long),
      checkedAt: AT,
      components: Array.from({ length: 60 }, (_, i) =>
        component({
          name: `c${i}`,
          label: long,
          level: 'critical',
          summary: long,
          latencyMs: 123456,
        }),
      ),
    };
    const text = visibleText(healthView(snap).html.value);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    expect(text).toContain('… and 45 more');
  });

  it('says when nothing has been checked yet', () => {
    const text = visibleText(
      healthView({ overall: 'healthy', reasons: [], checkedAt: 0, components: [] }).html.value,
    );
    expect(text).toContain('Checks are starting…');
  });
});
