import { ManualClock } from '../../../src/clock';
import type { ReportConfig } from '../../../src/config/report';
import { instantOf, latestOccurrence } from '../../../src/report/schedule';
import {
  CHECK_MS,
  REPORT_STATE_FILE,
  ReportScheduler,
  type ReportKind,
} from '../../../src/report/scheduler';
import { MemoryStore } from '../../support/memory-store';
import { silentLogger } from '../../support/silent-logger';

jest.setTimeout(60_000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const BERLIN = 'Europe/Berlin';

interface Sent {
  kind: ReportKind;
  at: string;
  fromMs: number;
}

function scheduler(config: Partial<ReportConfig>, clock: ManualClock, store: MemoryStore) {
  const sent: Sent[] = [];
  let failing = false;
  const s = new ReportScheduler({
    config: { daily: undefined, weekly: undefined, timeZone: BERLIN, ...config },
    clock,
    store,
    log: silentLogger,
    send: (kind, fromMs) => {
      if (failing) return Promise.reject(new Error('telegram down'));
      sent.push({ kind, at: new Date(clock.now()).toISOString(), fromMs });
      return Promise.resolve();
    },
  });
  return {
    s,
    sent,
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

/** Moves the clock in check-sized steps so every check (and its promises) runs. */
async function advance(clock: ManualClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= CHECK_MS)
    await clock.advanceAsync(Math.min(CHECK_MS, left));
}

describe('report schedule (local time in a time zone)', () => {
  it('finds the latest occurrence across the spring-forward and fall-back days', () => {
    // 29 March 2026: Berlin goes from +01:00 to +02:00 at 02:00 local.
    expect(new Date(instantOf(2026, 3, 28, 8 * 60 + 30, BERLIN)).toISOString()).toBe(
      '2026-03-28T07:30:00.000Z',
    );
    expect(new Date(instantOf(2026, 3, 29, 8 * 60 + 30, BERLIN)).toISOString()).toBe(
      '2026-03-29T06:30:00.000Z',
    );
    // 02:30 does not exist that night: it is read an hour later (03:30 CEST).
    expect(new Date(instantOf(2026, 3, 29, 2 * 60 + 30, BERLIN)).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // 25 October 2026: 02:30 happens twice; the first one counts.
    expect(new Date(instantOf(2026, 10, 25, 2 * 60 + 30, BERLIN)).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    // Weekly on Monday: from a Wednesday, the Monday before; across a month end.
    const wed = Date.parse('2026-04-01T12:00:00Z');
    expect(
      new Date(latestOccurrence(wed, { minute: 8 * 60, weekday: 1 }, BERLIN)).toISOString(),
    ).toBe('2026-03-30T06:00:00.000Z');
  });
});

describe('report scheduler', () => {
  it('sends the daily report at 08:30 Berlin time every day across DST, once per day', async () => {
    const clock = new ManualClock(Date.parse('2026-03-27T12:00:00Z'));
    const store = new MemoryStore();
    const { s, sent } = scheduler({ daily: 8 * 60 + 30 }, clock, store);
    s.start();
    await advance(clock, 4 * DAY);
    s.stop();
    expect(sent.map((x) => x.at)).toEqual([
      '2026-03-28T07:30:00.000Z',
      '2026-03-29T06:30:00.000Z',
      '2026-03-30T06:30:00.000Z',
      '2026-03-31T06:30:00.000Z',
    ]);
    expect(sent[0]?.fromMs).toBe(Date.parse('2026-03-27T07:30:00Z'));
  });

  it('sends a report on the repeated hour of the fall-back night once', async () => {
    const clock = new ManualClock(Date.parse('2026-10-24T12:00:00Z'));
    const { s, sent } = scheduler({ daily: 2 * 60 + 30 }, clock, new MemoryStore());
    s.start();
    await advance(clock, 2 * DAY);
    s.stop();
    expect(sent.map((x) => x.at)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('does not send again after a restart, and catches up on one missed within the hour', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T06:00:00Z'));
    const store = new MemoryStore();
    const first = scheduler({ daily: 8 * 60 + 30 }, clock, store);
    first.s.start();
    await advance(clock, HOUR);
    first.s.stop();
    expect(first.sent.map((x) => x.at)).toEqual(['2026-06-01T06:30:00.000Z']);
    expect(store.files.get(REPORT_STATE_FILE)).toContain(
      String(Date.parse('2026-06-01T06:30:00Z')),
    );

    // Restarted the same morning: nothing new.
    const second = scheduler({ daily: 8 * 60 + 30 }, clock, store);
    second.s.start();
    await advance(clock, HOUR);
    second.s.stop();
    expect(second.sent).toEqual([]);

    // Down over the next 08:30, back 20 min later (06:50 UTC): sent then. Down for longer: skipped.
    clock.advance(DAY - HOUR - 10 * 60_000);
    const third = scheduler({ daily: 8 * 60 + 30 }, clock, store);
    third.s.start();
    await advance(clock, CHECK_MS);
    third.s.stop();
    expect(third.sent.map((x) => x.at)).toEqual(['2026-06-02T06:50:00.000Z']);
    clock.advance(DAY + 2 * HOUR);
    const fourth = scheduler({ daily: 8 * 60 + 30 }, clock, store);
    fourth.s.start();
    await advance(clock, CHECK_MS);
    fourth.s.stop();
    expect(fourth.sent).toEqual([]);
  });

  it('retries a failed send at the next check, and sends the weekly report on its day', async () => {
    const clock = new ManualClock(Date.parse('2026-06-08T06:00:00Z')); // a Monday, 08:00 in Berlin
    const { s, sent, fail } = scheduler(
      { weekly: { weekday: 1, minute: 9 * 60 } },
      clock,
      new MemoryStore(),
    );
    s.start();
    fail(true);
    await advance(clock, HOUR + CHECK_MS);
    expect(sent).toEqual([]);
    fail(false);
    await advance(clock, CHECK_MS);
    // Nothing is due for the rest of the week: jump to the next Monday morning.
    clock.advance(Date.parse('2026-06-15T06:00:00Z') - clock.now());
    await advance(clock, 2 * HOUR);
    s.stop();
    expect(sent.map((x) => `${x.kind} ${x.at}`)).toEqual([
      'weekly 2026-06-08T07:01:00.000Z',
      'weekly 2026-06-15T07:00:00.000Z',
    ]);
    expect(sent[0]?.fromMs).toBe(Date.parse('2026-06-01T07:00:00Z'));
  });
});
