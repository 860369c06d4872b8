/** A scheduled callback; `cancel()` is idempotent. Timers never keep the process alive. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as a port: wall-clock reads, sleeps, timers and intervals. Every timer in `src/`
 * goes through a Clock so tests can move time by hand ({@link ManualClock}).
 */
export interface Clock {
  /** Wall-clock time in milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Calls `fn` every `ms` until cancelled. */
  setInterval(fn: () => void, ms: number): Timer;
}

/** The real clock: `Date.now()` and unref'd Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};

interface Pending {
  at: number;
  seq: number;
  every: number | undefined;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock tests move by hand. `advance(ms)` fires every timer due within the step in time
 * order (intervals repeat); `advanceAsync(ms)` also lets promise callbacks run between them.
 */
export class ManualClock implements Clock {
  private readonly pending: Pending[] = [];
  private seq = 0;

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const timer = this.setTimeout(done, ms);
      function done(): void {
        timer.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  /** How many timers are waiting (cancelled ones excluded). */
  get timerCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers synchronously in order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (let next = this.nextDue(end); next !== undefined; next = this.nextDue(end)) {
      this.current = Math.max(this.current, next.at);
      this.fire(next);
    }
    this.current = end;
  }

  /** Like {@link advance}, yielding to pending promise callbacks before and after each timer. */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.current + ms;
    await flushMicrotasks();
    for (let next = this.nextDue(end); next !== undefined; next = this.nextDue(end)) {
      this.current = Math.max(this.current, next.at);
      this.fire(next);
      await flushMicrotasks();
    }
    this.current = end;
    await flushMicrotasks();
  }

  private schedule(fn: () => void, ms: number, every: number | undefined): Timer {
    const entry: Pending = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      every,
      fn,
      cancelled: false,
    };
    this.pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  private nextDue(end: number): Pending | undefined {
    let best: Pending | undefined;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const p = this.pending[i];
      if (p === undefined) continue;
      if (p.cancelled) {
        this.pending.splice(i, 1);
        continue;
      }
      if (p.at > end) continue;
      if (best === undefined || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    return best;
  }

  private fire(p: Pending): void {
    if (p.every === undefined) {
      p.cancelled = true;
    } else {
      p.at += p.every;
      p.seq = this.seq++;
    }
    p.fn();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves after `ms` of real time, or at once when `signal` aborts; a sleep keeps the process alive. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `p`'s value, or undefined when it takes longer than `ms` on `clock` (rejections pass through). */
export function withTimeout<T>(clock: Clock, p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        timer.cancel();
        resolve(v);
      },
      (err: unknown) => {
        timer.cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * `new Date(ms).toISOString()`, from the UTC fields. A process's first toISOString makes V8
 * set up its local-time-zone cache, which pages in ICU's time-zone data: about 1 MiB of idle
 * memory for a daemon that only ever writes UTC (docs/performance.md). Throws a RangeError
 * for a time a Date cannot hold, as toISOString does.
 */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (Number.isNaN(y)) throw new RangeError('Invalid time value');
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : `${y < 0 ? '-' : '+'}${pad(Math.abs(y), 6)}`;
  const date = `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return `${date}T${time}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}
