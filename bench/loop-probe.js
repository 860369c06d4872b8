'use strict';
/**
 * Preloaded into a benchmark's daemon (`NODE_OPTIONS=--require …/loop-probe.js`): measures the
 * daemon's event loop over windows the benchmark chooses with the daemon's own probe
 * (dist/adapters/system/loop-delay.js: perf_hooks at 2 ms for the wall clock, and the same gaps
 * less the main thread's run-queue wait). Each time the file named by BENCH_LOOP_MARK gets new
 * content, the figures since the previous mark go to `<file>.<content>.json` and a fresh probe
 * starts, so start-up does not hide in a burst's figures.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { LoopDelayProbe } = require(
  join(__dirname, '..', 'dist', 'adapters', 'system', 'loop-delay.js'),
);
const { systemClock } = require(join(__dirname, '..', 'dist', 'clock.js'));

const POLL_MS = 100;
const markFile = process.env.BENCH_LOOP_MARK;

if (markFile) {
  let probe = new LoopDelayProbe(systemClock);
  probe.start();
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
    const s = probe.summary();
    probe.stop();
    writeFileSync(
      `${markFile}.${mark}.json`,
      JSON.stringify({
        loopMaxStallMs: s?.maxStallMs ?? NaN,
        loopP99StallMs: s?.p99StallMs ?? NaN,
        loopMaxBusyMs: s?.maxBusyMs,
        loopBusyOver20: s?.longBusy,
      }),
    );
    probe = new LoopDelayProbe(systemClock);
    probe.start();
  }, POLL_MS).unref();
}
