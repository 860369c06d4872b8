import { ManualClock } from '../../../../src/clock';
import { pollingThresholds, updateLoopChecker } from '../../../../src/health/checkers/update-loop';

const signal = new AbortController().signal;

describe('update loop checker', () => {
  it('derives thresholds from the long-poll timeout', () => {
    expect(pollingThresholds(50)).toEqual({ degradedAfterMs: 65_000, unhealthyAfterMs: 145_000 });
    expect(pollingThresholds(1, 0.05)).toEqual({ degradedAfterMs: 1750, unhealthyAfterMs: 4250 });
  });

  it('judges the time since the last successful round, counting from start-up at first', async () => {
    const clock = new ManualClock();
    const source = { lastSuccessAt: 0 };
    const checker = updateLoopChecker({
      source,
      clock,
      intervalMs: 1000,
      degradedAfterMs: 65_000,
      unhealthyAfterMs: 145_000,
    });
    expect(await checker.check(signal)).toEqual({
      level: 'healthy',
      summary: 'waiting for the first getUpdates',
    });
    clock.advance(150_000);
    expect(await checker.check(signal)).toEqual({
      level: 'unhealthy',
      summary: 'no successful getUpdates since start-up 150 s ago',
    });
    source.lastSuccessAt = clock.now();
    clock.advance(10_000);
    expect(await checker.check(signal)).toEqual({
      level: 'healthy',
      summary: 'last successful getUpdates 10 s ago',
    });
    clock.advance(60_000);
    expect((await checker.check(signal)).level).toBe('degraded');
    clock.advance(80_000);
    expect(await checker.check(signal)).toEqual({
      level: 'unhealthy',
      summary: 'no successful getUpdates for 150 s',
    });
  });

  it('names the source it watches', async () => {
    const clock = new ManualClock();
    const checker = updateLoopChecker({
      source: { lastSuccessAt: clock.now() },
      clock,
      intervalMs: 1000,
      degradedAfterMs: 1,
      unhealthyAfterMs: 2,
      what: 'webhook delivery',
    });
    clock.advance(5000);
    expect((await checker.check(signal)).summary).toBe('no successful webhook delivery for 5 s');
  });
});
