import { ManualClock } from '../../../src/clock';
import { StrangerThrottle, type StrangerDigest } from '../../../src/security/access-alerts';

describe('StrangerThrottle', () => {
  it('alerts a few at once, then one digest at the end of the window with capped ids', () => {
    const clock = new ManualClock(1_000_000);
    const digests: StrangerDigest[] = [];
    const t = new StrangerThrottle(
      { clock, sendDigest: (d) => digests.push(d) },
      {
        alertsPerWindow: 2,
        windowMs: 60_000,
        digestIds: 3,
        repliesPerWindow: 5,
        replyWindowMs: 10_000,
      },
    );
    const now = [1, 2, 3, 4, 5, 6].map((id) => t.alertNow(id));
    expect(now).toEqual([true, true, false, false, false, false]);
    expect(digests).toEqual([]);
    clock.advance(60_000);
    expect(digests).toEqual([{ users: 4, ids: [3, 4, 5], windowMinutes: 1 }]);
    expect(t.alertNow(7)).toBe(true);
  });

  it('shares one reply budget between all strangers, refilled over the window', () => {
    const clock = new ManualClock(0);
    const t = new StrangerThrottle(
      { clock, sendDigest: () => undefined },
      { alertsPerWindow: 1, windowMs: 1, digestIds: 1, repliesPerWindow: 3, replyWindowMs: 3_000 },
    );
    expect([t.replyNow(), t.replyNow(), t.replyNow(), t.replyNow()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    clock.advance(1_000);
    expect(t.replyNow()).toBe(true);
    expect(t.replyNow()).toBe(false);
  });
});
