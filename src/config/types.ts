import type { AlertKind, Severity } from '../alerts/types';
import type { LogWatchConfig, RawLogPattern, RawLogWatch } from './logwatch';
import type { RawReport, ReportConfig } from './report';

/** The validated, normalised configuration. Frozen and passed in; never a global. */
export interface Config {
  readonly configVersion: string;
  readonly mode: 'prod' | 'dev';
  /** The token for the chosen mode. */
  readonly botToken: string;
  readonly telegram: { readonly apiRoot: string };
  /** Where /check_bot_updates reads tmbot's latest release. */
  readonly botUpdates: { readonly releaseFeedUrl: string; readonly timeoutMs: number };
  readonly stateDir: string | undefined;
  readonly access: {
    readonly userIds: readonly number[];
    readonly adminIds: readonly number[];
    readonly chatIds: readonly number[];
    readonly authSalt: string;
    /** Length of a 2FA session after a good code. */
    readonly sessionMinutes: number;
    /** Per-user limit: at most `requests` per `windowMs` (sliding). */
    readonly rateLimit: { readonly requests: number; readonly windowMs: number };
  };
  /** Chats that receive security alerts and notices. */
  readonly adminChatIds: readonly number[];
  readonly docker: {
    readonly hosts: readonly string[];
    readonly debug: boolean;
    readonly strictAccess: boolean;
    /** Files for tcp:// hosts; undefined means plain HTTP (only sensible on a private network). */
    readonly tls:
      { readonly ca?: string; readonly cert?: string; readonly key?: string } | undefined;
    /** Safe image updates (docs/updates.md); undefined when off. */
    readonly imageUpdates:
      | {
          readonly startTimeoutMs: number;
          readonly minUpMs: number;
          readonly keepMs: number;
          /** `tmbot.update=auto` containers are updated during maintenance. */
          readonly auto: boolean;
        }
      | undefined;
    /** A Docker config.json with registry credentials for update checks; undefined: anonymous. */
    readonly registryAuthFile: string | undefined;
  };
  readonly webhook: {
    readonly url: string;
    readonly publicPort: number;
    readonly localPort: number;
    readonly cert: string | undefined;
    readonly certKey: string | undefined;
    readonly trustedProxies: readonly string[];
    readonly extraRanges: readonly string[];
    /** setWebhook max_connections. */
    readonly maxConnections: number;
    readonly dropPendingUpdates: boolean;
    /** Headers and body must arrive within this (slowloris guard). */
    readonly requestTimeoutMs: number;
    readonly rateLimit: {
      readonly limit: number;
      readonly unknownPathLimit: number;
      readonly windowMs: number;
    };
    readonly ban: {
      readonly threshold: number;
      readonly windowMs: number;
      readonly durationMs: number;
    };
    /** 0 disables either trigger. */
    readonly rotation: {
      readonly afterRequests: number;
      readonly intervalMs: number;
      readonly graceMs: number;
    };
  };
  readonly alerts: AlertsConfig;
  readonly plugins: {
    readonly monitor: MonitorConfig;
    readonly outline: { readonly apiUrl: string; readonly cert: string };
  };
  readonly influxdb: {
    readonly url: string;
    readonly token: string;
    readonly org: string;
    readonly bucket: string;
    readonly debugMode: boolean;
    readonly version: 1 | 2;
  };
  /** Remote hosts, the Alertmanager receiver and /metrics (docs/fleet.md). */
  readonly fleet: FleetConfig;
  readonly history: HistoryConfig;
  /** Scheduled reports (docs/reports.md). */
  readonly report: ReportConfig;
  /** Every secret value, for the log redactor. */
  readonly secrets: readonly string[];
}

/** Metric history, charts and forecasts (docs/history.md). */
export interface HistoryConfig {
  readonly enabled: boolean;
  readonly intervalSeconds: number;
  readonly maxBytes: number;
  readonly maxContainers: number;
  readonly maxSeries: number;
  /** IANA zone for chart axes. */
  readonly timeZone: string;
  /** 0 disables the disk-full forecast alert. */
  readonly forecastAlertDays: number;
  /** A single host-condition or container alert is followed by the last hour's chart. */
  readonly alertCharts: boolean;
}

