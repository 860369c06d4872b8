import { forecastFull } from '../../../src/history/forecast';
import type { HistoryPoint } from '../../../src/history/store';

const START = Date.UTC(2026, 0, 1);
const GIB = 1024 ** 3;

/** 24 h of minute rows, used bytes growing `perDay` from `base`, with optional noise. */
function fill(base: number, perDay: number, noise = 0): HistoryPoint[] {
  return Array.from({ length: 1440 }, (_, i) => {
    const v = base + (perDay * i) / 1440 + (i % 2 === 0 ? noise : -noise);
    return { t: START + i * 60_000, v, max: v };
  });
}

describe('forecastFull', () => {
  it('finds the day a linearly filling disk is full', () => {
    // 100 GiB disk, 60 GiB used now (after a day of +2 GiB/day): 40 GiB left → ~20 days.
    const points = fill(58 * GIB, 2 * GIB, 0.1 * GIB);
    const f = forecastFull(points, 100 * GIB);
    expect(f?.kind).toBe('fills');
    if (f?.kind !== 'fills') throw new Error('expected a fill forecast');
    expect(f.days).toBeGreaterThan(19.5);
    expect(f.days).toBeLessThan(20.5);
    expect(f.bytesPerDay / GIB).toBeCloseTo(2, 1);
  });

  it('calls a shrinking or flat disk steady, and a full one full', () => {
    expect(forecastFull(fill(50 * GIB, -1 * GIB), 100 * GIB)?.kind).toBe('steady');
    expect(forecastFull(fill(50 * GIB, 0), 100 * GIB)?.kind).toBe('steady');
    expect(forecastFull(fill(100 * GIB, 0), 100 * GIB)).toEqual({ kind: 'full' });
  });

  it('treats growth that would take more than a year as steady', () => {
    expect(forecastFull(fill(10 * GIB, 0.01 * GIB), 100 * GIB)?.kind).toBe('steady');
  });

  it('needs at least an hour and ten points of history', () => {
    expect(forecastFull(fill(1, 1).slice(0, 9), 100)).toBeUndefined();
    expect(forecastFull(fill(1, 1).slice(0, 50), 100)).toBeUndefined();
    expect(forecastFull([], 100)).toBeUndefined();
  });
});
