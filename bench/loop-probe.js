'use strict';
/**
 * Preloaded into a benchmark's daemon (`NODE_OPTIONS=--require …/loop-probe.js`): measures the
 * daemon's event loop over windows the benchmark chooses, with the same probe as the daemon's own
 * (perf_hooks, 2 ms; main-thread CPU time between ticks). Each time the file named by
 * BENCH_LOOP_MARK gets new content, the figures since the previous mark go to
 * `<file>.<content>.json` and measuring starts again, so start-up does not hide in a burst's figures.
 */
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { readFileSync, writeFileSync } = require('node:fs');

const RESOLUTION_MS = 2;
const POLL_MS = 100;
const markFile = process.env.BENCH_LOOP_MARK;

if (markFile) {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  let last = process.threadCpuUsage();
  let maxBusyMicros = 0;
  setInterval(() => {
    const now = process.threadCpuUsage();
    maxBusyMicros = Math.max(maxBusyMicros, now.user - last.user + (now.system - last.system));
    last = now;
  }, RESOLUTION_MS).unref();
  let seen = '';
  setInterval(() => {
    let mark;
    try {
      mark = readFileSync(markFile, 'utf8').trim();
    } catch {
      return;
    }
    if (mark === '' || mark === seen) return;
    seen = mark;
    const stall = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    writeFileSync(
      `${markFile}.${mark}.json`,
      JSON.stringify({
        loopMaxStallMs: stall(h.max),
        loopP99StallMs: stall(h.percentile(99)),
        loopMaxBusyMs: maxBusyMicros / 1000,
      }),
    );
    h.reset();
    maxBusyMicros = 0;
    last = process.threadCpuUsage();
  }, POLL_MS).unref();
}
