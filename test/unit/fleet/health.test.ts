import { byWorst, judge, keyFigures } from '../../../src/fleet/health';
import type { RemoteSnapshot } from '../../../src/fleet/port';
import { parseVectorAnswer } from '../../../src/fleet/prometheus-client';
import { RemoteHostError } from '../../../src/fleet/http-get';

const snap = (cpu: number, memUsed: number, diskUsed: number): RemoteSnapshot => ({
  cpu: { cores: 4, busyPercent: cpu },
  memory: { totalBytes: 100, availableBytes: 100 - memUsed },
  filesystems: [
    { mount: '/', device: 'a', fstype: 'ext4', sizeBytes: 100, availBytes: 100 - diskUsed },
    { mount: '/empty', device: 'b', fstype: 'tmpfs', sizeBytes: 0, availBytes: 0 },
  ],
  network: [],
  temperatures: [],
});
const T = { cpu: 80, memory: 80, disk: 90 };

describe('judging a remote host', () => {
  it('takes the fullest file system and skips empty ones', () => {
    expect(keyFigures(snap(10, 20, 30))).toEqual({ cpu: 10, memory: 20, disk: 30 });
  });
  it('is critical over a threshold, warning within the margin, ok below', () => {
    expect(judge(snap(85, 10, 10), T, 10)).toEqual({ state: 'critical', over: ['cpu'] });
    expect(judge(snap(10, 10, 85), T, 10)).toEqual({ state: 'warning', over: [] });
    expect(judge(snap(10, 10, 10), T, 10)).toEqual({ state: 'ok', over: [] });
    expect(judge({ filesystems: [], network: [], temperatures: [] }, T, 10).state).toBe('ok');
  });
  it('sorts worst first, then by name', () => {
    const list = [
      { name: 'b', state: 'ok' as const },
      { name: 'a', state: 'warning' as const },
      { name: 'z', state: 'down' as const },
      { name: 'c', state: 'critical' as const },
      { name: 'a', state: 'ok' as const },
    ].sort(byWorst);
    expect(list.map((h) => `${h.state}:${h.name}`)).toEqual([
      'down:z',
      'critical:c',
      'warning:a',
      'ok:a',
      'ok:b',
    ]);
  });
});

describe('parseVectorAnswer', () => {
  it('reads an instant vector', () => {
    const body = JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { host: 'a' }, value: [1, '0.5'] }] },
    });
    expect(parseVectorAnswer(body).map((s) => [{ ...s.labels }, s.value])).toEqual([
      [{ host: 'a' }, 0.5],
    ]);
  });
  it.each([
    ['not JSON', '<html>'],
    ['an error', JSON.stringify({ status: 'error', error: 'bad' })],
    ['a matrix', JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } })],
    [
      'a bad label',
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { a: 1 }, value: [1, '1'] }] },
      }),
    ],
    [
      'a bad value',
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, 1] }] },
      }),
    ],
  ])('refuses %s', (_w, body) => {
    expect(() => parseVectorAnswer(body)).toThrow(RemoteHostError);
  });
});
