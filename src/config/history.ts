import type { ConfigIssue } from '../errors';
import { timeZoneIssues } from './checks';
import type { HistoryConfig, RawConfig } from './types';

/** Problems in the `history` section that the schema cannot see (an unknown time zone). */
export function historyIssues(raw: Partial<RawConfig>): ConfigIssue[] {
  return timeZoneIssues(raw.history?.time_zone, 'history.time_zone');
}

/** The typed `history` section; an empty time zone becomes the system's. */
export function historyConfig(raw: RawConfig): HistoryConfig {
  const h = raw.history;
  return {
    enabled: h.enabled,
    intervalSeconds: h.interval,
    maxBytes: h.max_size_mb * 1024 * 1024,
    maxContainers: h.max_containers,
    maxSeries: h.max_series,
    timeZone: h.time_zone !== '' ? h.time_zone : Intl.DateTimeFormat().resolvedOptions().timeZone,
    forecastAlertDays: h.forecast_alert_days,
    alertCharts: h.alert_charts,
  };
}
