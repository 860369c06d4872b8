import type { AlertKind } from '../alerts/types';
import type { ChartResult, ChartTarget, HostMetric } from './service';

/** What an alert says about its subject, as far as picking a chart goes. */
export interface AlertChartSubject {
  readonly kind: AlertKind;
  /** A container name, "Disk /", "cpu"… */
  readonly target: string;
  /** The Docker host's label for container alerts. */
  readonly host: string;
  /** A host condition of the machine tmbot runs on (the one history samples). */
  readonly local: boolean;
}

/** The host condition each alert kind is about (fans have no history series). */
const HOST_CHART: Partial<Readonly<Record<AlertKind, HostMetric>>> = {
  cpu: 'cpu',
  memory: 'mem',
  swap: 'mem',
  load: 'load',
  disk: 'disk',
  temperature: 'temp',
};

/** Container alerts that come with a chart: memory for an OOM kill, CPU otherwise. */
const CONTAINER_CHART: Partial<Readonly<Record<AlertKind, 'cpu' | 'mem'>>> = {
  container_died: 'cpu',
  container_oom: 'mem',
  container_unhealthy: 'cpu',
  restart_loop: 'cpu',
};

/**
 * The history chart that gives an alert its context, if any: host conditions of the
 * host tmbot runs on, and containers of a configured Docker host (by label). News
 * (created, removed, new image), fans and other machines have none.
 */
export function alertChartTarget(
  alert: AlertChartSubject,
  dockerHosts: readonly { readonly index: number; readonly label: string }[],
): ChartTarget | undefined {
  const hostMetric = HOST_CHART[alert.kind];
  if (hostMetric !== undefined)
    return alert.local ? { kind: 'host', metric: hostMetric } : undefined;
  const metric = CONTAINER_CHART[alert.kind];
  const host = dockerHosts.find((h) => h.label === alert.host);
  if (metric === undefined || host === undefined) return undefined;
  return { kind: 'container', host: host.index, name: alert.target, metric };
}

/** A chart drawn for an alert, with its title (the caption's first line). */
export type DrawnChart = Extract<ChartResult, { kind: 'chart' }> & { readonly title: string };

/** Draws an alert's chart; undefined when it has none, no data yet, or the renderer is busy. */
export type AlertChart = (alert: AlertChartSubject) => Promise<DrawnChart | undefined>;
