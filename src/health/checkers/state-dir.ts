import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CheckOutcome, HealthChecker } from '../types';

export interface StateDirCheckerOptions {
  dir: string;
  intervalMs: number;
  /** Less free space than this is unhealthy (state writes are about to fail). */
  minFreeBytes?: number;
  /** Less than this is degraded. */
  lowFreeBytes?: number;
}

const HINTS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not writable by this user',
  EPERM: 'is not writable by this user',
  EROFS: 'is on a read-only file system; mount a tmpfs or a volume there',
  ENOSPC: 'is full',
  EDQUOT: 'is over its quota',
};

function describe(dir: string, err: unknown): CheckOutcome {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const hint =
    HINTS[code] ?? `cannot be written (${/^[A-Z0-9_]{2,20}$/.test(code) ? code : 'error'})`;
  return {
    level: 'unhealthy',
    summary: `${dir} ${hint}; state is not saved (set TMBOT_STATE_DIR)`,
  };
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 * 1024
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

/** Writes, syncs and removes a probe file in the state dir, then checks the free space there. */
export function stateDirChecker(options: StateDirCheckerOptions): HealthChecker {
  const { dir } = options;
  const minFree = options.minFreeBytes ?? 256 * 1024;
  const lowFree = options.lowFreeBytes ?? 4 * 1024 * 1024;
  return {
    name: 'state',
    label: 'State dir',
    intervalMs: options.intervalMs,
    async check() {
      const probe = join(dir, `.health-probe-${randomBytes(4).toString('hex')}`);
      const started = performance.now();
      try {
        const handle = await fs.open(probe, 'wx', 0o600);
        try {
          await handle.writeFile('ok');
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (err) {
        return describe(dir, err);
      } finally {
        await fs.rm(probe, { force: true }).catch(() => undefined);
      }
      const latencyMs = Math.round(performance.now() - started);
      const st = await fs.statfs(dir);
      const free = st.bavail * st.bsize;
      if (free < minFree)
        return { level: 'unhealthy', summary: `only ${mib(free)} free in ${dir}`, latencyMs };
      if (free < lowFree)
        return { level: 'degraded', summary: `${mib(free)} free in ${dir}`, latencyMs };
      return { level: 'healthy', summary: `writable, ${mib(free)} free`, latencyMs };
    },
  };
}
