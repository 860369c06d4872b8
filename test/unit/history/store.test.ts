import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock';
import { HistoryStore, type HistoryStoreOptions } from '../../../src/history/store';
import type { Logger, LogMeta } from '../../../src/log/logger';

const START = Date.UTC(2026, 0, 1, 0, 0, 0);
const HOUR = 3_600_000;

function captureLog(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger = {
    error: (m: string) => warnings.push(m),
    warn: (m: string, _meta?: LogMeta) => warnings.push(m),
    info: () => undefined,
    debug: () => undefined,
    trace: () => undefined,
    child: () => log,
    isLevelEnabled: () => false,
  };
  return { log, warnings };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tmbot-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function makeStore(
  clock: ManualClock,
  overrides: Partial<HistoryStoreOptions> = {},
): { store: HistoryStore; warnings: string[] } {
  const { log, warnings } = captureLog();
  const store = new HistoryStore({
    path: join(dir, 'history.db'),
    intervalS: 10,
    maxBytes: 50 * 1024 * 1024,
    maxSeries: 100,
    clock,
    log,
    ...overrides,
  });
  store.open();
  return { store, warnings };
}

/** Records `value(i)` for `count` samples 10 s apart, starting at the clock's now. */
function feed(
  clock: ManualClock,
  store: HistoryStore,
  count: number,
  value: (i: number) => number,
): void {
  for (let i = 0; i < count; i++) {
    store.record(new Map([['host.cpu', value(i)]]));
    clock.advance(10_000);
  }
}

function rows(table: string): number {
  const db = new DatabaseSync(join(dir, 'history.db'), { readOnly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('HistoryStore tiers', () => {
  it('keeps raw samples for the 1 h chart and minute averages with the peak for 6 h', () => {
    const clock = new ManualClock(START);
    const { store } = makeStore(clock);
    // 30 minutes at 10 s: 10 % baseline with one 95 % spike at sample 100 (minute 16).
    feed(clock, store, 180, (i) => (i === 100 ? 95 : 10));
    const raw = store.query('host.cpu', clock.now() - HOUR, clock.now());
    expect(raw).toHaveLength(180);
    expect(Math.max(...raw.map((p) => p.v))).toBe(95);

    clock.advance(3 * HOUR); // past the raw tier's 2 h: the 6 h chart now comes from minute rows
    store.record(new Map([['host.cpu', 10]]));
    const minutes = store.query('host.cpu', clock.now() - 6 * HOUR, clock.now());
    const rolled = minutes.filter((p) => p.t < START + 30 * 60_000);
    expect(rolled).toHaveLength(30);
    const spikeMinute = rolled.find((p) => p.t === START + 16 * 60_000);
    expect(spikeMinute?.max).toBe(95);
    expect(spikeMinute?.v).toBeCloseTo((95 + 5 * 10) / 6, 5);
    expect(rolled.filter((p) => p.max === 95)).toHaveLength(1);
    store.close();
  });

  it('rolls minutes into quarter-hours for the 7 d chart, keeping the peak', () => {
    const clock = new ManualClock(START);
    const { store } = makeStore(clock);
    feed(clock, store, 360, (i) => (i === 200 ? 80 : 20)); // one hour
    clock.advance(2 * 24 * HOUR);
    store.record(new Map([['host.cpu', 20]]));
    const week = store.query('host.cpu', clock.now() - 7 * 24 * HOUR, clock.now());
    const firstHour = week.filter((p) => p.t < START + HOUR);
    expect(firstHour.map((p) => p.t)).toEqual([0, 1, 2, 3].map((q) => START + q * 900_000));
    expect(firstHour.map((p) => p.max)).toEqual([20, 20, 80, 20]);
    expect(firstHour[0]?.v).toBeCloseTo(20, 5);
    store.close();
  });

  it('drops rows past each tier’s retention and forgets series with none left', () => {
    const clock = new ManualClock(START);
    const { store } = makeStore(clock);
    feed(clock, store, 60, () => 1);
    store.record(new Map([['host.mem', 50]]));
    expect(rows('t0')).toBe(61);
    clock.advance(3 * HOUR);
    store.record(new Map([['host.mem', 50]]));
    expect(rows('t0')).toBe(1); // only the newest host.mem sample
    clock.advance(32 * 24 * HOUR);
    store.record(new Map([['host.mem', 50]]));
    expect(store.keys('host.')).toEqual(['host.mem']);
    expect(rows('t2')).toBe(0);
    store.close();
  });

  it('refuses new series beyond maxSeries', () => {
    const clock = new ManualClock(START);
    const { store } = makeStore(clock, { maxSeries: 2 });
    store.record(
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
    );
    expect(store.keys('')).toEqual(['a', 'b']);
    store.close();
  });
});

describe('HistoryStore persistence', () => {
  it('reopens existing history after a restart and resumes the roll-ups', () => {
    const clock = new ManualClock(START);
    const first = makeStore(clock).store;
    feed(clock, first, 90, (i) => i); // 15 minutes
    first.close();

    const second = makeStore(clock).store;
    expect(second.latest('host.cpu')).toEqual({ t: START + 89 * 10_000, v: 89 });
    feed(clock, second, 90, (i) => 90 + i);
    expect(second.query('host.cpu', START, clock.now())).toHaveLength(180);
    clock.advance(3 * HOUR);
    second.record(new Map([['host.cpu', 0]]));
    const minutes = second.query('host.cpu', START, START + 30 * 60_000 - 1);
    expect(minutes).toHaveLength(30);
    expect(minutes[29]?.max).toBe(179);
    second.close();
  });

  it('moves a file that is not a database aside and starts afresh', () => {
    writeFileSync(join(dir, 'history.db'), 'not sqlite at all '.repeat(400));
    const clock = new ManualClock(START);
    const { store, warnings } = makeStore(clock);
    expect(store.status().persistent).toBe(true);
    expect(warnings.join('\n')).toMatch(
      /history file was corrupt; moved to .*history\.db\.corrupt-/,
    );
    expect(readdirSync(dir).some((f) => f.startsWith('history.db.corrupt-'))).toBe(true);
    store.record(new Map([['host.cpu', 5]]));
    expect(store.latest('host.cpu')?.v).toBe(5);
    store.close();
  });

  it('recovers from a truncated file', () => {
    const clock = new ManualClock(START);
    const first = makeStore(clock).store;
    for (let i = 0; i < 200; i++) {
      first.record(new Map(Array.from({ length: 40 }, (_, k) => [`s${k}`, i + k] as const)));
      clock.advance(10_000);
    }
    first.close();
    const file = join(dir, 'history.db');
    truncateSync(file, Math.floor(statSync(file).size / 2));

    const { store, warnings } = makeStore(clock);
    expect(warnings.join('\n')).toMatch(/corrupt/);
    expect(store.status().warning).toMatch(/corrupt/);
    store.record(new Map([['host.cpu', 7]]));
    expect(store.query('host.cpu', START, clock.now()).map((p) => p.v)).toEqual([7]);
    store.close();
  });

  it('keeps history in memory with a warning when the file cannot be created', () => {
    const clock = new ManualClock(START);
    writeFileSync(join(dir, 'blocker'), 'a file where a directory should be');
    const { store, warnings } = makeStore(clock, { path: join(dir, 'blocker', 'history.db') });
    expect(store.status().persistent).toBe(false);
    expect(warnings.join('\n')).toMatch(/keeping history in memory until restart/);
    store.record(new Map([['host.cpu', 3]]));
    expect(store.latest('host.cpu')?.v).toBe(3);
    store.close();
  });

  it('drops samples with a warning when the size cap is reached, and keeps answering', () => {
    const clock = new ManualClock(START);
    const { store, warnings } = makeStore(clock, { maxBytes: 64 * 1024, maxSeries: 1000 });
    for (let i = 0; i < 200; i++) {
      store.record(new Map(Array.from({ length: 200 }, (_, k) => [`series.${k}`, i] as const)));
      clock.advance(10_000);
    }
    expect(store.status().warning).toMatch(/history storage is full/);
    // One line per 10 minutes at most over the 2 000 s run.
    expect(warnings.filter((w) => /storage is full/.test(w)).length).toBeLessThanOrEqual(4);
    // Room is made by dropping the oldest rows: the newest sample still lands.
    store.record(new Map([['series.0', 1234]]));
    expect(store.latest('series.0')?.v).toBe(1234);
    const recent = store.query('series.0', clock.now() - 60_000, clock.now());
    expect(recent.map((p) => p.v)).toContain(1234);
    expect(statSync(join(dir, 'history.db')).size).toBeLessThanOrEqual(64 * 1024);
    expect(existsSync(join(dir, 'history.db'))).toBe(true);
    store.close();
  });
});
