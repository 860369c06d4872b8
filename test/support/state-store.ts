import { rmSync } from 'node:fs';
import { systemClock, type Clock } from '../../src/clock';
import { type Logger } from '../../src/log/logger';
import { silentLogger } from './silent-logger';
import { JsonStateStore } from '../../src/state/json-store';

/** Stores opened by {@link openStateStore} whose background writes are not yet awaited. */
const opened = new Set<JsonStateStore>();

/** A file-backed state store in `dir`, opened as the daemon opens its own. */
export async function openStateStore(
  dir: string,
  log: Logger = silentLogger,
  clock: Clock = systemClock,
): Promise<JsonStateStore> {
  const store = new JsonStateStore(dir, log, clock);
  await store.open();
  opened.add(store);
  return store;
}

/**
 * Waits for the writes of every store opened so far, then removes `dir`. Code under test saves
 * in the background (fire and forget): a removal racing a save fails with ENOTEMPTY when a temp
 * file appears between the listing and the rmdir, or leaves the save writing into nothing.
 */
export async function removeStateDir(dir: string): Promise<void> {
  const stores = [...opened];
  opened.clear();
  for (const store of stores) await store.flush();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}
