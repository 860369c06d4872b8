import { healthFeature, type HealthSource } from '../../../src/features/health';
import type { HostSample } from '../../../src/health/analysis';
import type { HealthSnapshot } from '../../../src/health/types';
import { silentLogger } from '../../support/silent-logger';
import type { ActionButton } from '../../../src/views/view';
import { Pipeline } from '../../support/pipeline';

const USER = 1002;

/** A monitor stand-in: each refresh may or may not bring new results. */
class FakeHealth implements HealthSource {
  refreshes: { maxAgeMs: number; waitMs: number }[] = [];
  latency = 100;
  snapshot(): HealthSnapshot {
    return {
      overall: 'healthy',
      reasons: [],
      checkedAt: Date.UTC(2026, 0, 1),
      components: [
        {
          name: 'telegram',
          label: 'Telegram API',
          level: 'healthy',
          summary: 'getMe answered',
          latencyMs: this.latency,
          checkedAt: 1,
        },
      ],
    };
  }
  refresh(maxAgeMs: number, waitMs: number): Promise<HealthSnapshot> {
    this.refreshes.push({ maxAgeMs, waitMs });
    return Promise.resolve(this.snapshot());
  }
}

const SAMPLE: HostSample = {
  cpuPercent: 90,
  iowaitPercent: 1,
  memoryPercent: 40,
  disk: { mount: '/', percent: 50 },
  load1: 1,
  cores: 4,
  docker: { running: 1, total: 3 },
};

describe('health feature', () => {
  let health: FakeHealth;
  let p: Pipeline;

  beforeEach(() => {
    health = new FakeHealth();
    p = new Pipeline({ userIds: [USER] }, [
      healthFeature({
        health,
        refreshMaxAgeMs: 10_000,
        refreshWaitMs: 3000,
        hostSample: () => Promise.resolve(SAMPLE),
        log: silentLogger,
      }),
    ]);
  });

  it('answers /health and the main-menu Health button with the snapshot', async () => {
    await p.text(USER, '/health');
    await p.text(USER, '🩺 Health');
    await p.text(USER, 'health');
    const texts = p.sender.textsTo(USER);
    expect(texts).toHaveLength(3);
    for (const t of texts)
      expect(t).toMatch(/^🩺 Health: ✅ healthy\n[\s\S]*Telegram API · 100 ms/);
    expect(health.refreshes).toEqual([]);
    expect(texts[0]).toMatch(/Host score: \d+\/100/);
    expect(texts[0]).toContain('Dominant pressure: CPU (90%)');
    expect(texts[0]).toContain('1 running, 2 stopped');
  });

  it('Refresh re-checks and edits in place, or says "Already up to date"', async () => {
    await p.text(USER, '/health');
    const screen = p.sender.sent[0]!;
    const refresh =
      screen.view.keyboard?.kind === 'inline'
        ? (screen.view.keyboard.rows[0]![0] as ActionButton)
        : undefined;
    const token = p.callbacks.issue(USER, refresh!.action, refresh!.args ?? []);

    const same = await p.press(USER, token, screen.messageId);
    expect(p.sender.answers.find((a) => a.id === same)?.text).toBe('Already up to date');
    expect(health.refreshes).toEqual([{ maxAgeMs: 10_000, waitMs: 3000 }]);

    health.latency = 90;
    const changed = await p.press(USER, token, screen.messageId);
    expect(p.sender.answers.find((a) => a.id === changed)?.text).toBeUndefined();
    expect(p.sender.sent.at(-1)).toMatchObject({ kind: 'edit', messageId: screen.messageId });
    expect(p.sender.sent.at(-1)?.text).toContain('Telegram API · 90 ms');
  });
});
