import { chmodSync, closeSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** SQLite result codes the store reacts to (https://sqlite.org/rescode.html). */
export const SQLITE_CORRUPT = 11;
export const SQLITE_FULL = 13;
export const SQLITE_NOTADB = 26;

const PAGE_SIZE = 4096;
/** Page cache, in KiB (negative = KiB for SQLite): bounds the store's memory. */
const CACHE_KIB = 4096;
const SCHEMA_VERSION = '1';
/** The write-ahead log is truncated back to this size after a checkpoint. */
const WAL_LIMIT_BYTES = 4 * 1024 * 1024;

/** The SQLite result code of a node:sqlite error, if it is one. */
export function sqliteCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { errcode?: unknown }).errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

export function isCorruption(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === SQLITE_CORRUPT || code === SQLITE_NOTADB;
}

/** How the database was opened, for the warning shown to the operator. */
export interface OpenedDb {
  readonly db: DatabaseSync;
  readonly persistent: boolean;
  /** Set when the file could not be used as it was (moved aside, or memory only). */
  readonly warning: string | undefined;
}

/**
 * Opens (or creates) the history database at `path`, capped at `maxBytes` on
 * disk. A corrupt file is moved aside (`.corrupt-<ms>`) and a fresh one made; if
 * the file cannot be used at all (read-only or full disk), the history lives in
 * memory until restart. Never throws.
 */
export function openHistoryDb(path: string | undefined, maxBytes: number, now: number): OpenedDb {
  if (path === undefined)
    return { db: prepare(':memory:', maxBytes), persistent: false, warning: undefined };
  try {
    return { db: openChecked(path, maxBytes), persistent: true, warning: undefined };
  } catch (err) {
    if (isCorruption(err)) {
      const aside = `${path}.corrupt-${now}`;
      try {
        renameSync(path, aside);
        return {
          db: openChecked(path, maxBytes),
          persistent: true,
          warning: `history file was corrupt; moved to ${aside} and started afresh`,
        };
      } catch (again) {
        return memoryFallback(maxBytes, again);
      }
    }
    return memoryFallback(maxBytes, err);
  }
}

function memoryFallback(maxBytes: number, err: unknown): OpenedDb {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    db: prepare(':memory:', maxBytes),
    persistent: false,
    warning: `history file unusable (${reason}); keeping history in memory until restart`,
  };
}

function openChecked(path: string, maxBytes: number): DatabaseSync {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // State files are 0600; SQLite gives its -wal and -shm files the database file's mode.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = prepare(path, maxBytes);
  try {
    const row = db.prepare('PRAGMA quick_check').get() as { quick_check?: unknown } | undefined;
    if (row?.quick_check !== 'ok') {
      throw Object.assign(new Error(`quick_check: ${String(row?.quick_check)}`), {
        errcode: SQLITE_CORRUPT,
      });
    }
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function prepare(location: string, maxBytes: number): DatabaseSync {
  const db = new DatabaseSync(location);
  try {
    db.exec(`PRAGMA page_size=${PAGE_SIZE}`);
    db.exec('PRAGMA journal_mode=WAL');
    db.exec('PRAGMA synchronous=NORMAL');
    db.exec(`PRAGMA journal_size_limit=${WAL_LIMIT_BYTES}`);
    db.exec(`PRAGMA cache_size=-${CACHE_KIB}`);
    db.exec(`PRAGMA max_page_count=${Math.max(16, Math.floor(maxBytes / PAGE_SIZE))}`);
    if (location === ':memory:') migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, last_ts INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS t0 (s INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL, PRIMARY KEY (s, ts)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS t1 (s INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL, mx REAL NOT NULL, PRIMARY KEY (s, ts)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS t2 (s INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL NOT NULL, mx REAL NOT NULL, PRIMARY KEY (s, ts)) WITHOUT ROWID;
  `);
  db.prepare('INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
}
