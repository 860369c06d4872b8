import { PNG } from 'pngjs';
import { systemClock } from '../../../src/clock';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  ChartRenderer,
  chartOption,
  zoneOffsetMs,
} from '../../../src/history/chart';
import { minMaxDownsample, type XY } from '../../../src/history/downsample';
import type { HistoryPoint } from '../../../src/history/store';

const START = Date.UTC(2026, 0, 1, 0, 0, 0);

describe('minMaxDownsample', () => {
  const day: XY[] = Array.from({ length: 8640 }, (_, i) => [START + i * 10_000, 10 + (i % 7)]);

  it('keeps the one-sample maximum spike and the minimum dip of 24 h at 10 s', () => {
    const points = day.map((p, i): XY => (i === 4321 ? [p[0], 99] : i === 777 ? [p[0], 0.5] : p));
    const out = minMaxDownsample(points, 400);
    expect(out.length).toBeLessThanOrEqual(800);
    expect(Math.max(...out.map((p) => p[1]))).toBe(99);
    expect(out.find((p) => p[1] === 99)?.[0]).toBe(START + 4321 * 10_000);
    expect(Math.min(...out.map((p) => p[1]))).toBe(0.5);
  });

  it('keeps time order and returns short input unchanged', () => {
    const out = minMaxDownsample(day, 100);
    expect(out.every((p, i) => i === 0 || (out[i - 1] as XY)[0] < p[0])).toBe(true);
    const short = day.slice(0, 50);
    expect(minMaxDownsample(short, 100)).toEqual(short);
  });
});

describe('chart option', () => {
  it('draws the time axis in the configured time zone', () => {
    // Berlin is UTC+1 in January; New York UTC-5.
    expect(zoneOffsetMs('Europe/Berlin', START)).toBe(3_600_000);
    expect(zoneOffsetMs('America/New_York', START)).toBe(-5 * 3_600_000);
    const points: HistoryPoint[] = [{ t: START, v: 1, max: 1 }];
    const option = chartOption({
      title: 'CPU',
      unit: 'percent',
      series: [{ name: 'cpu', points }],
      fromMs: START - 3_600_000,
      toMs: START,
      timeZone: 'Europe/Berlin',
    });
    expect(option.useUTC).toBe(true);
    const series = option.series as { data: number[][] }[];
    expect(series[0]?.data[0]?.[0]).toBe(START + 3_600_000);
  });

  it('adds a faint peak line only when rolled-up rows carry a higher maximum', () => {
    const rolled: HistoryPoint[] = [
      { t: START, v: 10, max: 90 },
      { t: START + 60_000, v: 12, max: 12 },
    ];
    const option = chartOption({
      title: 'CPU',
      unit: 'percent',
      series: [{ name: 'cpu', points: rolled }],
      fromMs: START,
      toMs: START + 60_000,
      timeZone: 'UTC',
    });
    const names = (option.series as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(['cpu', 'cpu peak']);
  });
});

describe('ChartRenderer', () => {
  it('renders a PNG of the stated size with dark label pixels from the shipped font', async () => {
    const renderer = new ChartRenderer(systemClock);
    const points: HistoryPoint[] = Array.from({ length: 360 }, (_, i) => ({
      t: START + i * 10_000,
      v: 20 + 10 * Math.sin(i / 20),
      max: 20 + 10 * Math.sin(i / 20),
    }));
    const png = await renderer.render({
      title: 'CPU, last hour',
      unit: 'percent',
      series: [{ name: 'cpu', points }],
      fromMs: START,
      toMs: START + 3_600_000,
      timeZone: 'UTC',
    });
    const image = PNG.sync.read(png);
    expect([image.width, image.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    // The title sits in the top-left corner: text means dark grey pixels there.
    let dark = 0;
    for (let y = 8; y < 30; y++) {
      for (let x = 12; x < 150; x++) {
        const o = (y * image.width + x) * 4;
        if ((image.data[o] ?? 255) < 120) dark++;
      }
    }
    expect(dark).toBeGreaterThan(50);
  });

  it('says busy while 8 renders wait, and frees the slots when they finish', async () => {
    const renderer = new ChartRenderer(systemClock);
    const request = {
      title: 'x',
      unit: 'load' as const,
      series: [{ name: 'a', points: [{ t: START, v: 1, max: 1 }] }],
      fromMs: START - 60_000,
      toMs: START,
      timeZone: 'UTC',
    };
    const runs = Array.from({ length: 8 }, () => renderer.render(request));
    expect(renderer.busy).toBe(true);
    await Promise.all(runs);
    await new Promise((r) => setImmediate(r));
    expect(renderer.busy).toBe(false);
  });
});
