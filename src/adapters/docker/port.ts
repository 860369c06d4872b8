/**
 * The Docker port features use. One real implementation (`DockerodePort`, over
 * dockerode); unit tests pass small in-memory fakes. Every call names its host
 * by index into `hosts`, so a screen keeps showing the host it was opened on.
 * Calls to an engine that cannot be reached reject with `DockerUnavailableError`.
 */
export interface DockerPort {
  /** Configured hosts in config order; never empty. */
  readonly hosts: readonly DockerHostRef[];
  /** Engine version and round trip; never throws (health screen). */
  ping(host: number): Promise<DockerPing>;
  /** Counts for overview screens: containers (all states) and images (top-level, as `docker images`). */
  summary(host: number): Promise<DockerSummary>;
  listContainers(host: number): Promise<ContainerSummary[]>;
  /** Undefined when no such container exists (any more). */
  inspectContainer(host: number, id: string): Promise<ContainerDetails | undefined>;
  /** Live usage from one-shot stats with CPU % against this adapter's previous sample; undefined if not running. */
  containerStats(host: number, id: string): Promise<ContainerLiveStats | undefined>;
  logs(host: number, id: string, query: LogQuery): Promise<LogText>;
  /** Performs a lifecycle action; the caller reads the state back with `inspectContainer`. */
  act(host: number, id: string, action: ContainerAction): Promise<void>;
  listImages(host: number): Promise<ImageSummary[]>;
  /** Undefined when no such image exists (any more). */
  inspectImage(host: number, id: string): Promise<ImageDetails | undefined>;
  imageHistory(host: number, id: string): Promise<ImageLayer[]>;
  /** Throws `DockerUnavailableError` for the first host that does not answer (strict_access). */
  assertReachable(): Promise<void>;
}

export interface DockerHostRef {
  readonly index: number;
  /** As configured, without any password: `unix:///var/run/docker.sock`. */
  readonly label: string;
}

export type DockerPing =
  | {
      readonly ok: true;
      readonly host: string;
      readonly latencyMs: number;
      readonly version: string;
      readonly apiVersion: string;
    }
  | {
      readonly ok: false;
      readonly host: string;
      readonly reason: string;
      /** The system error code behind it (ENOENT, ECONNREFUSED…) or the HTTP status, when known. */
      readonly code?: string;
      readonly statusCode?: number;
    };

export interface DockerSummary {
  readonly running: number;
  readonly total: number;
  readonly images: number;
}

export type ContainerState =
  'running' | 'paused' | 'restarting' | 'exited' | 'created' | 'dead' | 'removing' | 'unknown';
export type HealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface ContainerSummary {
  /** Full 64-hex id. */
  readonly id: string;
  /** Without the leading slash; exactly as the engine has it. */
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly state: ContainerState;
  readonly health: HealthStatus;
  /** The engine's words: "Up 3 minutes (healthy)", "Exited (0) 2 hours ago". */
  readonly status: string;
  /** ms since the epoch. */
  readonly createdAt: number;
  /** The container's labels (e.g. `tmbot.alerts=false` opts it out of alerts). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface PortMapping {
  /** "80/tcp" */
  readonly container: string;
  /** "0.0.0.0:8080"; undefined when only exposed. */
  readonly host?: string | undefined;
}

export interface MountInfo {
  readonly type: string;
  readonly name?: string | undefined;
  readonly source: string;
  readonly destination: string;
  readonly readWrite: boolean;
  readonly mode: string;
  readonly propagation: string;
  readonly driver?: string | undefined;
}

export interface AttachedNetwork {
  readonly name: string;
  readonly ipv4?: string | undefined;
  readonly gateway?: string | undefined;
  readonly ipv6?: string | undefined;
  readonly ipv6Gateway?: string | undefined;
  readonly mac?: string | undefined;
  readonly networkId?: string | undefined;
  readonly endpointId?: string | undefined;
  readonly aliases: readonly string[];
}

export interface HealthCheckResult {
  readonly at: number;
  readonly exitCode: number;
  readonly output: string;
}

