import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Clock, Timer } from '../clock';

/**
 * The worker's code, plain CommonJS so it runs the same from `dist/` and under ts-jest.
 * Before each test it writes (batch, line, pattern, a counter) into shared memory, so
 * the main thread can tell a stuck match from a slow batch and name the culprit.
 * It first tells its OS thread id: a test counts as stuck after it used `timeoutMs` of CPU,
 * so a thread the OS merely did not run (a loaded host) is never cut off.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const patterns = workerData.patterns.map((p) => new RegExp(p.source, p.flags));
const progress = new Int32Array(workerData.progress);
// The OS thread id, so the main thread can read this thread's CPU time (Linux).
let tid = 0;
try { tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()) || 0; } catch {}
parentPort.postMessage({ tid });
parentPort.on('message', (m) => {
  const hits = [];
  Atomics.store(progress, 0, m.batch);
  for (let i = 0; i < m.lines.length; i++) {
    const mask = m.masks[i];
    const line = m.lines[i];
    for (let p = 0; p < patterns.length; p++) {
      if ((mask & (1 << p)) === 0) continue;
      Atomics.store(progress, 1, i);
      Atomics.store(progress, 2, p);
      Atomics.add(progress, 3, 1);
      if (patterns[p].test(line)) hits.push(i, p);
    }
  }
  Atomics.add(progress, 3, 1);
  parentPort.postMessage({ batch: m.batch, hits });
});
`;

/** Most patterns one matcher holds (a line's patterns travel as a 32-bit mask). */
export const MAX_PATTERNS = 31;
/** Lines sent to the worker in one message. */
const BATCH_LINES = 2000;

export interface MatcherOptions<T> {
  readonly patterns: readonly { readonly source: string; readonly flags: string }[];
  readonly clock: Clock;
  /** A single test running longer than this (checked every `timeoutMs`) is cut off. */
  readonly timeoutMs: number;
  /** Lines waiting at most; more are dropped and counted (memory stays bounded). */
  readonly maxQueue: number;
  onMatch(tag: T, line: string, pattern: number): void;
  /** A test of `pattern` on `line` was cut off: the worker was replaced and the line skipped. */
  onTimeout(tag: T, line: string, pattern: number): void;
}

interface Item<T> {
  readonly tag: T;
  readonly line: string;
  readonly mask: number;
}

/** Counters for the status screen and the benchmark. */
export interface MatcherStats {
  matched: number;
  lines: number;
  dropped: number;
  timeouts: number;
  workers: number;
}

/**
 * Regular expressions matched off the event loop: lines queue here and go to one
 * worker thread in batches. A test that runs longer than the time bound (a pattern
 * that backtracks catastrophically on a crafted line) ends the worker; the line is
 * reported and skipped and the rest of the batch goes to a fresh worker. The event
 * loop never runs a configured pattern, so no log line can stall it.
 */
export class LogMatcher<T> {
  private worker: Worker | undefined;
  private readonly shared = new SharedArrayBuffer(16);
  private readonly progress = new Int32Array(this.shared);
  private queue: Item<T>[] = [];
  private inFlight: Item<T>[] | undefined;
  private batch = 0;
  private watchdog: Timer | undefined;
  private lastTick = -1;
  /** The worker's CPU time (ms) when the counter last moved; undefined where it cannot be read. */
  private cpuAtTick: number | undefined;
  private tid = 0;
  private closed = false;
  private waiting: (() => void)[] = [];
  readonly stats: MatcherStats = { matched: 0, lines: 0, dropped: 0, timeouts: 0, workers: 0 };

  constructor(private readonly options: MatcherOptions<T>) {
    if (options.patterns.length > MAX_PATTERNS)
      throw new Error(`at most ${MAX_PATTERNS} log patterns`);
  }

  /** Queues `line` for the patterns whose bits are set in `mask`. */
  push(tag: T, line: string, mask: number): void {
    if (this.closed || mask === 0) return;
    if (this.queue.length >= this.options.maxQueue) {
      this.stats.dropped++;
      return;
    }
    this.queue.push({ tag, line, mask });
    this.pump();
  }

