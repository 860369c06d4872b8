import type { Clock } from '../../clock';
import { SystemReadTimeoutError } from '../../errors';

/**
 * Bounds how long a caller waits for a host read that can hang (a stuck network mount's
 * statfs, a hwmon driver that talks to hardware, `who`), as pyTMBot's 2 s/3 s psutil guards
 * did. The read itself cannot be cancelled, so while one is still running the next caller
 * waits on it instead of starting another: a hung mount ties up one libuv thread, not all.
 */
export class ReadGuard {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly clock: Clock) {}

  /** `read()` (or the one still running under `key`); rejects with SystemReadTimeoutError after `ms`. */
  run<T>(key: string, what: string, ms: number, read: () => Promise<T>): Promise<T> {
    let pending = this.running.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      const started = new Promise<T>((resolve) => resolve(read()));
      const done = (): void => {
        if (this.running.get(key) === started) this.running.delete(key);
      };
      started.then(done, done);
      this.running.set(key, started);
      pending = started;
    }
    const current = pending;
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new SystemReadTimeoutError(what, ms)), ms);
      current.then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (err: unknown) => {
          timer.cancel();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}
