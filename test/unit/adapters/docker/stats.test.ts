import { cpuPercent, cpuSample, liveStats } from '../../../../src/adapters/docker/stats';

const doc = (total: number, system: number | undefined, extra: Record<string, unknown> = {}) => ({
  read: '2026-01-01T00:00:00Z',
  cpu_stats: {
    cpu_usage: { total_usage: total },
    ...(system !== undefined ? { system_cpu_usage: system } : {}),
    online_cpus: 2,
    throttling_data: { throttled_periods: 4 },
  },
  memory_stats: {
    usage: 100 * 1024 * 1024,
    limit: 1024 * 1024 * 1024,
    stats: { total_inactive_file: 20 * 1024 * 1024 },
  },
  networks: {
    eth0: { rx_bytes: 10, tx_bytes: 20, rx_errors: 1, tx_errors: 0 },
    eth1: { rx_bytes: 5, tx_bytes: 5, rx_errors: 0, tx_errors: 2 },
  },
  pids_stats: { current: 7 },
  ...extra,
});

describe('container stats', () => {
  it('computes CPU % like docker stats: share of host CPU time × CPUs', () => {
    const a = cpuSample(doc(1e9, 100e9), 0);
    const b = cpuSample(doc(1.5e9, 101e9), 1000);
    // 0.5 s of CPU over 1 s of host time on 2 CPUs = 100 % of one core.
    expect(cpuPercent(a, b)).toBeCloseTo(100, 5);
  });

  it('falls back to wall time when the engine gives no host counter, and refuses counters going back', () => {
    const a = cpuSample(doc(1e9, undefined), 0);
    const b = cpuSample(doc(1.25e9, undefined), 1000);
    expect(cpuPercent(a, b)).toBeCloseTo(25, 5);
    expect(cpuPercent(b, a)).toBeUndefined();
  });

  it('reports memory net of page cache, summed network counters, throttling and pids', () => {
    expect(liveStats(doc(1, 1), 12.5)).toEqual({
      memoryUsed: 80 * 1024 * 1024,
      memoryLimit: 1024 * 1024 * 1024,
      cpuPercent: 12.5,
      netRx: 15,
      netTx: 25,
      rxErrors: 1,
      txErrors: 2,
      throttledPeriods: 4,
      pids: 7,
    });
  });

  it('survives a document of the wrong shape', () => {
    expect(liveStats('nonsense', undefined)).toMatchObject({
      memoryUsed: 0,
      memoryLimit: 0,
      netRx: 0,
    });
    expect(cpuSample({ cpu_stats: { cpu_usage: { total_usage: 'x' } } }, 5)).toEqual({
      containerNs: 0,
      onlineCpus: 1,
      at: 5,
    });
  });
});
