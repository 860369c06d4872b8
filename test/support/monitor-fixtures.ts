import type { DockerEventsPort } from '../../src/adapters/docker/events-port';
import type { DockerLogFollowPort } from '../../src/adapters/docker/log-follow-port';
import type { DockerPort } from '../../src/adapters/docker/port';
import type { MonitorConfig } from '../../src/config/types';

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
