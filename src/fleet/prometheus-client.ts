import type { RemoteEndpoint } from '../config/types';
import { boundedRequest, RemoteHostError } from './http-get';

/** One element of an instant vector. */
export interface VectorSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Series one answer may hold; more fails the query (a selector matching far too much). */
export const MAX_SERIES = 100_000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of `/api/v1/query`'s answer field by field; anything else is refused. */
export function parseVectorAnswer(body: string): VectorSample[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new RemoteHostError('Prometheus answered something that is not JSON');
  }
  if (!isRecord(doc) || doc.status !== 'success' || !isRecord(doc.data))
    throw new RemoteHostError('Prometheus refused the query');
  const { resultType, result } = doc.data;
  if (resultType !== 'vector' || !Array.isArray(result))
    throw new RemoteHostError('Prometheus answered an unexpected result type');
  if (result.length > MAX_SERIES)
    throw new RemoteHostError(`Prometheus answered more than ${MAX_SERIES} series`);
  return result.map((item: unknown) => {
    if (!isRecord(item) || !isRecord(item.metric) || !Array.isArray(item.value))
      throw new RemoteHostError('Prometheus answered a malformed series');
    const labels = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(item.metric)) {
      if (typeof v !== 'string') throw new RemoteHostError('Prometheus answered a malformed label');
      labels[k] = v;
    }
    const raw: unknown = item.value[1];
    if (typeof raw !== 'string') throw new RemoteHostError('Prometheus answered a malformed value');
    return { labels, value: Number(raw) };
  });
}

/** Instant queries over Prometheus' HTTP API; counts them so tests can bound the number. */
export class PrometheusClient {
  /** Queries sent since construction. */
  queries = 0;
  private readonly base: URL;

  constructor(private readonly endpoint: RemoteEndpoint) {
    this.base = new URL(endpoint.url.endsWith('/') ? endpoint.url : `${endpoint.url}/`);
  }

  async query(promql: string): Promise<VectorSample[]> {
    const url = new URL('api/v1/query', this.base);
    url.searchParams.set('query', promql);
    this.queries++;
    const res = await boundedRequest(url, this.endpoint.auth, this.endpoint.limits);
    if (res.status !== 200 && res.status !== 400 && res.status !== 422)
      throw new RemoteHostError(`Prometheus answered HTTP ${res.status}`);
    return parseVectorAnswer(res.body);
  }
}
