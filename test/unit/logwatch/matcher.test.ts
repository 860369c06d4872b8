import { ManualClock } from '../../../src/clock';
import { LogMatcher } from '../../../src/logwatch/matcher';

/** Moves the watchdog's clock until `done()` or a real-time deadline (the worker runs in real time). */
async function until(clock: ManualClock, step: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
    await clock.advanceAsync(step);
  }
}

describe('log matcher', () => {
  let matcher: LogMatcher<string> | undefined;
  afterEach(() => matcher?.close());

  it('matches lines against the patterns in their mask, in a worker', async () => {
    const clock = new ManualClock();
    const hits: string[] = [];
    matcher = new LogMatcher<string>({
      patterns: [
        { source: 'panic', flags: '' },
        { source: 'fatal', flags: 'i' },
      ],
      clock,
      timeoutMs: 250,
      maxQueue: 100,
      onMatch: (tag, line, p) => hits.push(`${tag}:${p}:${line}`),
      onTimeout: () => hits.push('timeout'),
    });
    matcher.push('a', 'kernel panic', 0b11);
    matcher.push('b', 'FATAL: disk', 0b01);
    matcher.push('c', 'FATAL: disk', 0b10);
    matcher.push('d', 'all good', 0b11);
    await until(clock, 100, () => matcher?.pending === 0);
    expect(hits).toEqual(['a:0:kernel panic', 'c:1:FATAL: disk']);
    expect(matcher.stats).toMatchObject({ lines: 4, matched: 2, timeouts: 0, dropped: 0 });
  });

  it('cuts off a catastrophic match, reports the line and goes on with the rest on a fresh worker', async () => {
    const clock = new ManualClock();
    const hits: string[] = [];
    const cut: string[] = [];
    matcher = new LogMatcher<string>({
      // Refused at load; given here directly to prove the time bound holds on its own.
      patterns: [
        { source: '(a+)+$', flags: '' },
        { source: 'FATAL', flags: '' },
      ],
      clock,
      timeoutMs: 100,
      maxQueue: 100,
      onMatch: (tag, _line, p) => hits.push(`${tag}:${p}`),
      onTimeout: (tag, line, p) => cut.push(`${tag}:${p}:${line.length}`),
    });
    matcher.push('before', 'FATAL one', 0b10);
    matcher.push('hostile', `${'a'.repeat(64)}!`, 0b11);
    matcher.push('after', 'FATAL two', 0b11);
    await until(clock, 100, () => matcher?.pending === 0);
    expect(cut).toEqual(['hostile:0:65']);
    expect(hits.sort()).toEqual(['after:1', 'before:1']);
    expect(matcher.stats.timeouts).toBe(1);
    expect(matcher.stats.workers).toBe(2);
  });

  it('drops and counts lines beyond its queue bound', () => {
    const clock = new ManualClock();
    matcher = new LogMatcher<string>({
      patterns: [{ source: 'x', flags: '' }],
      clock,
      timeoutMs: 100,
      maxQueue: 10,
      onMatch: () => undefined,
      onTimeout: () => undefined,
    });
    for (let i = 0; i < 2030; i++) matcher.push(String(i), 'x', 1);
    // One batch went to the worker at once; ten more wait; the rest are counted.
    expect(matcher.stats.dropped).toBe(2030 - 1 - 10);
  });
});
