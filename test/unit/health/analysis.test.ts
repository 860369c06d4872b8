import { analyseHost, pressureLevel, type HostSample } from '../../../src/health/analysis';

const IDLE: HostSample = {
  cpuPercent: 5,
  iowaitPercent: 0.5,
  memoryPercent: 30,
  disk: { mount: '/', percent: 40 },
  load1: 0.2,
  cores: 4,
  docker: { running: 5, total: 5 },
};

describe('host analysis', () => {
  it('uses the 70/85 levels', () => {
    expect([69.9, 70, 84.9, 85, undefined, NaN].map(pressureLevel)).toEqual([
      'normal',
      'elevated',
      'elevated',
      'critical',
      undefined,
      undefined,
    ]);
  });

  it('scores an idle host high with nothing to do', () => {
    const a = analyseHost(IDLE);
    expect(a.score).toBeGreaterThanOrEqual(85);
    expect(a.score).toBeLessThanOrEqual(100);
    expect(a.recommendations).toEqual([]);
    expect(a.dominant?.pressure).toBe('disk');
    expect(a.docker).toEqual({ running: 5, stopped: 0, runningShare: 1, perCore: 1.25 });
  });

  it('names the dominant pressure and recommends for each critical one', () => {
    const a = analyseHost({
      ...IDLE,
      memoryPercent: 95,
      cpuPercent: 72,
      disk: { mount: '/var', percent: 91 },
      iowaitPercent: 30,
      load1: 9,
      docker: { running: 1, total: 4 },
    });
    expect(a.dominant).toEqual({ pressure: 'I/O', percent: 100 });
    expect(a.levels).toEqual({
      CPU: 'elevated',
      memory: 'critical',
      disk: 'critical',
      'I/O': 'critical',
    });
    expect(a.score).toBeLessThan(40);
    expect(a.recommendations.join('\n')).toMatch(/Memory is nearly full/);
    expect(a.recommendations.join('\n')).toMatch(/\/var is 91% full/);
    expect(a.recommendations.join('\n')).toMatch(/I\/O wait/);
    expect(a.recommendations.join('\n')).toMatch(/Load 9.00 is over 1.5× the 4 cores/);
    expect(a.recommendations.join('\n')).toMatch(/3 containers are stopped/);
  });

  it('scores lower as pressure grows, within 0–100, with unknown figures left out', () => {
    const scores = [10, 50, 75, 90, 100].map(
      (p) => analyseHost({ ...IDLE, cpuPercent: p, memoryPercent: p }).score,
    );
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(0);
    const none = analyseHost({
      cpuPercent: undefined,
      iowaitPercent: undefined,
      memoryPercent: undefined,
      disk: undefined,
      load1: undefined,
      cores: 1,
      docker: undefined,
    });
    expect(none).toMatchObject({ score: 100, dominant: undefined, docker: undefined });
  });
});
