import type { Clock } from '../../clock';

interface Entry {
  readonly at: number;
  readonly value: Promise<unknown>;
}

/**
 * Remembers each metric for its own time-to-live. Callers arriving while a
 * load is running share it, so ten users pressing "Network" cause one read.
 * A failed load is forgotten at once, so the next request tries again.
 */
export class TtlCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.at < ttlMs && now >= hit.at) return hit.value as Promise<T>;
    // A loader that throws synchronously still yields a rejected promise, never a throw.
    const value = new Promise<T>((resolve) => resolve(load()));
    const entry: Entry = { at: now, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
