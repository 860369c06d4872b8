import {
  LoopDelayProbe,
  ThreadClock,
  ownTime,
  type LoopDelaySummary,
} from '../../../../src/adapters/system/loop-delay';
import { systemClock } from '../../../../src/clock';

/** Polls the probe until `ok` holds for its summary, or fails at the deadline. */
async function summaryWhere(
  probe: LoopDelayProbe,
  ok: (s: LoopDelaySummary) => boolean,
): Promise<LoopDelaySummary> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const s = probe.summary();
    if (s !== undefined && ok(s)) return s;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`the probe never reported: ${JSON.stringify(probe.summary())}`);
}

describe('ThreadClock', () => {
  it('reads the wall clock and the run-queue wait of this thread together, again and again', () => {
    const clock = ThreadClock.open();
    expect(clock).toBeDefined();
    try {
      const a = clock!.read();
      const b = clock!.read();
      expect(a).toBeDefined();
      expect(b).toBeDefined();
      expect(b!.wall).toBeGreaterThanOrEqual(a!.wall);
      expect(b!.waited).toBeGreaterThanOrEqual(a!.waited);
      // Own time never exceeds the wall time that passed.
      expect(ownTime(a!, b!)).toBeLessThanOrEqual(b!.wall - a!.wall);
    } finally {
      clock?.close();
    }
  });
});

describe('LoopDelayProbe', () => {
  it("counts a loop held by a synchronous wait as the process's own stall (no CPU used)", async () => {
    const probe = new LoopDelayProbe(systemClock);
    probe.start();
    try {
      // The thread sleeps in the kernel: no CPU time, no run-queue wait, yet the loop is held.
      // Main-thread CPU time would call this stall zero.
      // A busy machine may have caused a long stall already: wait for the one after the wait.
      const before = (await summaryWhere(probe, (x) => x.ticks >= 2)).longBusy ?? 0;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60);
      const s = await summaryWhere(probe, (x) => (x.longBusy ?? 0) > before);
      expect(s.maxBusyMs).toBeGreaterThanOrEqual(50);
      expect(s.maxStallMs).toBeGreaterThanOrEqual(50);
    } finally {
      probe.stop();
    }
  });
});
