import { alertsConfig } from './alerts';
import { credentialUrl, PLACEHOLDER } from './checks';
import { historyConfig } from './history';
import { reportConfig } from './report';
import type { Config, FleetConfig, RawConfig } from './types';

/** What parseConfig settled before mapping: the values the file alone does not decide. */
export interface Settled {
  configVersion: string;
  mode: 'prod' | 'dev';
  token: string;
  salt: string;
  apiRoot: string;
  strictAccess: boolean;
  /** Remote hosts, checked (and their secret files read) by parseConfig. */
  fleet: { fleet: FleetConfig; secrets: string[] };
}

/** Maps the validated snake_case document onto the typed Config. */
export function toConfig(raw: RawConfig, s: Settled): Config {
  return {
    configVersion: s.configVersion,
    mode: s.mode,
    botToken: s.token,
    telegram: { apiRoot: s.apiRoot.endsWith('/') ? s.apiRoot : `${s.apiRoot}/` },
    botUpdates: {
      releaseFeedUrl: raw.bot_updates.release_feed_url,
      timeoutMs: raw.bot_updates.timeout_seconds * 1000,
    },
    stateDir: raw.state_dir ? raw.state_dir : undefined,
    access: mapAccess(raw.access_control, s.salt),
    adminChatIds: raw.chat_id.global_chat_id,
    docker: mapDocker(raw.docker, s.strictAccess),
    webhook: mapWebhook(raw.webhook_config),
    alerts: alertsConfig(raw.alerts),
    plugins: mapPlugins(raw.plugins_config),
    influxdb: {
      url: raw.influxdb.url,
      token: raw.influxdb.token,
      org: raw.influxdb.org,
      bucket: raw.influxdb.bucket,
      debugMode: raw.influxdb.debug_mode,
      version: raw.influxdb.version,
    },
    fleet: s.fleet.fleet,
    history: historyConfig(raw),
    report: reportConfig(raw.report),
    secrets: [
      ...s.fleet.secrets,
      s.token,
      s.salt,
      raw.bot_token.prod_token,
      raw.bot_token.dev_bot_token,
      raw.plugins_config.outline.api_url,
      raw.plugins_config.outline.cert,
      // pyTMBot's sanitize_exception hides all four: the URL may carry v1 `u`/`p`, and the
      // org and bucket name a tenant. (Values under 6 characters stay: see Redactor.)
      raw.influxdb.url,
      raw.influxdb.token,
      raw.influxdb.org,
      raw.influxdb.bucket,
      // A private release mirror may carry credentials in its URL.
      credentialUrl(raw.bot_updates.release_feed_url),
    ].filter((v) => v !== '' && !PLACEHOLDER.test(v)),
  };
}

function mapAccess(ac: RawConfig['access_control'], salt: string): Config['access'] {
  return {
    userIds: ac.allowed_user_ids,
    adminIds: ac.allowed_admins_ids,
    chatIds: ac.allowed_chat_ids,
    authSalt: salt,
    sessionMinutes: ac.session_minutes,
    rateLimit: {
      requests: ac.rate_limit.requests,
      windowMs: ac.rate_limit.per_seconds * 1000,
    },
  };
}

function mapDocker(dk: RawConfig['docker'], strictAccess: boolean): Config['docker'] {
  return {
    hosts: dk.host,
    debug: dk.debug_docker_client,
    strictAccess,
    tls:
      dk.tls_ca || dk.tls_cert || dk.tls_key
        ? {
            ...(dk.tls_ca ? { ca: dk.tls_ca } : {}),
            ...(dk.tls_cert ? { cert: dk.tls_cert } : {}),
            ...(dk.tls_key ? { key: dk.tls_key } : {}),
          }
        : undefined,
    imageUpdates: dk.image_updates.enabled
      ? {
          startTimeoutMs: dk.image_updates.start_timeout_seconds * 1000,
          minUpMs: dk.image_updates.min_up_seconds * 1000,
          keepMs: dk.image_updates.keep_days * 86_400_000,
          auto: dk.image_updates.auto,
        }
      : undefined,
    registryAuthFile: dk.registry_auth_file || undefined,
  };
}

function mapWebhook(wh: RawConfig['webhook_config']): Config['webhook'] {
  return {
    url: wh.url,
    publicPort: wh.webhook_port,
    localPort: wh.local_port,
    cert: wh.cert || undefined,
    certKey: wh.cert_key || undefined,
    trustedProxies: wh.trusted_proxy_ips,
    extraRanges: wh.additional_telegram_ip_ranges,
    maxConnections: wh.max_connections,
    dropPendingUpdates: wh.drop_pending_updates,
    requestTimeoutMs: wh.request_timeout_seconds * 1000,
    rateLimit: {
      limit: wh.rate_limit,
      unknownPathLimit: wh.unknown_path_rate_limit,
      windowMs: wh.rate_limit_window_seconds * 1000,
    },
    ban: {
      threshold: wh.ban_threshold,
      windowMs: wh.ban_window_seconds * 1000,
      durationMs: wh.ban_duration_seconds * 1000,
    },
    rotation: {
      afterRequests: wh.rotate_after_requests,
      intervalMs: Math.round(wh.rotate_interval_hours * 3_600_000),
      graceMs: wh.rotation_grace_seconds * 1000,
    },
  };
}

function mapPlugins(p: RawConfig['plugins_config']): Config['plugins'] {
  const m = p.monitor;
  const t = m.tracehold;
  return {
    monitor: {
      thresholds: {
        cpu: t.cpu_usage_threshold,
        memory: t.memory_usage_threshold,
        disk: t.disk_usage_threshold,
        cpuTemperature: t.cpu_temperature_threshold,
        gpuTemperature: t.gpu_temperature_threshold,
        diskTemperature: t.disk_temperature_threshold,
      },
      maxNotifications: m.max_notifications,
      checkIntervalSeconds: m.check_interval,
      resetNotificationSeconds: m.reset_notification_count,
      retryAttempts: m.retry_attempts,
      retryIntervalSeconds: m.retry_interval,
      monitorDocker: m.monitor_docker,
    },
    outline: { apiUrl: p.outline.api_url, cert: p.outline.cert },
  };
}
