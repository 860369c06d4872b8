import type { ConfigIssue } from '../errors';
import { timeZoneIssues } from './checks';

/** `report:` as written (after schema defaults). */
export interface RawReport {
  daily: string;
  weekly: string;
  timezone: string;
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Scheduled reports; both undefined: off. */
export interface ReportConfig {
  /** Minute of the local day. */
  readonly daily: number | undefined;
  /** Day of the week (0 = Sunday) and minute of that local day. */
  readonly weekly: { readonly weekday: number; readonly minute: number } | undefined;
  /** IANA time zone the times are in. */
  readonly timeZone: string;
}

const minuteOf = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** An unknown time zone (the schema checks the time formats). */
export function reportIssues(raw: unknown): ConfigIssue[] {
  const zone = (raw as { report?: { timezone?: unknown } } | undefined)?.report?.timezone;
  return timeZoneIssues(zone, 'report.timezone');
}

/** The typed `report` section; an empty time zone becomes the system's. */
export function reportConfig(r: RawReport): ReportConfig {
  const [day = '', time = ''] = r.weekly.split(' ');
  return {
    daily: r.daily === '' ? undefined : minuteOf(r.daily),
    weekly:
      r.weekly === ''
        ? undefined
        : { weekday: WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]), minute: minuteOf(time) },
    timeZone: r.timezone !== '' ? r.timezone : Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}
