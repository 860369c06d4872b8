import { formatClock, formatTime } from '../../../src/views/docker-format';

describe('docker time formatting', () => {
  it('formats real times and says "—" for impossible ones instead of throwing', () => {
    const t = Date.UTC(2026, 10, 21, 6, 47, 31);
    expect(formatTime(t)).toBe('2026-11-21 06:47 UTC');
    expect(formatClock(t)).toBe('06:47:31 UTC');
    for (const bad of [NaN, Infinity, -1, 0, 1e20, undefined]) {
      expect(formatTime(bad)).toBe('—');
      expect(formatClock(bad)).toBe('—');
    }
  });
});
