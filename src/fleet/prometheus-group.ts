import type { Sample } from './exposition';
import { NODE_METRICS, snapshotFromSamples } from './node-metrics';
import type { RemoteSnapshot } from './port';
import type { PrometheusClient, VectorSample } from './prometheus-client';

/** One host as a Prometheus group sees it: `up` says whether its exporter's last scrape worked. */
export interface GroupHost {
  readonly up: boolean;
  readonly snapshot: RemoteSnapshot;
}

/** Gauges read in one query by name; CPU counters are left to rate() on the server. */
const GAUGES = NODE_METRICS.filter((n) => n !== 'node_cpu_seconds_total').join('|');

/**
 * Every host a selector matches, read with {@link QUERIES_PER_READ} instant queries whatever the
 * number of hosts (one per metric family for the whole group, never one per host).
 */
export const QUERIES_PER_READ = 4;

export class PrometheusGroup {
  constructor(
    readonly name: string,
    private readonly client: PrometheusClient,
    private readonly matchers: string,
    private readonly hostLabel: string,
  ) {}

  private sel(extra: string): string {
    return `{${[extra, this.matchers].filter((s) => s !== '').join(',')}}`;
  }

  /** Reads the whole group; throws RemoteHostError when Prometheus cannot be read. */
  async read(): Promise<Map<string, GroupHost>> {
    const L = this.hostLabel;
    const [up, gauges, busy, cores] = await Promise.all([
      this.client.query(`up${this.sel('')}`),
      this.client.query(this.sel(`__name__=~"${GAUGES}"`)),
      this.client.query(
        `100 * (1 - avg by (${L}) (rate(node_cpu_seconds_total${this.sel('mode="idle"')}[5m])))`,
      ),
      this.client.query(`count by (${L}) (node_cpu_seconds_total${this.sel('mode="idle"')})`),
    ]);
    const byHost = new Map<string, Sample[]>();
    for (const s of gauges) {
      const host = s.labels[L];
      const name = s.labels.__name__;
      if (host === undefined || name === undefined) continue;
      const list = byHost.get(host) ?? [];
      list.push({ name, labels: s.labels, value: s.value });
      byHost.set(host, list);
    }
    const valueOf = (list: readonly VectorSample[]): Map<string, number> =>
      new Map(
        list.flatMap((s) => (s.labels[L] !== undefined ? [[s.labels[L], s.value] as const] : [])),
      );
    const busyBy = valueOf(busy);
    const coresBy = valueOf(cores);
    const out = new Map<string, GroupHost>();
    for (const s of up) {
      const host = s.labels[L];
      if (host === undefined) continue;
      const base = snapshotFromSamples(byHost.get(host) ?? []);
      const n = coresBy.get(host);
      const b = busyBy.get(host);
      const snapshot: RemoteSnapshot = {
        ...base,
        ...(n !== undefined && Number.isFinite(n)
          ? {
              cpu: {
                cores: n,
                ...(b !== undefined && Number.isFinite(b)
                  ? { busyPercent: Math.min(100, Math.max(0, b)) }
                  : {}),
              },
            }
          : {}),
      };
      // One target may be scraped under several jobs; a host is up if any of them is.
      const wasUp = out.get(host)?.up ?? false;
      out.set(host, { up: wasUp || s.value === 1, snapshot });
    }
    return out;
  }
}
