/**
 * A small Prometheus registry with text exposition (format 0.0.4): counters, gauges and
 * histograms with labels. Label sets per metric are capped, so a hostile label source (an error
 * code, a container name) cannot grow memory without bound.
 */
type Labels = Readonly<Record<string, string>>;

/** Label sets one metric keeps at most; further ones are folded into `other`. */
export const MAX_SERIES_PER_METRIC = 2000;

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeValue(labels[k] ?? '')}"`).join(',')}}`;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface Metric {
  render(out: string[]): void;
}

abstract class Family<T> implements Metric {
  protected readonly series = new Map<string, { labels: Labels; value: T }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  protected entry(labels: Labels, init: () => T): { labels: Labels; value: T } {
    let key = labelText(labels);
    let e = this.series.get(key);
    if (e === undefined) {
      if (this.series.size >= MAX_SERIES_PER_METRIC) {
        const folded = Object.fromEntries(Object.keys(labels).map((k) => [k, 'other']));
        key = labelText(folded);
        e = this.series.get(key);
        if (e !== undefined) return e;
        labels = folded;
      }
      e = { labels, value: init() };
      this.series.set(key, e);
    }
    return e;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`);
    this.renderSeries(out);
  }

  protected abstract renderSeries(out: string[]): void;
}

export class Counter extends Family<{ n: number }> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels, () => ({ n: 0 })).value.n += by;
  }
  protected renderSeries(out: string[]): void {
    for (const { labels, value } of this.series.values())
      out.push(`${this.name}${labelText(labels)} ${num(value.n)}`);
  }
}

/** A gauge whose series are replaced by `collect` at every scrape. */
export class Gauge implements Metric {
  private values: { labels: Labels; value: number }[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Replaces every series (called by a collector at scrape time). */
  setAll(values: readonly { labels: Labels; value: number }[]): void {
    this.values = values.slice(0, MAX_SERIES_PER_METRIC);
  }

  set(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    const i = this.values.findIndex((v) => labelText(v.labels) === key);
    if (i >= 0) this.values[i] = { labels, value };
    else if (this.values.length < MAX_SERIES_PER_METRIC) this.values.push({ labels, value });
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`);
    for (const { labels, value } of this.values)
      out.push(`${this.name}${labelText(labels)} ${num(value)}`);
  }
}

export class Histogram extends Family<{ buckets: number[]; sum: number; count: number }> {
  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(value: number, labels: Labels = {}): void {
    const e = this.entry(labels, () => ({
      buckets: this.bounds.map(() => 0),
      sum: 0,
      count: 0,
    })).value;
    this.bounds.forEach((b, i) => {
      if (value <= b) e.buckets[i] = (e.buckets[i] ?? 0) + 1;
    });
    e.sum += value;
    e.count++;
  }
  protected renderSeries(out: string[]): void {
    for (const { labels, value } of this.series.values()) {
      this.bounds.forEach((b, i) => {
        out.push(
          `${this.name}_bucket${labelText({ ...labels, le: num(b) })} ${value.buckets[i] ?? 0}`,
        );
      });
      out.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${value.count}`);
      out.push(`${this.name}_sum${labelText(labels)} ${num(value.sum)}`);
      out.push(`${this.name}_count${labelText(labels)} ${value.count}`);
    }
  }
}

/**
 * How long one rendered exposition is served again. Scrapers ask every 5 s or more; a second
 * of staleness lets bursts of scrapes (several Prometheus replicas, a curl loop) share one
 * collection and one serialisation instead of redoing both.
 */
export const RENDER_REUSE_MS = 1000;

/** Metrics in registration order, plus collectors run before each render. */
export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: (() => Promise<void>)[] = [];
  private last: { at: number; text: Promise<string> } | undefined;

  /** `now` is the Clock's (collector ages). */
  constructor(private readonly now: () => number) {}

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }
  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, bounds));
  }
  /**
   * Runs before a scrape (fills gauges); a failing collector leaves its gauges as they were.
   * With `maxAgeMs`, a scrape serves the last figures and refreshes them in the background once
   * they are older (only the first scrape waits), so a slow source (a Docker engine listing 100
   * containers) never sets the scrape's latency.
   */
  collect(fn: () => Promise<void>, options: { maxAgeMs?: number } = {}): void {
    const maxAge = options.maxAgeMs;
    if (maxAge === undefined) {
      this.collectors.push(fn);
      return;
    }
    let at: number | undefined;
    let running: Promise<void> | undefined;
    const refresh = (): Promise<void> => {
      running ??= fn()
        .then(() => {
          at = this.now();
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    };
    this.collectors.push(() => {
      if (at === undefined) return refresh();
      if (this.now() - at >= maxAge) void refresh().catch(() => undefined);
      return Promise.resolve();
    });
  }

  private add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }

  /** The exposition text; one rendered within {@link RENDER_REUSE_MS} (or in progress) is reused. */
  render(): Promise<string> {
    const now = this.now();
    if (this.last !== undefined && now - this.last.at < RENDER_REUSE_MS) return this.last.text;
    const text = this.renderNow();
    this.last = { at: now, text };
    return text;
  }

  private async renderNow(): Promise<string> {
    await Promise.all(this.collectors.map((c) => c().catch(() => undefined)));
    const out: string[] = [];
    for (const m of this.metrics) m.render(out);
    return `${out.join('\n')}\n`;
  }
}
