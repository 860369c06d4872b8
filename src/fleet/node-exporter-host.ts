import type { RemoteEndpoint } from '../config/types';
import { DEFAULT_EXPOSITION_LIMITS, ExpositionError, parseExposition } from './exposition';
import { boundedRequest, RemoteHostError } from './http-get';
import { cpuCounters, keepNodeMetric, snapshotFromSamples, type CpuCounters } from './node-metrics';
import type { RemoteSnapshot } from './port';

/** A node_exporter scraped directly. Remembers the last CPU counters to compute busy time. */
export class NodeExporterHost {
  private lastCpu: CpuCounters | undefined;
  private readonly url: URL;

  constructor(
    readonly name: string,
    private readonly endpoint: RemoteEndpoint,
  ) {
    this.url = new URL(endpoint.url);
  }

  /** Reads the exporter once; throws RemoteHostError (user-safe reason) on any failure. */
  async scrape(): Promise<RemoteSnapshot> {
    const res = await boundedRequest(this.url, this.endpoint.auth, this.endpoint.limits);
    if (res.status !== 200) throw new RemoteHostError(`the exporter answered HTTP ${res.status}`);
    let samples;
    try {
      samples = parseExposition(res.body, keepNodeMetric, {
        ...DEFAULT_EXPOSITION_LIMITS,
        maxBytes: this.endpoint.limits.maxBytes,
      });
    } catch (err) {
      if (err instanceof ExpositionError)
        throw new RemoteHostError(`the answer is not node_exporter metrics (${err.message})`);
      throw err;
    }
    if (!samples.some((s) => s.name.startsWith('node_')))
      throw new RemoteHostError('the answer has no node_exporter metrics');
    const snapshot = snapshotFromSamples(samples, this.lastCpu);
    this.lastCpu = cpuCounters(samples);
    return snapshot;
  }
}
