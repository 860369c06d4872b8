import type { Clock } from '../clock';
import type { RemoteHostConfig } from '../config/types';
import { UserInputError } from '../errors';
import { byWorst, judge, type HostThresholds } from './health';
import { RemoteHostError } from './http-get';
import { NodeExporterHost } from './node-exporter-host';
import type { FleetPort, HostStatus, RemoteSnapshot } from './port';
import { PrometheusClient } from './prometheus-client';
import { PrometheusGroup } from './prometheus-group';

export interface FleetDeps {
  readonly hosts: readonly RemoteHostConfig[];
  readonly thresholds: HostThresholds;
  readonly warningMarginPercent: number;
  readonly clock: Clock;
  /** A read of every host is reused for this long (screens opened one after another). */
  readonly cacheMs: number;
}

const reasonOf = (err: unknown): string =>
  err instanceof RemoteHostError ? err.reason : 'could not be read';

/**
 * Every remote host behind one port: node_exporters scraped in parallel, Prometheus groups read
 * with a fixed number of queries each. Concurrent callers share one read.
 */
export class Fleet implements FleetPort {
  private readonly direct: NodeExporterHost[] = [];
  private readonly groups: { group: PrometheusGroup; client: PrometheusClient }[] = [];
  private cached: { at: number; statuses: readonly HostStatus[] } | undefined;
  private inflight: Promise<readonly HostStatus[]> | undefined;

  constructor(private readonly deps: FleetDeps) {
    for (const h of deps.hosts) {
      if (h.kind === 'node_exporter') {
        this.direct.push(new NodeExporterHost(h.name, h.endpoint));
      } else {
        const client = new PrometheusClient(h.endpoint);
        this.groups.push({
          client,
          group: new PrometheusGroup(h.name, client, h.matchers, h.hostLabel),
        });
      }
    }
  }

  /** Prometheus queries sent so far (all groups). */
  get prometheusQueries(): number {
    return this.groups.reduce((n, g) => n + g.client.queries, 0);
  }

  async names(): Promise<readonly string[]> {
    return (await this.statuses()).map((s) => s.name);
  }

  statuses(): Promise<readonly HostStatus[]> {
    const c = this.cached;
    if (c !== undefined && this.deps.clock.now() - c.at < this.deps.cacheMs)
      return Promise.resolve(c.statuses);
    this.inflight ??= this.readAll().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Reads now, bypassing the cache (the alert watch's scrape). */
  async refresh(): Promise<readonly HostStatus[]> {
    this.cached = undefined;
    return this.statuses();
  }

  async snapshot(name: string): Promise<RemoteSnapshot> {
    const host = this.direct.find((h) => h.name === name);
    if (host !== undefined) return host.scrape();
    const status = (await this.statuses()).find((s) => s.name === name);
    if (status === undefined)
      throw new UserInputError('That host is not in the fleet any more. Open Fleet again.');
    if (status.snapshot === undefined) throw new RemoteHostError(status.error ?? 'unreachable');
    return status.snapshot;
  }

  private judged(name: string, source: HostStatus['source'], snapshot: RemoteSnapshot): HostStatus {
    const { state } = judge(snapshot, this.deps.thresholds, this.deps.warningMarginPercent);
    return { name, source, state, snapshot };
  }

  private async readAll(): Promise<readonly HostStatus[]> {
    const direct = this.direct.map(async (h): Promise<HostStatus[]> => {
      try {
        return [this.judged(h.name, 'node_exporter', await h.scrape())];
      } catch (err) {
        return [{ name: h.name, source: 'node_exporter', state: 'down', error: reasonOf(err) }];
      }
    });
    const groups = this.groups.map(async ({ group }): Promise<HostStatus[]> => {
      try {
        const hosts = await group.read();
        return [...hosts].map(([name, h]) =>
          h.up
            ? this.judged(name, 'prometheus', h.snapshot)
            : {
                name,
                source: 'prometheus' as const,
                state: 'down' as const,
                error: 'Prometheus cannot scrape its exporter (up == 0)',
              },
        );
      } catch (err) {
        return [{ name: group.name, source: 'prometheus', state: 'down', error: reasonOf(err) }];
      }
    });
    const statuses = (await Promise.all([...direct, ...groups])).flat().sort(byWorst);
    this.cached = { at: this.deps.clock.now(), statuses };
    return statuses;
  }
}
