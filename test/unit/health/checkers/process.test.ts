import {
  assessProcess,
  cgroupMemoryLimit,
  processChecker,
} from '../../../../src/health/checkers/process';

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

  it('finds the cgroup v2 and v1 memory limits, and "max" means none', () => {
    const files = (map: Record<string, string>) => (p: string) => {
      const v = map[p];
      if (v === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return v;
    };
    expect(
      cgroupMemoryLimit(
        files({
          '/proc/self/cgroup': '0::/system.slice/tmbot.service\n',
          '/sys/fs/cgroup/system.slice/tmbot.service/memory.max': '268435456\n',
        }),
      ),
    ).toBe(268435456);
    expect(
      cgroupMemoryLimit(
        files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/memory.max': 'max\n' }),
      ),
    ).toBeUndefined();
    expect(
      cgroupMemoryLimit(
        files({
          '/proc/self/cgroup': '5:cpu,cpuacct:/\n4:memory:/docker/abc\n',
          '/sys/fs/cgroup/memory/memory.limit_in_bytes': '536870912',
        }),
      ),
    ).toBe(536870912);
    expect(
      cgroupMemoryLimit(
        files({
          '/proc/self/cgroup': '4:memory:/\n',
          '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712',
        }),
      ),
    ).toBeUndefined();
    expect(cgroupMemoryLimit(files({}))).toBeUndefined();
  });

  it('reads this process', async () => {
    const checker = processChecker({ intervalMs: 1000 });
    try {
      const out = await checker.check(signal);
      expect(out.summary).toMatch(/^RSS \d+ MB/);
    } finally {
      checker.close?.();
    }
  });
});