  /**
   * Undefined while the queue is under half full; otherwise a promise that settles when it
   * is again (or the matcher closes), for the log streams to pause on.
   */
  room(): Promise<void> | undefined {
    if (this.closed || this.queue.length < this.options.maxQueue / 2) return undefined;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Lines waiting or being matched. */
  get pending(): number {
    return this.queue.length + (this.inFlight?.length ?? 0);
  }

  /** Ends the worker; queued lines are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    this.release();
    this.inFlight = undefined;
    this.watchdog?.cancel();
    this.watchdog = undefined;
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) await w.terminate();
  }

  private spawn(): Worker {
    this.tid = 0;
    const w = new Worker(SOURCE, {
      eval: true,
      workerData: { patterns: this.options.patterns, progress: this.shared },
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    this.stats.workers++;
    w.unref();
    w.on('message', (m: { batch: number; hits: number[] } | { tid: number }) => {
      if ('tid' in m) {
        if (this.worker === w) this.tid = m.tid;
      } else this.answered(m);
    });
    // A crash (its heap cap, say) is handled like a stuck test: the line it was on is skipped.
    w.on('error', () => {
      if (this.worker === w) this.replace(this.position());
    });
    w.on('exit', () => {
      if (this.worker === w) this.replace(this.position());
    });
    return w;
  }

  private pump(): void {
    if (this.inFlight !== undefined || this.queue.length === 0 || this.closed) return;
    const items = this.queue.splice(0, BATCH_LINES);
    this.inFlight = items;
    this.batch = (this.batch + 1) & 0x7fffffff;
    this.worker ??= this.spawn();
    this.worker.postMessage({
      batch: this.batch,
      lines: items.map((x) => x.line),
      masks: items.map((x) => x.mask),
    });
    this.lastTick = -1;
    this.cpuAtTick = undefined;
    this.watchdog ??= this.options.clock.setInterval(() => this.check(), this.options.timeoutMs);
  }

  private answered(m: { batch: number; hits: number[] }): void {
    const items = this.inFlight;
    if (items === undefined || m.batch !== this.batch) return;
    this.inFlight = undefined;
    this.stats.lines += items.length;
    for (let i = 0; i + 1 < m.hits.length; i += 2) {
      const item = items[m.hits[i] ?? -1];
      if (item === undefined) continue;
      this.stats.matched++;
      this.options.onMatch(item.tag, item.line, m.hits[i + 1] ?? 0);
    }
    if (this.queue.length < this.options.maxQueue / 2) this.release();
    if (this.queue.length === 0) {
      this.watchdog?.cancel();
      this.watchdog = undefined;
    }
    this.pump();
  }

  private release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const resolve of w) resolve();
  }

  /** Runs every `timeoutMs` while a batch is out: no progress since the last look means stuck. */
  private check(): void {
    if (this.inFlight === undefined) return;
    // The worker has not started this batch yet (booting, or the message is on its way).
    if (Atomics.load(this.progress, 0) !== this.batch) return;
    const tick = Atomics.load(this.progress, 3);
    const cpu = threadCpuMs(this.tid);
    if (tick !== this.lastTick) {
      this.lastTick = tick;
      this.cpuAtTick = cpu;
      return;
    }
    // Not moved, but the OS did not give it a full slice of CPU yet: not stuck, only starved.
    if (
      cpu !== undefined &&
      this.cpuAtTick !== undefined &&
      cpu - this.cpuAtTick < this.options.timeoutMs
    )
      return;
    this.replace(this.position());
  }

  /** The line and pattern the worker is on, when it is on the batch out. */
  private position(): { line: number; pattern: number } | undefined {
    if (Atomics.load(this.progress, 0) !== this.batch) return undefined;
    return { line: Atomics.load(this.progress, 1), pattern: Atomics.load(this.progress, 2) };
  }

  /** Ends the current worker; the batch out is retried without the line that got stuck. */
  private replace(stuck: { line: number; pattern: number } | undefined): void {
    const old = this.worker;
    this.worker = undefined;
    if (old !== undefined) void old.terminate();
    const items = this.inFlight;
    this.inFlight = undefined;
    if (items !== undefined && !this.closed) {
      const at = stuck?.line ?? 0;
      const culprit = items[at];
      // Without a culprit (the worker crashed) the first line is skipped: a retry loop is impossible.
      const rest = items.slice(0, at).concat(items.slice(at + 1));
      this.queue = rest.concat(this.queue);
      if (culprit !== undefined) {
        this.stats.timeouts++;
        this.options.onTimeout(culprit.tag, culprit.line, stuck?.pattern ?? 0);
      }
    }
    this.pump();
  }
}

/** CPU time (ms) of thread `tid` of this process, from the scheduler; undefined when unknown. */
function threadCpuMs(tid: number): number | undefined {
  if (tid <= 0) return undefined;
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
