import type { DockerPort } from '../adapters/docker/port';
import type { SystemPort } from '../adapters/system/system-port';
import type { FleetPort } from './port';
import { MetricsRegistry, type Counter, type Histogram } from './metrics-registry';

/** Reply latency buckets in seconds: a Telegram round trip is 0.05–2 s. */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Host, Docker and fleet figures are refreshed in the background once older than this. */
const BACKGROUND = { maxAgeMs: 10_000 };

/** The counters other parts of the bot feed; the rest is collected at scrape time. */
export interface BotMetrics {
  readonly registry: MetricsRegistry;
  readonly updates: Counter;
  readonly replySeconds: Histogram;
  readonly alerts: Counter;
  readonly webhookRejections: Counter;
  readonly bans: Counter;
  readonly telegramErrors: Counter;
}

export interface MetricSources {
  readonly now: () => number;
  readonly system: SystemPort;
  readonly docker: DockerPort | undefined;
  readonly fleet: FleetPort | undefined;
  readonly startedAt: number;
}

/** tmbot's own metrics: the bot, this host, its Docker containers and the fleet's up/down. */
export function createBotMetrics(src: MetricSources): BotMetrics {
  const r = new MetricsRegistry(src.now);
  const metrics: BotMetrics = {
    registry: r,
    updates: r.counter('tmbot_updates_total', 'Telegram updates handled, by kind.'),
    replySeconds: r.histogram(
      'tmbot_reply_seconds',
      'Time from an update to its handler finishing (the reply sent).',
      LATENCY_BUCKETS,
    ),
    alerts: r.counter('tmbot_alerts_total', 'Alert notifications sent, by severity and state.'),
    webhookRejections: r.counter(
      'tmbot_webhook_rejections_total',
      'Requests refused by the Telegram webhook, the Alertmanager receiver or /metrics, by endpoint and reason.',
    ),
    bans: r.counter('tmbot_bans_total', 'Addresses banned by the Telegram webhook.'),
    telegramErrors: r.counter(
      'tmbot_telegram_api_errors_total',
      'Telegram Bot API errors, by code.',
    ),
  };
  hostCollectors(r, src);
  if (src.docker !== undefined) dockerCollectors(r, src.docker);
  if (src.fleet !== undefined) fleetCollector(r, src.fleet);
  return metrics;
}

/** The tmbot process and the host it runs on. */
function hostCollectors(r: MetricsRegistry, src: MetricSources): void {
  const started = r.gauge('tmbot_start_time_seconds', 'When this tmbot process started.');
  started.set(src.startedAt / 1000);
  const rss = r.gauge('tmbot_process_resident_memory_bytes', 'Resident memory of tmbot.');
  const load = r.gauge('tmbot_host_load', 'Load average of the host tmbot runs on, by window.');
  const mem = r.gauge('tmbot_host_memory_bytes', 'Memory of the host, by kind (total, available).');
  const fs = r.gauge('tmbot_host_filesystem_bytes', 'File systems of the host, by mount and kind.');
  const uptime = r.gauge('tmbot_host_uptime_seconds', 'Uptime of the host.');
  r.collect(async () => {
    rss.set(await src.system.processRss());
  });
  r.collect(async () => {
    const [l, m, f, u] = await Promise.all([
      src.system.loadAverage(),
      src.system.memory(),
      src.system.filesystems(),
      src.system.uptime(),
    ]);
    load.setAll([
      { labels: { window: '1m' }, value: l.one },
      { labels: { window: '5m' }, value: l.five },
      { labels: { window: '15m' }, value: l.fifteen },
    ]);
    mem.setAll([
      { labels: { kind: 'total' }, value: m.totalBytes },
      { labels: { kind: 'available' }, value: m.availableBytes },
    ]);
    fs.setAll(
      f.flatMap((x) =>
        x.sizeBytes === undefined || x.freeBytes === undefined
          ? []
          : [
              { labels: { mount: x.mountPoint, kind: 'size' }, value: x.sizeBytes },
              { labels: { mount: x.mountPoint, kind: 'free' }, value: x.freeBytes },
            ],
      ),
    );
    uptime.set(u.seconds);
  }, BACKGROUND);
}

/** Containers per Docker host: counts by state, and one series per container. */
function dockerCollectors(r: MetricsRegistry, docker: DockerPort): void {
  const byState = r.gauge('tmbot_docker_containers', 'Containers per Docker host, by state.');
  const running = r.gauge(
    'tmbot_container_running',
    'Whether a container runs (1) or not (0), per Docker host.',
  );
  r.collect(async () => {
    const lists = await Promise.all(
      docker.hosts.map((h) =>
        docker.listContainers(h.index).then(
          (list) => ({ host: h.label, list }),
          () => ({ host: h.label, list: [] }),
        ),
      ),
    );
    const counts = new Map<string, { labels: { host: string; state: string }; value: number }>();
    for (const { host, list } of lists) {
      for (const c of list) {
        const key = `${host}\u0000${c.state}`;
        const e = counts.get(key) ?? { labels: { host, state: c.state }, value: 0 };
        e.value++;
        counts.set(key, e);
      }
    }
    byState.setAll([...counts.values()]);
    running.setAll(
      lists.flatMap(({ host, list }) =>
        list.map((c) => ({
          labels: { host, name: c.name, image: c.image },
          value: c.state === 'running' ? 1 : 0,
        })),
      ),
    );
  }, BACKGROUND);
}

/** Whether each remote host can be read. */
function fleetCollector(r: MetricsRegistry, fleet: FleetPort): void {
  const up = r.gauge(
    'tmbot_remote_host_up',
    'Whether tmbot can read a remote host (1) or not (0).',
  );
  r.collect(async () => {
    const statuses = await fleet.statuses();
    up.setAll(
      statuses.map((s) => ({ labels: { host: s.name }, value: s.state === 'down' ? 0 : 1 })),
    );
  }, BACKGROUND);
}
