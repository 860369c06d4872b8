import { HostSystem } from '../../../../src/adapters/system/host-system';
import { systemClock } from '../../../../src/clock';
import { assessProcess, processChecker } from '../../../../src/health/checkers/process';
import { silentLogger } from '../../../support/silent-logger';

const MB = 1024 * 1024;
const signal = new AbortController().signal;

describe('bot process checker', () => {
  it('judges event-loop delay and RSS against the memory limit', () => {
    const base = {
      rssBytes: 80 * MB,
      heapUsedBytes: 30 * MB,
      loopDelayP99Ms: 5,
      memoryLimitBytes: 256 * MB,
    };
    expect(assessProcess(base)).toEqual({
      level: 'healthy',
      summary: 'RSS 80 MB of 256 MB limit, heap 30 MB, event-loop delay p99 5 ms',
    });
    expect(assessProcess({ ...base, loopDelayP99Ms: 300 }).level).toBe('degraded');
    expect(assessProcess({ ...base, loopDelayP99Ms: 2500 }).level).toBe('unhealthy');
    expect(assessProcess({ ...base, rssBytes: 210 * MB }).level).toBe('degraded');
    expect(assessProcess({ ...base, rssBytes: 250 * MB }).level).toBe('unhealthy');
    const noLimit = { ...base, memoryLimitBytes: undefined };
    expect(assessProcess(noLimit).summary).toMatch(/^RSS 80 MB, /);
    expect(assessProcess({ ...noLimit, rssBytes: 2048 * MB }).level).toBe('degraded');
  });

  it('asks the SystemPort for the memory limit once', async () => {
    let asked = 0;
    const checker = processChecker({
      system: {
        processMemoryLimit: () => Promise.resolve((asked++, 1024 * MB)),
        processRss: () => Promise.resolve(80 * MB),
      },
      intervalMs: 1000,
    });
    try {
      expect((await checker.check(signal)).summary).toMatch(/^RSS 80 MB of 1024 MB limit, /);
      await checker.check(signal);
      expect(asked).toBe(1);
    } finally {
      checker.close?.();
    }
  });

  it('reads this process', async () => {
    const checker = processChecker({
      system: new HostSystem({ clock: systemClock, log: silentLogger }),
      intervalMs: 1000,
    });
    try {
      const out = await checker.check(signal);
      expect(out.summary).toMatch(/^RSS \d+ MB/);
    } finally {
      checker.close?.();
    }
  });
});
