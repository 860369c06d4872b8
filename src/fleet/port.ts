/** Where a remote host's figures come from. */
export type RemoteSourceKind = 'node_exporter' | 'prometheus';

export interface RemoteFilesystem {
  readonly mount: string;
  readonly device: string;
  readonly fstype: string;
  readonly sizeBytes: number;
  readonly availBytes: number;
}

export interface RemoteInterface {
  readonly name: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface RemoteTemperature {
  readonly chip: string;
  readonly sensor: string;
  readonly celsius: number;
}

/**
 * What node_exporter's metrics say about one host. Every part is optional: an exporter may run
 * with collectors turned off, and a value it does not expose is shown as "not exported".
 */
export interface RemoteSnapshot {
  readonly load?: readonly [number, number, number];
  readonly cpu?: { readonly cores: number; readonly busyPercent?: number };
  readonly memory?: { readonly totalBytes: number; readonly availableBytes: number };
  readonly swap?: { readonly totalBytes: number; readonly freeBytes: number };
  readonly filesystems: readonly RemoteFilesystem[];
  readonly network: readonly RemoteInterface[];
  readonly temperatures: readonly RemoteTemperature[];
  readonly uptimeSeconds?: number;
}

/** Worst first: the Fleet screen sorts by this order. */
export const HOST_STATES = ['down', 'critical', 'warning', 'ok'] as const;
export type HostState = (typeof HOST_STATES)[number];

/** One host as the Fleet screen and the alert watch see it. */
export interface HostStatus {
  readonly name: string;
  readonly source: RemoteSourceKind;
  readonly state: HostState;
  /** Present when the last scrape succeeded. */
  readonly snapshot?: RemoteSnapshot;
  /** Why the host is down (user-safe: never a URL or a credential). */
  readonly error?: string;
}

/** Remote hosts as a port: the Fleet feature and the watch never see HTTP. */
export interface FleetPort {
  /** Names of the configured hosts (Prometheus groups expand to what the server knows). */
  names(): Promise<readonly string[]>;
  /** Every host with its state, read in a bounded number of requests. */
  statuses(): Promise<readonly HostStatus[]>;
  /** One host's figures; throws RemoteHostError when it cannot be read. */
  snapshot(name: string): Promise<RemoteSnapshot>;
}