/** Everything one `inspect` says that the details, volumes, networks and runtime screens show. */
export interface ContainerDetails extends Omit<ContainerSummary, 'status'> {
  readonly failingStreak: number;
  readonly lastHealthCheck?: HealthCheckResult | undefined;
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
  readonly restartCount: number;
  readonly pid: number;
  readonly exitCode: number;
  readonly oomKilled: boolean;
  readonly dead: boolean;
  readonly error: string;
  readonly limits: {
    readonly memory: number;
    readonly memoryReservation: number;
    readonly cpuQuota: number;
    readonly cpuPeriod: number;
    readonly nanoCpus: number;
    readonly cpusetCpus: string;
    readonly pidsLimit: number;
    readonly restartPolicy: string;
    readonly maxRetries: number;
  };
  readonly config: {
    readonly user: string;
    readonly workdir: string;
    readonly entrypoint: readonly string[];
    readonly cmd: readonly string[];
    readonly env: readonly KeyValue[];
    readonly labels: readonly KeyValue[];
    readonly tty: boolean;
    readonly hostname: string;
    readonly domainname: string;
    readonly stopSignal: string;
    readonly stopTimeout?: number | undefined;
    readonly exposedPorts: readonly string[];
    readonly imageVolumes: readonly string[];
  };
  readonly network: {
    readonly mode: string;
    readonly ports: readonly PortMapping[];
    readonly networks: readonly AttachedNetwork[];
    readonly sandboxId: string;
    readonly publishAll: boolean;
    readonly dns: readonly string[];
    readonly dnsSearch: readonly string[];
    readonly dnsOptions: readonly string[];
    readonly extraHosts: readonly string[];
    readonly links: readonly string[];
  };
  readonly storage: {
    readonly mounts: readonly MountInfo[];
    readonly binds: readonly string[];
    readonly volumesFrom: readonly string[];
    readonly tmpfs: readonly KeyValue[];
  };
  readonly security: {
    readonly privileged: boolean;
    readonly readonlyRootfs: boolean;
    readonly oomKillDisable: boolean;
    readonly init: boolean;
    readonly securityOpt: readonly string[];
    readonly capAdd: readonly string[];
    readonly capDrop: readonly string[];
  };
}

export interface ContainerLiveStats {
  readonly memoryUsed: number;
  readonly memoryLimit: number;
  /** Undefined until this adapter has two samples of the container. */
  readonly cpuPercent?: number | undefined;
  readonly netRx: number;
  readonly netTx: number;
  readonly rxErrors: number;
  readonly txErrors: number;
  readonly throttledPeriods: number;
  readonly pids: number;
}

/** What part of the log to read. */
export type LogQuery = (
  | { readonly kind: 'tail'; readonly lines: number }
  | { readonly kind: 'since'; readonly seconds: number; readonly maxLines: number }
) & {
  /** Each line starts with the engine's RFC 3339 timestamp and a space. */
  readonly timestamps?: boolean;
};

export interface LogText {
  /** stdout and stderr interleaved as the engine returns them; invalid UTF-8 replaced. */
  readonly text: string;
  /** The engine sent more than this adapter keeps (bytes cap); the oldest part was dropped. */
  readonly clipped: boolean;
}

export const CONTAINER_ACTIONS = [
  'start',
  'stop',
  'restart',
  'pause',
  'unpause',
  'kill',
  'remove',
] as const;
export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

export interface ImageSummary {
  /** "sha256:<64 hex>". */
  readonly id: string;
  /** "repo:tag" entries; empty for an untagged image. */
  readonly tags: readonly string[];
  /** "repo@sha256:…" entries; empty for a locally built image. */
  readonly digests: readonly string[];
  readonly size: number;
  /** Bytes shared with other images (layers in common); undefined when the engine did not say. */
  readonly sharedSize?: number | undefined;
  readonly createdAt: number;
}

export interface ImageDetails extends ImageSummary {
  /** Older engines' VirtualSize (the image with its parents); undefined where the API dropped it. */
  readonly virtualSize?: number | undefined;
  /** RootFS.Type ("layers"). */
  readonly rootfsType: string;
  readonly parent: string;
  readonly os: string;
  readonly architecture: string;
  readonly variant: string;
  readonly layers: number;
  readonly author: string;
  readonly comment: string;
  readonly dockerVersion: string;
  readonly config: {
    readonly user: string;
    readonly workdir: string;
    readonly stopSignal: string;
    readonly entrypoint: readonly string[];
    readonly cmd: readonly string[];
    readonly shell: readonly string[];
    readonly env: readonly KeyValue[];
    readonly labels: readonly KeyValue[];
    readonly exposedPorts: readonly string[];
    readonly volumes: readonly string[];
    readonly healthcheck?:
      | {
          readonly test: readonly string[];
          readonly intervalNs: number;
          readonly timeoutNs: number;
          readonly startPeriodNs: number;
          readonly retries: number;
        }
      | undefined;
  };
}

export interface ImageLayer {
  /** "sha256:…" or "<missing>". */
  readonly id: string;
  readonly createdAt: number;
  readonly size: number;
  readonly createdBy: string;
  readonly comment: string;
}
