/**
 * Regression found by test/unit/fuzz/router.test.ts: a callbacks.json whose `entries` held a
 * non-pair (`{"v":1,"entries":[0]}`) threw "is not iterable" in the CallbackStore constructor,
 * which stops the daemon at start-up.
 */
import { ManualClock } from '../../../src/clock';
import { CallbackStore } from '../../../src/telegram/callback-store';
import { MemoryStore } from '../../support/memory-store';

describe('CallbackStore saved state', () => {
  it('skips damaged entries and keeps the valid ones', () => {
    const memory = new MemoryStore();
    const clock = new ManualClock();
    const good = { userId: 5, action: 'menu.delete', args: ['a'], expiresAt: clock.now() + 10_000 };
    memory.files.set(
      'callbacks.json',
      JSON.stringify({
        v: 1,
        entries: [
          0,
          null,
          'x',
          [],
          ['AAAAAAAAAAAB', { ...good, args: [1] }],
          [123456789012, good],
          ['AAAAAAAAAAAA', good],
        ],
      }),
    );
    const store = new CallbackStore(clock, memory);
    expect(store.size).toBe(0);
    store.load();
    expect(store.size).toBe(1);
    expect(store.resolve('AAAAAAAAAAAA', 5)).toEqual({ ok: true, entry: good });
    expect(store.resolve('AAAAAAAAAAAB', 5)).toEqual({ ok: false, reason: 'unknown' });
  });
});
