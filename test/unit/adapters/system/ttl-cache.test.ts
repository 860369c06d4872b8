import { TtlCache } from '../../../../src/adapters/system/ttl-cache';
import { ManualClock } from '../../../../src/clock';

describe('TtlCache', () => {
  it('reuses a value for its TTL, then loads again', async () => {
    const clock = new ManualClock();
    const cache = new TtlCache(clock);
    let loads = 0;
    const load = (): Promise<number> => Promise.resolve(++loads);
    expect(await cache.get('k', 1000, load)).toBe(1);
    clock.advance(999);
    expect(await cache.get('k', 1000, load)).toBe(1);
    clock.advance(1);
    expect(await cache.get('k', 1000, load)).toBe(2);
  });

  it('shares one load between concurrent callers', async () => {
    const cache = new TtlCache(new ManualClock());
    let loads = 0;
    const load = async (): Promise<string> => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 'v';
    };
    expect(await Promise.all([cache.get('k', 1000, load), cache.get('k', 1000, load)])).toEqual([
      'v',
      'v',
    ]);
    expect(loads).toBe(1);
  });

  it('forgets a failure at once, including a loader that throws synchronously', async () => {
    const cache = new TtlCache(new ManualClock());
    await expect(
      cache.get('k', 1000, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await cache.get('k', 1000, () => Promise.resolve('ok'))).toBe('ok');
  });
});
