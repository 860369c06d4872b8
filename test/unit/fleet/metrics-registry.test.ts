import { parseExposition } from '../../../src/fleet/exposition';
import {
  MAX_SERIES_PER_METRIC,
  MetricsRegistry,
  RENDER_REUSE_MS,
} from '../../../src/fleet/metrics-registry';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms that the exposition parser reads back', async () => {
    const r = new MetricsRegistry(() => 0);
    const c = r.counter('t_total', 'A counter.');
    const g = r.gauge('t_gauge', 'A gauge.');
    const h = r.histogram('t_seconds', 'A histogram.', [0.1, 1]);
    c.inc({ code: '429' });
    c.inc({ code: '429' }, 2);
    g.set(5, { name: 'we"ird\\name\n<b>' });
    h.observe(0.05);
    h.observe(0.5);
    h.observe(3);
    const text = await r.render();
    const samples = parseExposition(text);
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    expect(value('t_total', { code: '429' })).toBe(3);
    expect(value('t_gauge', { name: 'we"ird\\name\n<b>' })).toBe(5);
    expect(value('t_seconds_bucket', { le: '0.1' })).toBe(1);
    expect(value('t_seconds_bucket', { le: '1' })).toBe(2);
    expect(value('t_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(value('t_seconds_count')).toBe(3);
    expect(value('t_seconds_sum')).toBeCloseTo(3.55);
    expect(text).toContain('# TYPE t_seconds histogram');
  });

  it('folds label sets past the cap into "other"', async () => {
    const r = new MetricsRegistry(() => 0);
    const c = r.counter('x_total', 'x');
    for (let i = 0; i < MAX_SERIES_PER_METRIC + 50; i++) c.inc({ code: String(i) });
    const samples = parseExposition(await r.render());
    expect(samples).toHaveLength(MAX_SERIES_PER_METRIC + 1);
    expect(samples.find((s) => s.labels.code === 'other')?.value).toBe(50);
  });

  it('keeps rendering when a collector fails', async () => {
    const r = new MetricsRegistry(() => 0);
    const g = r.gauge('g', 'g');
    g.set(1);
    r.collect(() => Promise.reject(new Error('docker down')));
    expect(await r.render()).toContain('g 1');
  });
});

describe('background collectors', () => {
  it('wait on the first scrape only, then serve the last figures and refresh when stale', async () => {
    let now = 0;
    const r = new MetricsRegistry(() => now);
    const g = r.gauge('slow', 'slow source');
    let calls = 0;
    let release: () => void = () => undefined;
    r.collect(
      () => {
        calls++;
        g.set(calls);
        return calls === 1 ? Promise.resolve() : new Promise<void>((res) => (release = res));
      },
      { maxAgeMs: 10_000 },
    );
    expect(await r.render()).toContain('slow 1');
    now = 5000;
    expect(await r.render()).toContain('slow 1');
    expect(calls).toBe(1);
    now = 10_000;
    // Stale: the refresh starts but the scrape does not wait for it.
    await r.render();
    expect(calls).toBe(2);
    await r.render();
    expect(calls).toBe(2);
    release();
  });
});

describe('rendering', () => {
  it('serves one exposition for a second (bursts of scrapes share it), then renders anew', async () => {
    let now = 0;
    const r = new MetricsRegistry(() => now);
    const c = r.counter('hits_total', 'hits');
    let collected = 0;
    r.collect(() => {
      collected++;
      return Promise.resolve();
    });
    c.inc({});
    const [a, b] = await Promise.all([r.render(), r.render()]);
    expect(a).toBe(b);
    expect(collected).toBe(1);
    c.inc({});
    now = RENDER_REUSE_MS - 1;
    expect(await r.render()).toContain('hits_total 1');
    expect(collected).toBe(1);
    now = RENDER_REUSE_MS;
    expect(await r.render()).toContain('hits_total 2');
    expect(collected).toBe(2);
  });
});
