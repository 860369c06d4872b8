import { HostSystem } from '../../../../src/adapters/system/host-system';
import type { SystemPort } from '../../../../src/adapters/system/system-port';
import { systemClock } from '../../../../src/clock';
import {
  assessHost,
  hostChecker,
  readHostSample,
  type HostSample,
} from '../../../../src/health/checkers/host';
import { silentLogger } from '../../../support/silent-logger';
import * as d from '../../../fixtures/server-data';

const signal = new AbortController().signal;
const GiB = 1024 ** 3;

/** The part of SystemPort the host check reads, from the server fixtures; `broken` names failing reads. */
function fixtureSystem(
  over: Partial<Pick<SystemPort, 'cpu' | 'memory' | 'loadAverage' | 'filesystems'>> = {},
  broken: readonly string[] = [],
): SystemPort {
  const fail = (name: string): Promise<never> => Promise.reject(new Error(`${name} failed`));
  const pick = <T>(name: string, f: (() => Promise<T>) | undefined, v: T): Promise<T> =>
    broken.includes(name) ? fail(name) : (f?.() ?? Promise.resolve(v));
  return {
    cpu: () => pick('cpu', over.cpu, d.cpu),
    memory: () => pick('memory', over.memory, d.memory),
    loadAverage: () => pick('loadAverage', over.loadAverage, d.load),
    filesystems: () => pick('filesystems', over.filesystems, d.filesystems),
  } as SystemPort;
}

describe('host pressure', () => {
  it('reads CPU, memory, root disk and load through the SystemPort', async () => {
    expect(await readHostSample(fixtureSystem())).toEqual({
      cpuPercent: 37.5,
      memory: { total: 16 * GiB, available: 12 * GiB },
      load5: 0.75,
      cores: 4,
      disk: { path: '/', total: 100 * GiB, free: 55 * GiB },
    });
  });

  it('leaves out CPU until the sampler has a window, and what cannot be read', async () => {
    const sample = await readHostSample(
      fixtureSystem(
        {
          cpu: () => Promise.resolve({ ...d.cpu, usage: { ...d.cpu.usage, windowMs: undefined } }),
        },
        ['memory', 'filesystems'],
      ),
    );
    expect(sample).toEqual({
      cpuPercent: undefined,
      memory: undefined,
      load5: 0.75,
      cores: 4,
      disk: undefined,
    });
  });

  it('is healthy on an idle host and lists every figure', async () => {
    const out = assessHost(await readHostSample(fixtureSystem()));
    expect(out).toEqual({
      level: 'healthy',
      summary: 'CPU 38%, memory 25%, disk 45%, load 0.75 on 4 cores',
    });
  });

  it('is degraded, never worse, on a busy host, naming what is high', () => {
    const busy: HostSample = {
      cpuPercent: 99,
      memory: { total: 100, available: 5 },
      load5: 8.75,
      cores: 2,
      disk: { path: '/', total: 1000, free: 10 },
    };
    expect(assessHost(busy)).toEqual({
      level: 'degraded',
      summary: 'high: CPU 99%, memory 95%, disk / 99%, load 8.75 on 2 cores',
    });
  });

  it('says so when nothing is readable', async () => {
    const none = await readHostSample(
      fixtureSystem({}, ['cpu', 'memory', 'loadAverage', 'filesystems']),
    );
    expect(none.cores).toBe(1);
    expect(assessHost(none)).toEqual({
      level: 'degraded',
      summary: 'host metrics are not readable here',
    });
  });

  it('reads the real host of this machine through HostSystem', async () => {
    const system = new HostSystem({ clock: systemClock, log: silentLogger });
    const out = await hostChecker({ system, intervalMs: 1000 }).check(signal);
    expect(out.summary).toMatch(/memory \d+%|high: /);
  });
});
