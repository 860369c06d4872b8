import type {
  ContainerDetails,
  ContainerSummary,
  ImageDetails,
} from '../../../src/adapters/docker/port';

/** Builders for Docker port values in view and feature tests. */
export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

export function summary(name: string, over: Partial<ContainerSummary> = {}): ContainerSummary {
  const hex = Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64);
  return {
    id: hex.replace(/[^0-9a-f]/g, '0'),
    name,
    image: 'local/busybox:test',
    imageId: `sha256:${'1'.repeat(64)}`,
    state: 'running',
    health: 'none',
    status: 'Up 5 minutes',
    createdAt: NOW - 3_600_000,
    ...over,
  };
}

export function details(name: string, over: Partial<ContainerDetails> = {}): ContainerDetails {
  const s = summary(name);
  return {
    id: s.id,
    name,
    image: 'local/busybox:test',
    imageId: s.imageId,
    state: 'running',
    health: 'none',
    failingStreak: 0,
    createdAt: NOW - 3_600_000,
    startedAt: NOW - 1_800_000,
    restartCount: 0,
    pid: 4242,
    exitCode: 0,
    oomKilled: false,
    dead: false,
    error: '',
    limits: {
      memory: 0,
      memoryReservation: 0,
      cpuQuota: 0,
      cpuPeriod: 0,
      nanoCpus: 0,
      cpusetCpus: '',
      pidsLimit: 0,
      restartPolicy: 'no',
      maxRetries: 0,
    },
    config: {
      user: '',
      workdir: '',
      entrypoint: [],
      cmd: ['/bin/sh', '-c', 'sleep 1'],
      env: [],
      labels: [],
      tty: false,
      hostname: 'abc',
      domainname: '',
      stopSignal: '',
      exposedPorts: [],
      imageVolumes: [],
    },
    network: {
      mode: 'none',
      ports: [],
      networks: [],
      sandboxId: '',
      publishAll: false,
      dns: [],
      dnsSearch: [],
      dnsOptions: [],
      extraHosts: [],
      links: [],
    },
    storage: { mounts: [], binds: [], volumesFrom: [], tmpfs: [] },
    security: {
      privileged: false,
      readonlyRootfs: false,
      oomKillDisable: false,
      init: true,
      securityOpt: [],
      capAdd: [],
      capDrop: [],
    },
    ...over,
  };
}

export function imageDetails(over: Partial<ImageDetails> = {}): ImageDetails {
  return {
    id: `sha256:${'2'.repeat(64)}`,
    tags: ['app:1'],
    digests: [],
    size: 1024 * 1024,
    rootfsType: 'layers',
    createdAt: NOW - 86_400_000,
    parent: '',
    os: 'linux',
    architecture: 'amd64',
    variant: '',
    layers: 3,
    author: '',
    comment: '',
    dockerVersion: '',
    config: {
      user: '',
      workdir: '',
      stopSignal: '',
      entrypoint: [],
      cmd: [],
      shell: [],
      env: [],
      labels: [],
      exposedPorts: [],
      volumes: [],
    },
    ...over,
  };
}
