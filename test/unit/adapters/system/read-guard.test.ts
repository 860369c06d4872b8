import { ReadGuard } from '../../../../src/adapters/system/read-guard';
import { ManualClock } from '../../../../src/clock';
import { SystemReadTimeoutError } from '../../../../src/errors';

/** A read the test finishes by hand; counts how often it was started. */
function manualRead(): {
  read: () => Promise<number>;
  finish: (v: number) => void;
  starts: number;
} {
  const state = {
    starts: 0,
    finish: (_v: number): void => undefined,
    read: (): Promise<number> => {
      state.starts++;
      return new Promise<number>((resolve) => (state.finish = resolve));
    },
  };
  return state;
}

describe('ReadGuard', () => {
  it('gives up waiting after the bound with a typed error, and never starts a second copy of a hung read', async () => {
    const clock = new ManualClock();
    const guard = new ReadGuard(clock);
    const r = manualRead();
    const first = guard.run('sensors', 'the sensors', 2000, r.read);
    clock.advance(1999);
    const second = guard.run('sensors', 'the sensors', 2000, r.read);
    clock.advance(1);
    await expect(first).rejects.toBeInstanceOf(SystemReadTimeoutError);
    await expect(first).rejects.toMatchObject({
      code: 'E_SYSTEM_READ_TIMEOUT',
      what: 'the sensors',
      timeoutMs: 2000,
    });
    const third = guard.run('sensors', 'the sensors', 2000, r.read);
    expect(r.starts).toBe(1);
    r.finish(42);
    await expect(second).resolves.toBe(42);
    await expect(third).resolves.toBe(42);
    // Once it has finished, the next call reads afresh; other keys never wait on it.
    const fourth = guard.run('sensors', 'the sensors', 2000, r.read);
    expect(r.starts).toBe(2);
    r.finish(7);
    await expect(fourth).resolves.toBe(7);
    await expect(guard.run('users', 'the user list', 2000, () => Promise.resolve(1))).resolves.toBe(
      1,
    );
    expect(clock.timerCount).toBe(0);
  });

  it('passes a failing read through (synchronous throws too) and forgets it', async () => {
    const guard = new ReadGuard(new ManualClock());
    await expect(
      guard.run('x', 'x', 2000, () => Promise.reject(new Error('EACCES'))),
    ).rejects.toThrow('EACCES');
    await expect(
      guard.run('x', 'x', 2000, () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(guard.run('x', 'x', 2000, () => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
