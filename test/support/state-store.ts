import { systemClock, type Clock } from '../../src/clock';
import { type Logger } from '../../src/log/logger';
import { silentLogger } from './silent-logger';
import { JsonStateStore } from '../../src/state/json-store';

/** A file-backed state store in `dir`, opened as the daemon opens its own. */
export async function openStateStore(
  dir: string,
  log: Logger = silentLogger,
  clock: Clock = systemClock,
): Promise<JsonStateStore> {
  const store = new JsonStateStore(dir, log, clock);
  await store.open();
  return store;
}
