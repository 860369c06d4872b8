import type { Clock } from '../clock';
import type { FleetConfig } from '../config/types';
import type { Logger } from '../log/logger';
import { parseAmPayload, type AmPayload } from './alertmanager-payload';
import { EndpointRefusal, HttpEndpoint, type EndpointRejection } from './http-endpoint';
import type { MetricsRegistry } from './metrics-registry';

type ReceiverConfig = NonNullable<FleetConfig['receiver']>;
type MetricsConfig = NonNullable<FleetConfig['metrics']>;

/** Scrapes of /metrics allowed per address and window (Prometheus scrapes every 15–60 s). */
const METRICS_RATE = { limit: 120, windowMs: 60_000 };

/**
 * The Alertmanager webhook receiver: POST with the bearer token, a JSON body within the limit,
 * shaped like Alertmanager's payload (version 4). Answers 200 at once; relaying runs after.
 */
export function alertmanagerReceiver(
  config: ReceiverConfig,
  deps: {
    deliver: (payload: AmPayload) => void;
    rejected: (reason: EndpointRejection) => void;
    clock: Clock;
    log: Logger;
  },
): HttpEndpoint {
  return new HttpEndpoint(
    {
      listen: config.listen,
      port: config.port,
      path: config.path,
      method: 'POST',
      bearerToken: config.bearerToken,
      maxBodyBytes: config.maxBodyBytes,
      rateLimit: config.rateLimit,
      requestTimeoutMs: config.requestTimeoutMs,
    },
    {
      handle: (body) => {
        const payload = parseAmPayload(body);
        if (payload === undefined) throw new EndpointRefusal('malformed');
        deps.deliver(payload);
        return { status: 200, contentType: 'text/plain', body: 'ok\n' };
      },
      rejected: deps.rejected,
      clock: deps.clock,
      log: deps.log,
    },
  );
}

/** GET /metrics in the Prometheus text format, optionally behind a bearer token. */
export function metricsEndpoint(
  config: MetricsConfig,
  registry: MetricsRegistry,
  deps: { rejected: (reason: EndpointRejection) => void; clock: Clock; log: Logger },
): HttpEndpoint {
  return new HttpEndpoint(
    {
      listen: config.listen,
      port: config.port,
      path: '/metrics',
      method: 'GET',
      bearerToken: config.bearerToken,
      maxBodyBytes: 0,
      rateLimit: METRICS_RATE,
      requestTimeoutMs: 10_000,
    },
    {
      handle: async () => ({
        status: 200,
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        body: await registry.render(),
      }),
      rejected: deps.rejected,
      clock: deps.clock,
      log: deps.log,
    },
  );
}
