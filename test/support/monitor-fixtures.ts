import type { DockerEventsPort } from '../../src/adapters/docker/events-port';
import type { DockerLogFollowPort } from '../../src/adapters/docker/log-follow-port';
import type { DockerPort } from '../../src/adapters/docker/port';
import { ALERT_KINDS, type AlertKind, type Severity } from '../../src/alerts/types';
import type { AlertsConfig, MonitorConfig } from '../../src/config/types';

const unused = (): Promise<never> => Promise.reject(new Error('unused'));

/** A Docker port for monitor tests that never reach Docker (monitor_docker: false): every call fails. */
export function unusedDocker(
  hosts: DockerPort['hosts'] = [],
): DockerPort & DockerEventsPort & DockerLogFollowPort {
  return {
    hosts,
    ping: unused,
    summary: unused,
    listContainers: unused,
    inspectContainer: unused,
    containerStats: unused,
    logs: unused,
    act: unused,
    listImages: unused,
    inspectImage: unused,
    imageHistory: unused,
    assertReachable: unused,
    subscribe: unused,
    followLogs: unused,
  };
}

/** pyTMBot's monitor section with its sample thresholds, Docker watching off. */
export const MONITOR_CONFIG: MonitorConfig = {
  thresholds: {
    cpu: 80,
    memory: 80,
    disk: 80,
    cpuTemperature: 85,
    gpuTemperature: 90,
    diskTemperature: 60,
  },
  maxNotifications: 10,
  checkIntervalSeconds: 5,
  resetNotificationSeconds: 300,
  retryAttempts: 3,
  retryIntervalSeconds: 10,
  monitorDocker: false,
};

const rule = { debounceChecks: 2, hysteresis: 5 };
/** Alert settings for monitor tests: every kind a warning, sent at once, debounce 2 checks. */
export function alertsConfig(over: Partial<AlertsConfig> = {}): AlertsConfig {
  return {
    chatId: undefined,
    threadId: undefined,
    // Sent at once, so each check's alert is visible right after it.
    settleMs: 0,
    groupWindowMs: 0,
    quietHours: undefined,
    severity: Object.fromEntries(ALERT_KINDS.map((k) => [k, 'warning'])) as Record<
      AlertKind,
      Severity
    >,
    docker: {
      events: true,
      logLines: 10,
      restartLoop: { restarts: 3, minutes: 5 },
      stableMs: 30_000,
      include: [],
      exclude: [],
    },
    conditions: {
      cpu: rule,
      memory: rule,
      disk: rule,
      temperature: rule,
      swap: rule,
      load: { debounceChecks: 2, hysteresis: 0.5 },
      fan: { debounceChecks: 2, hysteresis: 0 },
    },
    swapThreshold: 80,
    loadPerCoreThreshold: 2,
    fanMinRpm: 1,
    logWatch: { patterns: [], maxLineBytes: 4096, matchTimeoutMs: 250, maxContainers: 100 },
    ...over,
  };
}
