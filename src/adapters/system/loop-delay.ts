import { closeSync, openSync, readSync } from 'node:fs';
import { performance, monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock, Timer } from '../../clock';

/** Timer period of the probe; a stall is what a tick arrives later than this. */
const RESOLUTION_MS = 2;
/** A stall of the process's own over this is counted as long (the alerts burst target). */
const LONG_MS = 20;
/** The calling thread's scheduler counters: time on a CPU, time waiting in the run queue (ns). */
const SCHEDSTAT = '/proc/thread-self/schedstat';

export interface LoopDelaySummary {
  /** Worst stall: the longest tick minus the timer period, in ms (wall clock). */
  readonly maxStallMs: number;
  /** 99th percentile tick length minus the timer period, in ms. */
  readonly p99StallMs: number;
  /**
   * The longest stall this process caused itself, in ms: the wall time between two ticks minus
   * the timer period, minus the time the main thread waited in the kernel's run queue for a CPU.
   * Unlike the wall-clock figure it does not grow when a shared machine preempts the process;
   * it still counts synchronous I/O and waiting on the garbage collector's helper threads, which
   * hold the loop as surely as work does. Undefined where /proc has no schedstat.
   */
  readonly maxBusyMs: number | undefined;
  /** How many of those own stalls were over 20 ms; undefined like {@link maxBusyMs}. */
  readonly longBusy: number | undefined;
  readonly ticks: number;
}

/** A reading of a thread's clocks, in ms: wall (monotonic) and run-queue wait so far. */
export interface ThreadTime {
  wall: number;
  waited: number;
}

/**
 * The wall clock and the run-queue wait of the thread that opened it, read together: a
 * preemption between the two reads would charge its wait to one gap and its wall time to the
 * next, so such a pair is read again. Exact where CPU-time clocks are not (thread CPU time on a
 * tick-accounted kernel moves in 4 ms steps and catches up in jumps larger than the wall time
 * that passed). The schedstat file stays open: a read at offset 0 costs ~3 µs, a fresh open ~20.
 */
export class ThreadClock {
  private readonly buf = Buffer.alloc(96);

  private constructor(private readonly fd: number) {}

  /** A clock for the calling thread; undefined where /proc has no schedstat. */
  static open(): ThreadClock | undefined {
    let clock: ThreadClock | undefined;
    try {
      clock = new ThreadClock(openSync(SCHEDSTAT, 'r'));
      if (clock.read() !== undefined) return clock;
    } catch {
      // No /proc (or no schedstat in it): only the wall clock is measured.
    }
    clock?.close();
    return undefined;
  }

  read(): ThreadTime | undefined {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = this.waitNs();
      const wall = performance.now();
      const after = this.waitNs();
      if (before === after && Number.isFinite(after)) return { wall, waited: after / 1e6 };
    }
    return undefined;
  }

  close(): void {
    closeSync(this.fd);
  }

  private waitNs(): number {
    const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    return Number(this.buf.toString('latin1', 0, n).split(' ')[1]);
  }
}

/** Time `from` → `to` that the thread was not waiting for a CPU, in ms. */
export function ownTime(from: ThreadTime, to: ThreadTime): number {
  return to.wall - from.wall - (to.waited - from.waited);
}

/**
 * Measures how long the event loop was held: perf_hooks' monitorEventLoopDelay for the wall
 * clock, plus the same gaps with the main thread's run-queue wait taken out. The histogram is
 * never reset while running: a reset drops the tick in progress, which would hide the very
 * stall being measured.
 */
export class LoopDelayProbe {
  private histogram: IntervalHistogram | undefined;
  private timer: Timer | undefined;
  private maxBusyMs: number | undefined;
  private longBusy = 0;
  private threadClock: ThreadClock | undefined;

  constructor(private readonly clock: Clock) {}

  start(): void {
    this.histogram ??= monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    if (this.timer !== undefined) return;
    const threadClock = ThreadClock.open();
    let last = threadClock?.read();
    if (threadClock === undefined || last === undefined) return;
    this.threadClock = threadClock;
    this.maxBusyMs = 0;
    this.timer = this.clock.setInterval(() => {
      const now = threadClock.read();
      if (now === undefined || last === undefined) return;
      const busy = ownTime(last, now) - RESOLUTION_MS;
      this.maxBusyMs = Math.max(this.maxBusyMs ?? 0, busy);
      if (busy > LONG_MS) this.longBusy++;
      last = now;
    }, RESOLUTION_MS);
  }

  summary(): LoopDelaySummary | undefined {
    const h = this.histogram;
    if (h === undefined || h.count === 0) return undefined;
    const stall = (ns: number): number =>
      Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
    return {
      maxStallMs: stall(h.max),
      p99StallMs: stall(h.percentile(99)),
      maxBusyMs: this.maxBusyMs === undefined ? undefined : Math.round(this.maxBusyMs * 10) / 10,
      longBusy: this.maxBusyMs === undefined ? undefined : this.longBusy,
      ticks: h.count,
    };
  }

  stop(): void {
    this.histogram?.disable();
    this.timer?.cancel();
    this.timer = undefined;
    this.threadClock?.close();
    this.threadClock = undefined;
  }
}
