import type { HistoryPoint } from '../../../src/history/store';
import {
  chartCaption,
  chartTitle,
  containerChartButtons,
  forecastLine,
  forecastNoticeView,
  HISTORY,
  periodKeyboard,
} from '../../../src/views/history';
import { visibleText } from '../../../src/views/html';

const GiB = 1024 ** 3;

describe('history views', () => {
  it('titles host and container charts with the period', () => {
    expect(chartTitle({ kind: 'host', metric: 'cpu' }, '24h')).toBe('CPU · last 24 h');
    expect(chartTitle({ kind: 'container', host: 0, name: 'web', metric: 'mem' }, '1h')).toBe(
      'web · memory · last 1 h',
    );
  });

  it('offers every period, marks the current one, and each press edits the photo', () => {
    const keyboard = periodKeyboard({ kind: 'host', metric: 'cpu' }, '6h');
    if (keyboard.kind !== 'inline') throw new Error('inline expected');
    const row = keyboard.rows[0] ?? [];
    expect(row.map((b) => b.text)).toEqual(['1 h', '• 6 h', '24 h', '7 d', '30 d']);
    const last = row[4];
    if (last === undefined || !('action' in last)) throw new Error('action button expected');
    expect(HISTORY.host.decode(last.args)).toEqual({ metric: 'cpu', period: '30d', mode: 'edit' });
  });

  it('refuses forged periods, metrics and container names in a button', () => {
    expect(HISTORY.host.decode(['cpu', '2h', 'edit'])).toBeUndefined();
    expect(HISTORY.host.decode(['disk; rm -rf', '1h', 'edit'])).toBeUndefined();
    expect(HISTORY.container.decode(['0', '../etc', 'mem', '1h', 'new'])).toBeUndefined();
    expect(HISTORY.container.decode(['0', 'web', 'mem', '1h', 'new'])).toEqual({
      host: 0,
      name: 'web',
      metric: 'mem',
      period: '1h',
      mode: 'new',
    });
    expect(containerChartButtons(0, 'web').map((b) => b.text)).toEqual(['📈 CPU', '📈 Memory']);
  });

  it('captions each line with its latest value and peak, escaped', () => {
    const points: HistoryPoint[] = [
      { t: 1, v: 10, max: 95 },
      { t: 2, v: 12, max: 12 },
    ];
    const text = visibleText(
      chartCaption('CPU · last 1 h', [{ name: '<eth0> in', points }], 'percent').value,
    );
    expect(text).toBe('CPU · last 1 h\n<eth0> in: now 12 %, peak 95 %\n');
  });

  it('writes the disk-full forecast line and alert', () => {
    const line = forecastLine('/', {
      day: { kind: 'fills', days: 12.4, bytesPerDay: 2 * GiB },
      week: { kind: 'steady', bytesPerDay: 0 },
    });
    expect(visibleText(line?.value ?? '')).toBe(
      '📈 /: 24 h trend: at this rate full in ~12 days (+2 GiB/day); 7 d trend: not filling',
    );
    expect(forecastLine('/', { day: undefined, week: undefined })).toBeUndefined();
    const alert = forecastNoticeView({
      kind: 'filling',
      mountPoint: '/var',
      days: 0.5,
      bytesPerDay: GiB,
    });
    expect(visibleText(alert.html.value)).toBe(
      '📈 Disk filling up\n/var: at this rate full in ~12 h (+1 GiB/day).',
    );
  });
});
