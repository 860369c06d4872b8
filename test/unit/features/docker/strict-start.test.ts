import { ManualClock } from '../../../../src/clock';
import { awaitReachable } from '../../../../src/features/docker/strict-start';
import { silentLogger } from '../../../support/silent-logger';

/** Settles `p` while moving the manual clock a second at a time (at most `maxMs`). */
async function settle<T>(
  clock: ManualClock,
  p: Promise<T>,
  maxMs: number,
): Promise<PromiseSettledResult<T>> {
  let done: PromiseSettledResult<T> | undefined;
  void Promise.allSettled([p]).then(([r]) => (done = r));
  for (let t = 0; t <= maxMs && done === undefined; t += 1000) await clock.advanceAsync(1000);
  await clock.advanceAsync(0);
  if (done === undefined) throw new Error('did not settle');
  return done;
}

describe('docker.strict_access start-up ping', () => {
  it('retries with backoff until the engine answers', async () => {
    const clock = new ManualClock();
    const attempts: number[] = [];
    const ping = () => {
      attempts.push(clock.now());
      return attempts.length < 4 ? Promise.reject(new Error('engine down')) : Promise.resolve();
    };
    const r = await settle(clock, awaitReachable(ping, clock, silentLogger), 60_000);
    expect(r.status).toBe('fulfilled');
    const t0 = attempts[0]!;
    expect(attempts.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000]);
  });

  it('gives up with the last error once the 30 s budget is spent', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const started = clock.now();
    const ping = () => Promise.reject(new Error(`down ${++calls}`));
    const r = await settle(clock, awaitReachable(ping, clock, silentLogger), 120_000);
    expect(r.status).toBe('rejected');
    expect((r as PromiseRejectedResult).reason).toEqual(new Error(`down ${calls}`));
    // 0, 1, 3, 7, 15, 23 s: the next wait (8 s) would pass 30 s.
    expect(calls).toBe(6);
    expect(clock.now() - started).toBeLessThanOrEqual(30_000);
  });
});
