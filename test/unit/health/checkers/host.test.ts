import { join } from 'node:path';
import {
  assessHost,
  hostChecker,
  parseLoadavg,
  parseMeminfo,
  parseProcStat,
  readHostSample,
  type HostSample,
} from '../../../../src/health/checkers/host';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');
const signal = new AbortController().signal;

describe('host pressure', () => {
  it('parses /proc/stat, /proc/meminfo and /proc/loadavg', () => {
    expect(parseProcStat('cpu  10 0 5 80 5 0 0 0 0 0\ncpu0 1 2 3 4\n')).toEqual({
      busy: 15,
      total: 100,
    });
    expect(parseProcStat('intr 1 2 3')).toBeUndefined();
    expect(parseMeminfo('MemTotal:  1000 kB\nMemAvailable:   250 kB\n')).toEqual({
      total: 1024000,
      available: 256000,
    });
    expect(parseMeminfo('MemTotal:  1000 kB\n')).toBeUndefined();
    expect(parseLoadavg('0.10 0.25 0.30 1/200 1234\n')).toBe(0.25);
    expect(parseLoadavg('garbage')).toBeUndefined();
  });

  it('is healthy on an idle host and lists every figure', async () => {
    const idle = await readHostSample(join(FIXTURES, 'proc-idle'), FIXTURES);
    const out = assessHost({ ...idle, cpu: { busy: 0, total: 0 } }, { ...idle, cores: 2 });
    expect(out.level).toBe('healthy');
    expect(out.summary).toMatch(/^CPU 15%, memory 25%, disk \d+%, load 0\.25 on 2 cores$/);
  });

  it('is degraded, never worse, on a busy host, naming what is high', async () => {
    const idle = await readHostSample(join(FIXTURES, 'proc-idle'));
    const busy = await readHostSample(join(FIXTURES, 'proc-busy'));
    const full = { path: '/', total: 1000, free: 10 };
    const out = assessHost(idle, { ...busy, cores: 2, disk: full });
    expect(out).toEqual({
      level: 'degraded',
      summary: 'high: CPU 99%, memory 95%, disk / 99%, load 8.75 on 2 cores',
    });
  });

  it('says so when nothing is readable', () => {
    const none: HostSample = {
      cpu: undefined,
      memory: undefined,
      load5: undefined,
      cores: 1,
      disk: undefined,
    };
    expect(assessHost(undefined, none)).toEqual({
      level: 'degraded',
      summary: 'host metrics are not readable here',
    });
  });

  it('reads the real /proc of this machine', async () => {
    const out = await hostChecker({ intervalMs: 1000, firstGapMs: 10 }).check(signal);
    expect(out.summary).toMatch(/CPU \d+%|high: /);
  });
});
