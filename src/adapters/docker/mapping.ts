import { arr, bool, num, obj, str, strList, time } from './json';
import type {
  AttachedNetwork,
  ContainerDetails,
  ContainerState,
  ContainerSummary,
  HealthStatus,
  ImageDetails,
  ImageLayer,
  ImageSummary,
  KeyValue,
  MountInfo,
  PortMapping,
} from './port';

const STATES: readonly ContainerState[] = [
  'running',
  'paused',
  'restarting',
  'exited',
  'created',
  'dead',
  'removing',
];

export function containerState(v: unknown): ContainerState {
  const s = str(v).toLowerCase();
  return (STATES as readonly string[]).includes(s) ? (s as ContainerState) : 'unknown';
}

function healthStatus(v: unknown): HealthStatus {
  const s = str(v).toLowerCase();
  return s === 'healthy' || s === 'unhealthy' || s === 'starting' ? s : 'none';
}

/** The list endpoint has no health field before API 1.44; the status text carries it. */
function healthFromStatus(status: string): HealthStatus {
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(health: starting\)/.test(status)) return 'starting';
  return 'none';
}

/** "KEY=value" entries → pairs (an entry without "=" has an empty value). */
export function envPairs(v: unknown): KeyValue[] {
  return strList(v).map((entry) => {
    const i = entry.indexOf('=');
    return i < 0
      ? { key: entry, value: '' }
      : { key: entry.slice(0, i), value: entry.slice(i + 1) };
  });
}

