/**
 * `npm run bench`: runs every benchmark in its own process, one after another
 * (they measure latency; running them together would measure each other).
 * Each writes its section of docs/performance.md. BENCH_ONLY=name runs one.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const SKIP = new Set(['run.ts', 'support.ts']);
const only = process.env.BENCH_ONLY;
const files = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !SKIP.has(f))
  .filter((f) => only === undefined || f === `${only}.ts`)
  .sort();
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n=== bench/${f} ===\n`);
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, f)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
