import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stateDirChecker } from '../../../../src/health/checkers/state-dir';

const signal = new AbortController().signal;

describe('state dir checker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-state-check-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes and removes a probe file and reports free space', async () => {
    const out = await stateDirChecker({ dir, intervalMs: 1000 }).check(signal);
    expect(out.level).toBe('healthy');
    expect(out.summary).toMatch(/^writable, [\d.]+ (MiB|GiB) free$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is unhealthy when the directory is missing or not a directory', async () => {
    const missing = await stateDirChecker({ dir: join(dir, 'nope'), intervalMs: 1000 }).check(
      signal,
    );
    expect(missing).toEqual({
      level: 'unhealthy',
      summary: `${join(dir, 'nope')} does not exist; state is not saved (set TMBOT_STATE_DIR)`,
    });
    writeFileSync(join(dir, 'file'), '');
    const notDir = await stateDirChecker({ dir: join(dir, 'file'), intervalMs: 1000 }).check(
      signal,
    );
    expect(notDir.summary).toMatch(/cannot be written \(ENOTDIR\)/);
  });

  it('is degraded or unhealthy when space runs low', async () => {
    const lots = Number.MAX_SAFE_INTEGER;
    expect(
      (
        await stateDirChecker({
          dir,
          intervalMs: 1000,
          minFreeBytes: lots,
          lowFreeBytes: lots,
        }).check(signal)
      ).level,
    ).toBe('unhealthy');
    expect(
      (
        await stateDirChecker({ dir, intervalMs: 1000, minFreeBytes: 0, lowFreeBytes: lots }).check(
          signal,
        )
      ).level,
    ).toBe('degraded');
  });
});