function labelPairs(v: unknown): KeyValue[] {
  return Object.entries(obj(v))
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const keys = (v: unknown): string[] => Object.keys(obj(v));

export function containerSummary(raw: unknown): ContainerSummary {
  const c = obj(raw);
  const names = strList(c.Names);
  const status = str(c.Status);
  const health = obj(c.Health);
  return {
    id: str(c.Id),
    name: (names[0] ?? str(c.Id).slice(0, 12)).replace(/^\//, ''),
    image: str(c.Image),
    imageId: str(c.ImageID),
    state: containerState(c.State),
    health: str(health.Status) !== '' ? healthStatus(health.Status) : healthFromStatus(status),
    status,
    createdAt: num(c.Created) * 1000,
    labels: Object.fromEntries(
      Object.entries(obj(c.Labels)).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
  };
}

/** Port map of `NetworkSettings.Ports` (published and only-exposed). */
function ports(v: unknown): PortMapping[] {
  const out: PortMapping[] = [];
  for (const [container, bindings] of Object.entries(obj(v))) {
    const list = arr(bindings);
    if (list.length === 0) out.push({ container });
    for (const b of list) {
      const o = obj(b);
      const ip = str(o.HostIp);
      out.push({ container, host: `${ip === '' ? '0.0.0.0' : ip}:${str(o.HostPort)}` });
    }
  }
  return out;
}

function networks(v: unknown): AttachedNetwork[] {
  return Object.entries(obj(v)).map(([name, raw]) => {
    const n = obj(raw);
    const ipv4 = str(n.IPAddress);
    const ipv6 = str(n.GlobalIPv6Address);
    const opt = (key: string, value: string): Record<string, string> =>
      value !== '' ? { [key]: value } : {};
    return {
      name,
      ...opt('ipv4', ipv4 !== '' ? `${ipv4}/${num(n.IPPrefixLen)}` : ''),
      ...opt('gateway', str(n.Gateway)),
      ...opt('ipv6', ipv6 !== '' ? `${ipv6}/${num(n.GlobalIPv6PrefixLen)}` : ''),
      ...opt('ipv6Gateway', str(n.IPv6Gateway)),
      ...opt('mac', str(n.MacAddress)),
      ...opt('networkId', str(n.NetworkID)),
      ...opt('endpointId', str(n.EndpointID)),
      aliases: strList(n.Aliases),
    };
  });
}

function mounts(v: unknown): MountInfo[] {
  return arr(v).map((raw) => {
    const m = obj(raw);
    return {
      type: str(m.Type),
      ...(str(m.Name) !== '' ? { name: str(m.Name) } : {}),
      source: str(m.Source),
      destination: str(m.Destination),
      readWrite: bool(m.RW),
      mode: str(m.Mode),
      propagation: str(m.Propagation),
      ...(str(m.Driver) !== '' ? { driver: str(m.Driver) } : {}),
    };
  });
}

export function containerDetails(raw: unknown): ContainerDetails {
  const c = obj(raw);
  const state = obj(c.State);
  const health = obj(state.Health);
  const config = obj(c.Config);
  const host = obj(c.HostConfig);
  const net = obj(c.NetworkSettings);
  const log = arr(health.Log);
  const last = obj(log[log.length - 1]);
  const lastAt = time(last.End) ?? time(last.Start);
  return {
    id: str(c.Id),
    name: str(c.Name).replace(/^\//, ''),
    image: str(config.Image),
    imageId: str(c.Image),
    state: containerState(state.Status),
    health: healthStatus(health.Status),
    failingStreak: num(health.FailingStreak),
    ...(lastAt !== undefined
      ? { lastHealthCheck: { at: lastAt, exitCode: num(last.ExitCode), output: str(last.Output) } }
      : {}),
    createdAt: time(c.Created) ?? 0,
    ...(time(state.StartedAt) !== undefined ? { startedAt: time(state.StartedAt) } : {}),
    ...(time(state.FinishedAt) !== undefined ? { finishedAt: time(state.FinishedAt) } : {}),
    restartCount: num(c.RestartCount),
    pid: num(state.Pid),
    exitCode: num(state.ExitCode),
    oomKilled: bool(state.OOMKilled),
    dead: bool(state.Dead),
    error: str(state.Error),
    limits: limitsOf(host),
    config: configOf(config),
    network: networkOf(host, net),
    storage: storageOf(c, host),
    security: securityOf(host),
  };
}

type Raw = Record<string, unknown>;

function limitsOf(host: Raw): ContainerDetails['limits'] {
  const restart = obj(host.RestartPolicy);
  return {
    memory: num(host.Memory),
    memoryReservation: num(host.MemoryReservation),
    cpuQuota: num(host.CpuQuota),
    cpuPeriod: num(host.CpuPeriod),
    nanoCpus: num(host.NanoCpus),
    cpusetCpus: str(host.CpusetCpus),
    pidsLimit: num(host.PidsLimit),
    restartPolicy: str(restart.Name) || 'no',
    maxRetries: num(restart.MaximumRetryCount),
  };
}

function configOf(config: Raw): ContainerDetails['config'] {
  const stopTimeout = config.StopTimeout;
  return {
    user: str(config.User),
    workdir: str(config.WorkingDir),
    entrypoint: strList(config.Entrypoint),
    cmd: strList(config.Cmd),
    env: envPairs(config.Env),
    labels: labelPairs(config.Labels),
    tty: bool(config.Tty),
    hostname: str(config.Hostname),
    domainname: str(config.Domainname),
    stopSignal: str(config.StopSignal),
    ...(typeof stopTimeout === 'number' ? { stopTimeout } : {}),
    exposedPorts: keys(config.ExposedPorts),
    imageVolumes: keys(config.Volumes),
  };
}

function networkOf(host: Raw, net: Raw): ContainerDetails['network'] {
  return {
    mode: str(host.NetworkMode),
    ports: ports(net.Ports),
    networks: networks(net.Networks),
    sandboxId: str(net.SandboxID),
    publishAll: bool(host.PublishAllPorts),
    dns: strList(host.Dns),
    dnsSearch: strList(host.DnsSearch),
    dnsOptions: strList(host.DnsOptions),
    extraHosts: strList(host.ExtraHosts),
    links: strList(host.Links),
  };
}

function storageOf(c: Raw, host: Raw): ContainerDetails['storage'] {
  return {
    mounts: mounts(c.Mounts),
    binds: strList(host.Binds),
    volumesFrom: strList(host.VolumesFrom),
    tmpfs: Object.entries(obj(host.Tmpfs)).map(([key, value]) => ({ key, value: str(value) })),
  };
}

function securityOf(host: Raw): ContainerDetails['security'] {
  return {
    privileged: bool(host.Privileged),
    readonlyRootfs: bool(host.ReadonlyRootfs),
    oomKillDisable: bool(host.OomKillDisable),
    init: bool(host.Init),
    securityOpt: strList(host.SecurityOpt),
    capAdd: strList(host.CapAdd),
    capDrop: strList(host.CapDrop),
  };
}

/** Tags without the engine's "<none>:<none>" placeholder. */
const realTags = (v: unknown): string[] => strList(v).filter((t) => t !== '<none>:<none>');
const realDigests = (v: unknown): string[] => strList(v).filter((d) => d !== '<none>@<none>');

export function imageSummary(raw: unknown): ImageSummary {
  const i = obj(raw);
  return {
    id: str(i.Id),
    tags: realTags(i.RepoTags),
    digests: realDigests(i.RepoDigests),
    size: num(i.Size),
    // -1 when the list was asked without shared-size.
    ...(typeof i.SharedSize === 'number' && i.SharedSize >= 0 ? { sharedSize: i.SharedSize } : {}),
    createdAt: num(i.Created) * 1000,
  };
}

export function imageDetails(raw: unknown): ImageDetails {
  const i = obj(raw);
  const config = obj(i.Config);
  const hc = obj(config.Healthcheck);
  const test = strList(hc.Test);
  return {
    id: str(i.Id),
    tags: realTags(i.RepoTags),
    digests: realDigests(i.RepoDigests),
    size: num(i.Size),
    createdAt: time(i.Created) ?? 0,
    parent: str(i.Parent),
    os: str(i.Os),
    architecture: str(i.Architecture),
    variant: str(i.Variant),
    layers: arr(obj(i.RootFS).Layers).length,
    rootfsType: str(obj(i.RootFS).Type),
    ...(typeof i.VirtualSize === 'number' && i.VirtualSize > 0
      ? { virtualSize: i.VirtualSize }
      : {}),
    author: str(i.Author),
    comment: str(i.Comment),
    dockerVersion: str(i.DockerVersion),
    config: {
      user: str(config.User),
      workdir: str(config.WorkingDir),
      stopSignal: str(config.StopSignal),
      entrypoint: strList(config.Entrypoint),
      cmd: strList(config.Cmd),
      shell: strList(config.Shell),
      env: envPairs(config.Env),
      labels: labelPairs(config.Labels),
      exposedPorts: keys(config.ExposedPorts),
      volumes: keys(config.Volumes),
      ...(test.length > 0
        ? {
            healthcheck: {
              test,
              intervalNs: num(hc.Interval),
              timeoutNs: num(hc.Timeout),
              startPeriodNs: num(hc.StartPeriod),
              retries: num(hc.Retries),
            },
          }
        : {}),
    },
  };
}

export function imageLayers(raw: unknown): ImageLayer[] {
  return arr(raw).map((l) => {
    const o = obj(l);
    return {
      id: str(o.Id) || '<missing>',
      createdAt: num(o.Created) * 1000,
      size: num(o.Size),
      createdBy: str(o.CreatedBy),
      comment: str(o.Comment),
    };
  });
}
