import { ManualClock } from '../../../src/clock';
import { DelayedWrite } from '../../../src/state/delayed-write';

describe('DelayedWrite', () => {
  it('writes once per delay however often it is asked, and at once on now()', async () => {
    const clock = new ManualClock();
    let writes = 0;
    const w = new DelayedWrite(clock, 1000, () => {
      writes++;
      return Promise.resolve();
    });
    for (let i = 0; i < 50; i++) w.schedule();
    await clock.advanceAsync(999);
    expect(writes).toBe(0);
    await clock.advanceAsync(1);
    expect(writes).toBe(1);
    w.schedule();
    await w.now();
    expect(writes).toBe(2);
    // The pending write was dropped by now(): nothing more comes.
    await clock.advanceAsync(5000);
    expect(writes).toBe(2);
  });
});
