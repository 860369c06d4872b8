import { statSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import { SQLITE_FULL, isCorruption, openHistoryDb, sqliteCode } from './db';
import { MINUTE_STEP_S, QUARTER_STEP_S, type Tier, tiersFor } from './tiers';

/** One chart point: `v` is the value (average over the row's step), `max` the highest sample in it. */
export interface HistoryPoint {
  /** ms since the epoch. */
  readonly t: number;
  readonly v: number;
  readonly max: number;
}

export interface HistoryStoreOptions {
  /** Database file; undefined keeps history in memory (tests, or `history.persist: false`). */
  readonly path: string | undefined;
  /** Seconds between samples (the raw tier's step). */
  readonly intervalS: number;
  /** Hard cap of the database file (SQLite `max_page_count`). */
  readonly maxBytes: number;
  /** New series beyond this many are dropped (bounds memory and disk with many containers). */
  readonly maxSeries: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Whether history is being kept, and the problem to show the operator if not as configured. */
export interface HistoryStatus {
  readonly persistent: boolean;
  readonly warning: string | undefined;
}

/** Keep at most one warning line per this many ms for repeated write failures. */
const WARN_EVERY_MS = 10 * 60_000;
/** How often retention runs (ms): rows live up to this much past their tier's retention. */
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The embedded history: raw samples, minute and quarter-hour roll-ups in one
 * SQLite file (node:sqlite). Roll-ups are computed in SQL from the finer tier
 * with a persisted watermark, so a restart resumes exactly where it stopped.
 * Every public method catches storage errors: a full disk drops writes with a
 * warning, a corrupt file is moved aside and replaced; the bot keeps working.
 */
export class HistoryStore {
  readonly tiers: readonly [Tier, Tier, Tier];
  private db!: DatabaseSync;
  private persistent = false;
  private warning: string | undefined;
  private lastWarnAt = -Infinity;
  private lastPruneAt = -Infinity;
  private readonly ids = new Map<string, number>();
  private readonly latestValues = new Map<string, { t: number; v: number }>();
  private stmts!: ReturnType<typeof statements>;

  constructor(private readonly options: HistoryStoreOptions) {
    this.tiers = tiersFor(options.intervalS);
  }

  /** Opens the file (recovering from corruption); call once before use. */
  open(): void {
    const opened = openHistoryDb(
      this.options.path,
      this.options.maxBytes,
      this.options.clock.now(),
    );
    this.db = opened.db;
    this.persistent = opened.persistent;
    this.warning = opened.warning;
    if (opened.warning !== undefined) this.options.log.warn(opened.warning);
    this.stmts = statements(this.db);
    this.ids.clear();
    for (const row of this.stmts.allSeries.all() as { id: number; key: string }[]) {
      this.ids.set(row.key, row.id);
    }
  }

  status(): HistoryStatus {
    return { persistent: this.persistent, warning: this.warning };
  }

  /** Stores one sample of every series at the clock's now; rolls up and prunes when due. */
  record(values: ReadonlyMap<string, number>): void {
    const now = this.options.clock.now();
    const ts = Math.floor(now / 1000);
    this.guard('write', () => {
      this.db.exec('BEGIN');
      try {
        for (const [key, value] of values) {
          if (!Number.isFinite(value)) continue;
          const id = this.seriesId(key, ts);
          if (id === undefined) continue;
          this.stmts.insertRaw.run(id, ts, value);
          this.latestValues.set(key, { t: ts * 1000, v: value });
        }
        this.db.exec('COMMIT');
      } catch (err) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
      this.rollUp(ts);
      if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
        this.lastPruneAt = now;
        this.prune(ts);
      }
    });
  }

  /** The newest sample of a series, from memory (this run) or the raw tier. */
  latest(key: string): { t: number; v: number } | undefined {
    const cached = this.latestValues.get(key);
    if (cached !== undefined) return cached;
    const id = this.ids.get(key);
    if (id === undefined) return undefined;
    const row = this.guard('read', () => this.stmts.latest.get(id)) as
      { ts: number; v: number } | undefined;
    return row === undefined ? undefined : { t: row.ts * 1000, v: row.v };
  }

  /** Series keys starting with `prefix`, sorted. */
  keys(prefix: string): string[] {
    return [...this.ids.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /**
   * Points of `key` in [fromMs, toMs] from the finest tier that still covers
   * `fromMs`; the tail not yet rolled up comes from the finer tiers.
   */
  query(key: string, fromMs: number, toMs: number): HistoryPoint[] {
    const id = this.ids.get(key);
    if (id === undefined) return [];
    const nowS = Math.floor(this.options.clock.now() / 1000);
    const fromS = Math.floor(fromMs / 1000);
    const toS = Math.floor(toMs / 1000);
    let index = this.tiers.findIndex((t) => nowS - t.retainS <= fromS);
    if (index === -1) index = this.tiers.length - 1;
    return this.guard('read', () => this.queryTier(id, index, fromS, toS)) ?? [];
  }

  /** Bytes on disk (database + WAL); 0 in memory. */
  sizeBytes(): number {
    const path = this.options.path;
    if (!this.persistent || path === undefined) return 0;
    let total = 0;
    for (const file of [path, `${path}-wal`]) {
      try {
        total += statSync(file).size;
      } catch {
        // A missing WAL counts as empty.
      }
    }
    return total;
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      // Already closed.
    }
  }

  private queryTier(id: number, index: number, fromS: number, toS: number): HistoryPoint[] {
    if (index === 0) {
      const rows = this.stmts.rawRange.all(id, fromS, toS) as { ts: number; v: number }[];
      return rows.map((r) => ({ t: r.ts * 1000, v: r.v, max: r.v }));
    }
    const tier = this.tiers[index] as Tier & { table: Rolled };
    const rolled = this.watermark(tier);
    const upper = Math.min(toS, rolled - 1);
    const rows = (upper >= fromS ? this.stmts.range[tier.table].all(id, fromS, upper) : []) as {
      ts: number;
      v: number;
      mx: number;
    }[];
    const head = rows.map((r) => ({ t: r.ts * 1000, v: r.v, max: r.mx }));
    if (toS < rolled) return head;
    return head.concat(this.queryTier(id, index - 1, Math.max(fromS, rolled), toS));
  }

  private seriesId(key: string, ts: number): number | undefined {
    const known = this.ids.get(key);
    if (known !== undefined) {
      return known;
    }
    if (this.ids.size >= this.options.maxSeries) return undefined;
    const row = this.stmts.insertSeries.get(key, ts) as { id: number };
    this.ids.set(key, row.id);
    return row.id;
  }

  /** Rolls complete buckets of each coarser tier up from the tier below it. */
  private rollUp(nowS: number): void {
    let ceiling = nowS;
    for (const tier of this.tiers.slice(1) as (Tier & { table: Rolled })[]) {
      const end = Math.floor(ceiling / tier.stepS) * tier.stepS;
      const start = Math.max(this.watermark(tier), nowS - tier.retainS);
      if (end > start) {
        this.stmts.rollUp[tier.table].run(start, end);
        this.stmts.setMeta.run(`rolled_${tier.table}`, String(end));
      }
      ceiling = this.watermark(tier);
    }
  }

  /** First second not yet rolled into `tier`. */
  private watermark(tier: Tier): number {
    const row = this.stmts.getMeta.get(`rolled_${tier.table}`) as { value: string } | undefined;
    return row === undefined ? 0 : Number(row.value);
  }

  /** Drops rows past each tier's retention, and series with no rows left. */
  private prune(nowS: number): void {
    for (const id of this.ids.values()) {
      for (const tier of this.tiers) this.stmts.prune[tier.table].run(id, nowS - tier.retainS);
    }
    for (const row of this.stmts.emptySeries.all() as { id: number; key: string }[]) {
      this.stmts.deleteSeries.run(row.id);
      this.ids.delete(row.key);
      this.latestValues.delete(row.key);
    }
  }

  /** At the size cap: drops the oldest tenth of the coarsest tier that has rows, so new samples fit. */
  private makeRoom(): void {
    for (const tier of [...this.tiers].reverse()) {
      const span = this.stmts.span[tier.table].get() as { lo: number | null; hi: number | null };
      if (span.lo === null || span.hi === null) continue;
      this.stmts.dropBefore[tier.table].run(
        span.lo + Math.max(1, Math.ceil((span.hi - span.lo) / 10)),
      );
      return;
    }
  }

  /** Runs a storage operation; storage errors become a warning and an undefined result. */
  private guard<T>(what: string, op: () => T): T | undefined {
    try {
      return op();
    } catch (err) {
      this.onStorageError(what, err);
      return undefined;
    }
  }

  private onStorageError(what: string, err: unknown): void {
    const now = this.options.clock.now();
    if (isCorruption(err)) {
      this.options.log.warn('history file became corrupt; reopening', { error: err });
      this.close();
      this.open();
      return;
    }
    if (sqliteCode(err) === SQLITE_FULL) {
      this.warning = `history storage is full (limit ${this.options.maxBytes} bytes or disk full); new samples are dropped until space frees`;
      if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
        this.lastPruneAt = now;
        this.guard('prune', () => this.makeRoom());
      }
    } else {
      this.warning = `history ${what} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (now - this.lastWarnAt >= WARN_EVERY_MS) {
      this.lastWarnAt = now;
      this.options.log.warn(this.warning);
    }
  }
}

type Rolled = 't1' | 't2';

function statements(db: DatabaseSync) {
  const prune = (t: Tier['table']): StatementSync =>
    db.prepare(`DELETE FROM ${t} WHERE s = ? AND ts < ?`);
  const span = (t: Tier['table']): StatementSync =>
    db.prepare(`SELECT min(ts) AS lo, max(ts) AS hi FROM ${t}`);
  const dropBefore = (t: Tier['table']): StatementSync =>
    db.prepare(`DELETE FROM ${t} WHERE ts < ?`);
  const range = (t: Rolled): StatementSync =>
    db.prepare(`SELECT ts, v, mx FROM ${t} WHERE s = ? AND ts BETWEEN ? AND ? ORDER BY ts`);
  return {
    allSeries: db.prepare('SELECT id, key FROM series'),
    insertSeries: db.prepare(
      'INSERT INTO series(key, last_ts) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET last_ts = excluded.last_ts RETURNING id',
    ),
    deleteSeries: db.prepare('DELETE FROM series WHERE id = ?'),
    insertRaw: db.prepare('INSERT OR REPLACE INTO t0(s, ts, v) VALUES (?, ?, ?)'),
    latest: db.prepare('SELECT ts, v FROM t0 WHERE s = ? ORDER BY ts DESC LIMIT 1'),
    rawRange: db.prepare('SELECT ts, v FROM t0 WHERE s = ? AND ts BETWEEN ? AND ? ORDER BY ts'),
    range: { t1: range('t1'), t2: range('t2') } satisfies Record<Rolled, StatementSync>,
    rollUp: {
      t1: db.prepare(
        `INSERT OR REPLACE INTO t1(s, ts, v, mx) SELECT s, (ts / ${MINUTE_STEP_S}) * ${MINUTE_STEP_S}, avg(v), max(v) FROM t0 WHERE ts >= ? AND ts < ? GROUP BY s, ts / ${MINUTE_STEP_S}`,
      ),
      t2: db.prepare(
        `INSERT OR REPLACE INTO t2(s, ts, v, mx) SELECT s, (ts / ${QUARTER_STEP_S}) * ${QUARTER_STEP_S}, avg(v), max(mx) FROM t1 WHERE ts >= ? AND ts < ? GROUP BY s, ts / ${QUARTER_STEP_S}`,
      ),
    } satisfies Record<Rolled, StatementSync>,
    prune: { t0: prune('t0'), t1: prune('t1'), t2: prune('t2') },
    emptySeries: db.prepare(
      `SELECT id, key FROM series WHERE ${(['t0', 't1', 't2'] as const).map((t) => `NOT EXISTS (SELECT 1 FROM ${t} WHERE s = series.id)`).join(' AND ')}`,
    ),
    span: { t0: span('t0'), t1: span('t1'), t2: span('t2') },
    dropBefore: { t0: dropBefore('t0'), t1: dropBefore('t1'), t2: dropBefore('t2') },
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)'),
  };
}