export interface MonitorConfig {
  readonly thresholds: {
    readonly cpu: number;
    readonly memory: number;
    readonly disk: number;
    readonly cpuTemperature: number;
    readonly gpuTemperature: number;
    readonly diskTemperature: number;
  };
  readonly maxNotifications: number;
  readonly checkIntervalSeconds: number;
  /** pyTMBot's `reset_notification_count`: the budget window, in seconds as pyTMBot reads it. */
  readonly resetNotificationSeconds: number;
  readonly retryAttempts: number;
  readonly retryIntervalSeconds: number;
  readonly monitorDocker: boolean;
}

/** Host conditions with their own debounce and hysteresis. */
export type ConditionKind = 'cpu' | 'memory' | 'disk' | 'temperature' | 'swap' | 'load' | 'fan';

export interface ConditionRule {
  readonly debounceChecks: number;
  readonly hysteresis: number;
}

/** The alert engine's settings (`alerts.*`). */
export interface AlertsConfig {
  /** An extra chat for alerts besides every global_chat_id, with an optional forum topic. */
  readonly chatId: number | undefined;
  readonly threadId: number | undefined;
  readonly settleMs: number;
  readonly groupWindowMs: number;
  /** Minutes of the day; undefined when off. */
  readonly quietHours: { readonly startMinute: number; readonly endMinute: number } | undefined;
  readonly severity: Readonly<Record<AlertKind, Severity>>;
  readonly docker: {
    readonly events: boolean;
    readonly logLines: number;
    readonly restartLoop: { readonly restarts: number; readonly minutes: number };
    readonly stableMs: number;
    /** Validated name patterns (glob or /regex/). */
    readonly include: readonly string[];
    readonly exclude: readonly string[];
  };
  readonly conditions: Readonly<Record<ConditionKind, ConditionRule>>;
  readonly swapThreshold: number;
  readonly loadPerCoreThreshold: number;
  readonly fanMinRpm: number;
  /** Log-pattern alerts (docs/log-alerts.md). */
  readonly logWatch: LogWatchConfig;
}

/** `hosts:` and `fleet:` as the YAML has them after schema defaults (snake_case). */
export interface RawEndpoint {
  url: string;
  bearer_token: string;
  basic_auth: { username: string; password: string };
  ca_file: string;
  fingerprint_sha256: string;
  timeout_seconds: number;
  max_response_bytes: number;
}

export interface RawHost {
  name: string;
  node_exporter?: RawEndpoint;
  prometheus?: RawEndpoint & { selector: string; host_label: string };
}

export interface RawFleet {
  scrape_interval_seconds: number;
  unreachable_after: number;
  warning_margin_percent: number;
  page_size: number;
  receiver: {
    enabled: boolean;
    listen: string;
    port: number;
    path: string;
    bearer_token: string;
    max_body_kb: number;
    rate_limit: number;
    rate_limit_window_seconds: number;
    request_timeout_seconds: number;
  };
  alertmanager: RawEndpoint & { privileged: boolean };
  metrics: { enabled: boolean; listen: string; port: number; bearer_token: string };
}

/** The YAML document after list normalisation and schema defaults (snake_case as in the file). */
export interface RawConfig {
  config_version?: string;
  state_dir?: string;
  telegram: { api_root: string };
  bot_updates: { release_feed_url: string; timeout_seconds: number };
  bot_token: { prod_token: string; dev_bot_token: string };
  access_control: {
    allowed_user_ids: number[];
    allowed_admins_ids: number[];
    auth_salt: string;
    allowed_chat_ids: number[];
    session_minutes: number;
    rate_limit: { requests: number; per_seconds: number };
  };
  chat_id: { global_chat_id: number[] };
  docker: {
    host: string[];
    debug_docker_client: boolean;
    strict_access: boolean;
    tls_ca: string;
    tls_cert: string;
    tls_key: string;
    image_updates: {
      enabled: boolean;
      start_timeout_seconds: number;
      min_up_seconds: number;
      keep_days: number;
      auto: boolean;
    };
    registry_auth_file: string;
  };
  webhook_config: {
    url: string;
    webhook_port: number;
    local_port: number;
    cert: string;
    cert_key: string;
    trusted_proxy_ips: string[];
    additional_telegram_ip_ranges: string[];
    max_connections: number;
    drop_pending_updates: boolean;
    request_timeout_seconds: number;
    rate_limit: number;
    unknown_path_rate_limit: number;
    rate_limit_window_seconds: number;
    ban_threshold: number;
    ban_window_seconds: number;
    ban_duration_seconds: number;
    rotate_after_requests: number;
    rotate_interval_hours: number;
    rotation_grace_seconds: number;
  };
  plugins_config: {
    monitor: {
      tracehold: {
        cpu_usage_threshold: number;
        memory_usage_threshold: number;
        disk_usage_threshold: number;
        cpu_temperature_threshold: number;
        gpu_temperature_threshold: number;
        disk_temperature_threshold: number;
      };
      max_notifications: number;
      check_interval: number;
      reset_notification_count: number;
      retry_attempts: number;
      retry_interval: number;
      monitor_docker: boolean;
    };
    outline: { api_url: string; cert: string };
  };
  alerts: RawAlerts;
  report: RawReport;
  influxdb: {
    url: string;
    token: string;
    org: string;
    bucket: string;
    debug_mode: boolean;
    version: 1 | 2;
  };
  history: {
    enabled: boolean;
    interval: number;
    max_size_mb: number;
    max_containers: number;
    max_series: number;
    time_zone: string;
    forecast_alert_days: number;
    alert_charts: boolean;
  };
  hosts: RawHost[];
  fleet: RawFleet;
}

