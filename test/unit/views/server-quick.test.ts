import * as d from '../../fixtures/server-data';
import { parseHtml } from '../../../src/demo/bot-api/html';
import { html } from '../../../src/views/html';
import {
  aboutView,
  QUICK_ACTION,
  quickSubView,
  quickView,
  type QuickViewData,
} from '../../../src/views/server-quick';
import { APP_VERSION } from '../../../src/version';
import type { ActionButton } from '../../../src/views/view';

const full: QuickViewData = {
  uptime: d.uptime,
  load: d.load,
  cpu: d.cpu,
  memory: d.memory,
  processes: d.processes,
  docker: { running: 3, total: 5, images: 7 },
  context: d.onHost,
};
const text = (q: QuickViewData): string => parseHtml(quickView(q).html.value).text;

describe('Quick view', () => {
  it('shows every line with its figures', () => {
    expect(text(full)).toBe(
      [
        '👀 Quick view',
        '🛸 Uptime: 3 days, 04:05:06',
        '🪫 Load: 1.50 · 0.75 · 0.25 (37.5 % of 4 cores)',
        '🔌 CPU: 37.5 % · 4 cores · 2,596 MHz',
        '📟 Memory: 4.00 GiB used of 16.0 GiB (25.0 %) · 4.00 GiB free',
        '🚀 Processes: 130 (3 running, 100 sleeping, 25 idle)',
        '🐳 Docker: 3 running of 5 containers · 7 images',
      ].join('\n'),
    );
  });

  it('is honest about Docker and about missing metrics', () => {
    expect(text({ ...full, docker: undefined })).toContain(
      '🐳 Docker: not available (no Docker connection in this build)',
    );
    expect(
      text({ ...full, docker: { unavailable: 'cannot reach <unix:///var/run/docker.sock>' } }),
    ).toContain('🐳 Docker: not reachable (cannot reach <unix:///var/run/docker.sock>)');
    const none = text({
      ...full,
      uptime: undefined,
      load: undefined,
      cpu: undefined,
      memory: undefined,
      processes: undefined,
    });
    expect(none.match(/not available/g)).toHaveLength(5);
    expect(text({ ...full, context: d.inContainer })).toMatch(/processes are the container's/);
  });

  it('has Refresh, Memory, Temperatures, CPU and Disk; sub-views lead back to the overview', () => {
    const labels = (kb: ReturnType<typeof quickView>['keyboard']): string[] =>
      kb?.kind === 'inline' ? kb.rows.flat().map((b) => b.text) : [];
    expect(labels(quickView(full).keyboard)).toEqual([
      '🔄 Refresh data',
      '💾 Memory',
      '🌡 Temperatures',
      '⚡ CPU',
      '📂 Disk',
    ]);
    const sub = quickSubView('memory', html`mem`);
    expect(labels(sub.keyboard)).toEqual([
      '📊 Overview',
      '🔄 Refresh',
      '🌡 Temperatures',
      '⚡ CPU',
      '📂 Disk',
    ]);
    const actions =
      sub.keyboard?.kind === 'inline'
        ? sub.keyboard.rows.flat().map((b) => (b as ActionButton).action)
        : [];
    expect(new Set(actions)).toEqual(new Set([QUICK_ACTION.name]));
  });
});

describe('About me', () => {
  it('shows version, Node version, bot uptime and documentation links', () => {
    const v = aboutView({ nodeVersion: 'v24.1.0', botUptimeSeconds: 3661 });
    const t = parseHtml(v.html.value).text;
    expect(t).toContain(`Version: ${APP_VERSION}`);
    expect(t).toContain('Node.js: v24.1.0');
    expect(t).toContain('Bot uptime: 01:01:01');
    expect(v.disablePreview).toBe(true);
    const urls =
      v.keyboard?.kind === 'inline'
        ? v.keyboard.rows.flat().map((b) => ('url' in b ? b.url : ''))
        : [];
    expect(urls.every((u) => u.startsWith('https://'))).toBe(true);
  });
});
