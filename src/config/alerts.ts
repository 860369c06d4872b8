import { compileNamePattern } from '../alerts/patterns';
import type { ConfigIssue } from '../errors';
import { checkLogPatterns, logWatchConfig } from './logwatch';
import type { AlertsConfig, ConditionKind, RawAlerts } from './types';

const minuteOfDay = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

type Loose = Partial<Record<string, unknown>>;
const loose = (v: unknown): Loose => (typeof v === 'object' && v !== null ? v : {});

/**
 * Checks what the schema cannot: name patterns compile, quiet hours are set whole.
 * Runs on the document as written (it may still hold values the schema rejected).
 */
export function checkAlerts(raw: unknown, issues: ConfigIssue[]): void {
  const docker = loose(loose(raw).docker);
  for (const key of ['include', 'exclude'] as const) {
    const list = docker[key];
    if (!Array.isArray(list)) continue;
    list.forEach((p: unknown, i) => {
      if (typeof p !== 'string') return;
      try {
        compileNamePattern(p);
      } catch (err) {
        issues.push({
          path: `alerts.docker.${key}[${i}]`,
          message: `'${p.slice(0, 60)}': ${(err as Error).message}`,
        });
      }
    });
  }
  const q = loose(loose(raw).quiet_hours);
  const start = typeof q.start === 'string' ? q.start : '';
  const end = typeof q.end === 'string' ? q.end : '';
  if ((start === '') !== (end === ''))
    issues.push({
      path: `alerts.quiet_hours.${start === '' ? 'start' : 'end'}`,
      message: 'set both start and end (HH:MM), or neither',
    });
  checkLogPatterns(raw, issues);
}

/** `alerts:` after validation → typed settings. */
export function alertsConfig(raw: RawAlerts): AlertsConfig {
  const q = raw.quiet_hours;
  const c = raw.conditions;
  const rule = (k: ConditionKind) => ({
    debounceChecks: c[k].debounce_checks,
    hysteresis: c[k].hysteresis,
  });
  return {
    chatId: raw.chat_id !== 0 ? raw.chat_id : undefined,
    threadId: raw.message_thread_id !== 0 ? raw.message_thread_id : undefined,
    settleMs: raw.settle_ms,
    groupWindowMs: Math.round(raw.group_window_seconds * 1000),
    quietHours:
      q.start !== '' && q.end !== ''
        ? { startMinute: minuteOfDay(q.start), endMinute: minuteOfDay(q.end) }
        : undefined,
    severity: { ...raw.severity },
    docker: {
      events: raw.docker.events,
      logLines: raw.docker.log_lines,
      restartLoop: {
        restarts: raw.docker.restart_loop_restarts,
        minutes: raw.docker.restart_loop_minutes,
      },
      stableMs: Math.round(raw.docker.stable_seconds * 1000),
      include: [...raw.docker.include],
      exclude: [...raw.docker.exclude],
    },
    conditions: {
      cpu: rule('cpu'),
      memory: rule('memory'),
      disk: rule('disk'),
      temperature: rule('temperature'),
      swap: rule('swap'),
      load: rule('load'),
      fan: rule('fan'),
    },
    swapThreshold: c.swap.threshold,
    loadPerCoreThreshold: c.load.threshold,
    fanMinRpm: c.fan.min_rpm,
    logWatch: logWatchConfig(raw.log_patterns, raw.log_watch),
  };
}