/** How to authenticate and trust a remote endpoint (node_exporter, Prometheus, Alertmanager). */
export interface EndpointAuth {
  readonly bearerToken?: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** PEM of the CA that signed the server's certificate (read from ca_file at load). */
  readonly ca?: string;
  /** SHA-256 fingerprint of the server's certificate (hex): pinned, so no CA is needed. */
  readonly fingerprintSha256?: string;
}

/** Bounds on one request to a remote endpoint. */
export interface RequestLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** A remote HTTP(S) endpoint with its credentials and bounds. */
export interface RemoteEndpoint {
  readonly url: string;
  readonly auth: EndpointAuth;
  readonly limits: RequestLimits;
}

/** A `hosts:` entry: one node_exporter, or every host a Prometheus selector matches. */
export type RemoteHostConfig =
  | { readonly kind: 'node_exporter'; readonly name: string; readonly endpoint: RemoteEndpoint }
  | {
      readonly kind: 'prometheus';
      /** Names the group; its hosts are named by `hostLabel`'s values. */
      readonly name: string;
      readonly endpoint: RemoteEndpoint;
      /** PromQL matchers without braces (`job="node"`). */
      readonly matchers: string;
      readonly hostLabel: string;
    };

/** `fleet:` — remote hosts, the Alertmanager receiver and the /metrics endpoint. */
export interface FleetConfig {
  readonly hosts: readonly RemoteHostConfig[];
  readonly scrapeIntervalMs: number;
  /** Consecutive failed scrapes before "unreachable" is alerted. */
  readonly unreachableAfter: number;
  /** Points below a monitor threshold at which a host shows as "warning". */
  readonly warningMarginPercent: number;
  readonly pageSize: number;
  readonly receiver:
    | {
        readonly listen: string;
        readonly port: number;
        readonly path: string;
        readonly bearerToken: string;
        readonly maxBodyBytes: number;
        readonly rateLimit: { readonly limit: number; readonly windowMs: number };
        readonly requestTimeoutMs: number;
      }
    | undefined;
  /** Alertmanager's API, for "Silence" buttons; undefined hides them. */
  readonly alertmanager: (RemoteEndpoint & { readonly privileged: boolean }) | undefined;
  readonly metrics:
    | { readonly listen: string; readonly port: number; readonly bearerToken: string | undefined }
    | undefined;
}

interface RawCondition {
  debounce_checks: number;
  hysteresis: number;
}

/** `alerts:` as written (after schema defaults). */
export interface RawAlerts {
  chat_id: number;
  message_thread_id: number;
  settle_ms: number;
  group_window_seconds: number;
  quiet_hours: { start: string; end: string };
  severity: Record<AlertKind, Severity>;
  docker: {
    events: boolean;
    log_lines: number;
    restart_loop_restarts: number;
    restart_loop_minutes: number;
    stable_seconds: number;
    include: string[];
    exclude: string[];
  };
  conditions: Record<Exclude<ConditionKind, 'swap' | 'load' | 'fan'>, RawCondition> & {
    swap: RawCondition & { threshold: number };
    load: RawCondition & { threshold: number };
    fan: RawCondition & { min_rpm: number };
  };
  log_patterns: RawLogPattern[];
  log_watch: RawLogWatch;
}
