import { isoTime, ManualClock, systemClock, withTimeout } from '../../src/clock';

describe('ManualClock', () => {
  it('starts at the given time and moves only when advanced', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('fires timers due within a step in time order, each seeing its own time', () => {
    const clock = new ManualClock(0);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['a2', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['late', clock.now()]), 301);
    clock.advance(300);
    expect(fired).toEqual([
      ['a', 100],
      ['a2', 100],
      ['b', 200],
    ]);
    expect(clock.now()).toBe(300);
    expect(clock.timerCount).toBe(1);
    clock.advance(1);
    expect(fired.at(-1)).toEqual(['late', 301]);
    expect(clock.timerCount).toBe(0);
  });

  it('repeats intervals until cancelled, and cancel is idempotent', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const timer = clock.setInterval(() => ticks.push(clock.now()), 100);
    clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    timer.cancel();
    timer.cancel();
    clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.timerCount).toBe(0);
  });

  it('fires a timer scheduled by a firing timer when it falls within the same step', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 50);
    }, 100);
    clock.advance(200);
    expect(fired).toEqual([100, 150]);
  });

  it('does not fire a cancelled timeout', () => {
    const clock = new ManualClock(0);
    let fired = false;
    clock.setTimeout(() => (fired = true), 10).cancel();
    clock.advance(100);
    expect(fired).toBe(false);
  });

  it('sleep resolves when time passes, or at once on abort', async () => {
    const clock = new ManualClock(0);
    let slept = false;
    const s = clock.sleep(1_000).then(() => (slept = true));
    await clock.advanceAsync(999);
    expect(slept).toBe(false);
    await clock.advanceAsync(1);
    await s;
    expect(slept).toBe(true);

    const abort = new AbortController();
    const aborted = clock.sleep(60_000, abort.signal);
    abort.abort();
    await aborted;
    expect(clock.now()).toBe(1_000);
    expect(clock.timerCount).toBe(0);
    await clock.sleep(5, AbortSignal.abort());
  });

  it('advanceAsync lets promise chains started by a timer schedule the next one', async () => {
    const clock = new ManualClock(0);
    const rounds: number[] = [];
    const loop = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100);
        await Promise.resolve();
        rounds.push(clock.now());
      }
    };
    const done = loop();
    await clock.advanceAsync(300);
    await done;
    expect(rounds).toEqual([100, 200, 300]);
  });
});

describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('runs and cancels timers and intervals', async () => {
    const fired = await new Promise<string>((resolve) => {
      systemClock.setTimeout(() => resolve('timeout'), 1);
    });
    expect(fired).toBe('timeout');
    let cancelledRan = false;
    systemClock.setTimeout(() => (cancelledRan = true), 1).cancel();
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const t = systemClock.setInterval(() => {
        if (++ticks === 2) {
          t.cancel();
          resolve();
        }
      }, 1);
    });
    await systemClock.sleep(5);
    expect(ticks).toBe(2);
    expect(cancelledRan).toBe(false);
  });
});

describe('withTimeout', () => {
  it('passes values and rejections through, and gives undefined when the clock runs out', async () => {
    const clock = new ManualClock(0);
    await expect(withTimeout(clock, Promise.resolve(7), 1_000)).resolves.toBe(7);
    await expect(withTimeout(clock, Promise.reject(new Error('boom')), 1_000)).rejects.toThrow(
      'boom',
    );
    expect(clock.timerCount).toBe(0);
    let result: number | undefined = 0;
    const slow = withTimeout(clock, new Promise<number>(() => undefined), 1_000).then(
      (v) => (result = v),
    );
    await clock.advanceAsync(999);
    expect(result).toBe(0);
    await clock.advanceAsync(1);
    await slow;
    expect(result).toBeUndefined();
  });

  it('systemClock sleep ends at once when aborted', async () => {
    const abort = new AbortController();
    const s = systemClock.sleep(60_000, abort.signal);
    abort.abort();
    await expect(s).resolves.toBeUndefined();
  });
});

describe('isoTime', () => {
  it('writes what toISOString writes, across the range a Date holds', () => {
    const max = 8.64e15;
    const times = [
      0,
      1,
      -1,
      999,
      1_764_979_200_123,
      -62_198_755_200_000,
      253_402_300_799_999,
      253_402_300_800_000,
      -62_167_219_200_001,
      max,
      -max,
      951_782_400_000,
      4_107_542_400_000,
    ];
    for (let i = 0; i < 500; i++) times.push(Math.round((Math.random() * 2 - 1) * max));
    for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws a RangeError for a time a Date cannot hold, as toISOString does', () => {
    for (const ms of [NaN, Infinity, 8.64e15 + 1, -8.64e15 - 1])
      expect(() => isoTime(ms)).toThrow(RangeError);
  });
});
