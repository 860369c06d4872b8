import Ajv, { type ErrorObject } from 'ajv';
import { isIP } from 'node:net';
import { readFileSync, statSync } from 'node:fs';
import YAML from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors';
import { CONFIG_FORMAT_VERSION } from '../version';
import { fleetFromRaw } from './fleet';
import { normalise } from './normalise';
import { loadSchema } from './schema';
import type { Config, RawConfig } from './types';

/** Where the environment can supply what the file leaves out. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigSource {
  /** The YAML text. */
  text: string;
  /** Shown in messages. */
  origin: string;
  env: Env;
  mode: 'prod' | 'dev';
  /** Reads `*_FILE` secrets (Docker secrets); injectable for tests. */
  readSecretFile?: (path: string) => string;
}

export interface LoadedConfig {
  config: Config;
  /** Problems that do not stop the daemon (unknown keys, loose permissions…). */
  warnings: ConfigIssue[];
  /** Informational notes (an old config_version…). */
  notices: string[];
}

const PLACEHOLDER = /^(YOUR_[A-Z0-9_]+|your-[a-z0-9-]+|REPLACE_[A-Za-z0-9_-]*|CHANGE_?ME|<.*>)$/i;
const TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{20,}$/;
const MIN_SALT_LENGTH = 16;
const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** unix:///path, tcp://host[:port], http(s)://host[:port], ssh://[user@]host[:port]. */
const DOCKER_HOST_SHAPE = /^(unix:\/\/\/\S+|(tcp|https?|ssh):\/\/[^\s/]+\/?)$/;

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(doc: unknown): ErrorObject[] {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
    validator = ajv.compile(loadSchema());
  }
  return validator(doc) ? [] : [...(validator.errors ?? [])];
}

/** `/access_control/allowed_user_ids/0` → `access_control.allowed_user_ids[0]` */
function toPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function describeAjvError(e: ErrorObject): ConfigIssue {
  const base = toPath(e.instancePath);
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
    return { path: base ? `${base}.${missing}` : missing, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty?: unknown }).additionalProperty);
    return { path: base ? `${base}.${extra}` : extra, message: 'unknown key' };
  }
  const type = (e.params as { type?: unknown }).type;
  if (e.keyword === 'type' && typeof type === 'string') {
    const article = /^[aeiou]/.test(type) ? 'an' : 'a';
    return { path: base, message: `must be ${article} ${type}` };
  }
  return { path: base, message: e.message ?? 'is invalid' };
}

/** Dotted version compare; a pre-release ("0.3.0-dev") sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const [aMain = '', aPre] = a.split('-', 2);
  const [bMain = '', bPre] = b.split('-', 2);
  const pa = aMain.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = bMain.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (aPre === undefined && bPre !== undefined) return 1;
  if (aPre !== undefined && bPre === undefined) return -1;
  return 0;
}

function isCidrOrIp(value: string): boolean {
  const [addr = '', prefix, ...rest] = value.split('/');
  if (rest.length > 0) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function secretFromEnv(
  env: Env,
  name: string,
  read: (path: string) => string,
  issues: ConfigIssue[],
): string | undefined {
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== '') {
    try {
      return read(file).trim();
    } catch (err) {
      issues.push({
        path: `${name}_FILE`,
        message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      });
      return undefined;
    }
  }
  const value = env[name];
  return value !== undefined && value !== '' ? value : undefined;
}

/** Parses and validates a config document. Throws ConfigError listing every problem. */
export function parseConfig(source: ConfigSource): LoadedConfig {
  const warnings: ConfigIssue[] = [];
  const notices: string[] = [];
  const issues: ConfigIssue[] = [];
  if (Buffer.byteLength(source.text) > MAX_DOCUMENT_BYTES) {
    throw new ConfigError([{ path: '', message: `${source.origin} is larger than 1 MiB` }]);
  }

  let parsed: unknown;
  try {
    const doc = YAML.parseDocument(source.text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(
        doc.errors.map((e) => ({
          path: `${source.origin}:${e.linePos?.[0]?.line ?? '?'}`,
          message: e.message.split('\n')[0] ?? 'YAML syntax error',
        })),
      );
    }
    parsed = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([{ path: source.origin, message: `not valid YAML: ${String(err)}` }]);
  }
  if (parsed === null || parsed === undefined) parsed = {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([{ path: '', message: 'the document must be a mapping of sections' }]);
  }

  const schema = loadSchema();
  const doc = normalise(parsed, schema, '', warnings) as Record<string, unknown>;

  // config_version is judged before defaults fill it in.
  const declared = doc.config_version;
  if (declared === undefined) {
    notices.push(`config_version is not set; reading the file as format ${CONFIG_FORMAT_VERSION}`);
  } else if (typeof declared === 'string') {
    const cmp = compareVersions(declared, CONFIG_FORMAT_VERSION);
    if (cmp > 0) {
      issues.push({
        path: 'config_version',
        message: `${declared} is newer than this tmbot (reads up to ${CONFIG_FORMAT_VERSION}); upgrade tmbot`,
      });
    } else if (cmp < 0) {
      notices.push(
        `config_version ${declared} is older than ${CONFIG_FORMAT_VERSION}; it is read as is (see docs/migration.md)`,
      );
    }
  }

  const schemaIssues = validate(doc).map(describeAjvError);
  issues.push(...schemaIssues);
  // Defaults are in place now; cross-field checks read the canonical shape.
  const raw = doc as unknown as RawConfig;
  const read = source.readSecretFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const env = source.env;

  const envToken = secretFromEnv(env, 'TMBOT_BOT_TOKEN', read, issues);
  const envSalt = secretFromEnv(env, 'TMBOT_AUTH_SALT', read, issues);
  const tokenKey = source.mode === 'dev' ? 'dev_bot_token' : 'prod_token';
  const fileToken = raw.bot_token?.[tokenKey];
  const token = envToken ?? (typeof fileToken === 'string' ? fileToken : '');
  // eslint-disable-next-line security/detect-possible-timing-attacks -- an emptiness check at start-up, not a secret comparison
  if (token === '') {
    issues.push({
      path: `bot_token.${tokenKey}`,
      message: `is required (or set TMBOT_BOT_TOKEN / TMBOT_BOT_TOKEN_FILE); get a token from @BotFather`,
    });
  } else if (PLACEHOLDER.test(token)) {
    issues.push({
      path: `bot_token.${tokenKey}`,
      message: `is still the placeholder ${token}; replace it with the token @BotFather gave you`,
    });
  } else if (!TOKEN_SHAPE.test(token)) {
    // Never echo the value: it may be a real token with a typo.
    issues.push({
      path: `bot_token.${tokenKey}`,
      message: 'does not look like a bot token (expected digits, a colon, then 20+ letters/digits)',
    });
  }

  const ac = raw.access_control;
  const salt = envSalt ?? (typeof ac?.auth_salt === 'string' ? ac.auth_salt : '');
  if (salt !== '' && PLACEHOLDER.test(salt)) {
    issues.push({
      path: 'access_control.auth_salt',
      message: 'is still a placeholder; generate one with `tmbot --salt`',
    });
  } else if (salt !== '' && salt.length < MIN_SALT_LENGTH) {
    issues.push({
      path: 'access_control.auth_salt',
      message: `is too short (${salt.length} chars); use at least 32 random characters (\`tmbot --salt\`)`,
    });
  }
  if (
    ac !== undefined &&
    Array.isArray(ac.allowed_admins_ids) &&
    Array.isArray(ac.allowed_user_ids)
  ) {
    const users = new Set(ac.allowed_user_ids);
    ac.allowed_admins_ids.forEach((id, i) => {
      if (Number.isInteger(id) && !users.has(id)) {
        issues.push({
          path: `access_control.allowed_admins_ids[${i}]`,
          message: `admin ${id} is not in access_control.allowed_user_ids; add it there too`,
        });
      }
    });
    if (ac.allowed_admins_ids.length > 0 && salt === '') {
      issues.push({
        path: 'access_control.auth_salt',
        message: 'is required when admins are configured (2FA); generate one with `tmbot --salt`',
      });
    }
  }

  const wh = raw.webhook_config;
  if (wh !== undefined) {
    if (Number.isInteger(wh.local_port) && wh.local_port < 1024) {
      issues.push({
        path: 'webhook_config.local_port',
        message: `${wh.local_port} is a privileged port; use 1024 or higher and let the reverse proxy listen on 443`,
      });
    }
    for (const key of ['trusted_proxy_ips', 'additional_telegram_ip_ranges'] as const) {
      const list = wh[key];
      if (!Array.isArray(list)) continue;
      list.forEach((v, i) => {
        if (typeof v === 'string' && !isCidrOrIp(v)) {
          issues.push({
            path: `webhook_config.${key}[${i}]`,
            message: `'${v}' is not an IP address or CIDR range`,
          });
        }
      });
    }
  }

  const dk = raw.docker;
  if (dk !== undefined) {
    if (Array.isArray(dk.host)) {
      dk.host.forEach((h, i) => {
        if (typeof h === 'string' && !DOCKER_HOST_SHAPE.test(h)) {
          issues.push({
            path: `docker.host[${i}]`,
            message: `'${h}' is not a Docker host; use unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host`,
          });
        }
      });
    }
    if (Boolean(dk.tls_cert) !== Boolean(dk.tls_key)) {
      issues.push({
        path: dk.tls_cert ? 'docker.tls_key' : 'docker.tls_cert',
        message: 'tls_cert and tls_key go together (client certificate and its key)',
      });
    }
  }

  const apiRoot =
    env.TMBOT_TELEGRAM_API_ROOT ?? raw.telegram?.api_root ?? 'https://api.telegram.org/';
  if (!/^https?:\/\/[^\s/]+/.test(apiRoot)) {
    issues.push({ path: 'telegram.api_root', message: 'must be an http(s) URL' });
  }

  // Fleet checks read the shape the schema guarantees, so they run only on a valid document.
  const fleet =
    schemaIssues.length === 0 ? fleetFromRaw(raw.hosts, raw.fleet, read, issues) : undefined;
  if (issues.length > 0 || fleet === undefined) throw new ConfigError(issues);

  const strictEnv = env.STRICT_DOCKER_ACCESS;
  const strictAccess =
    strictEnv !== undefined && strictEnv !== ''
      ? /^(1|true|yes|on)$/i.test(strictEnv)
      : raw.docker.strict_access;
  const m = raw.plugins_config.monitor;
  const t = m.tracehold;
  const config: Config = {
    configVersion: typeof declared === 'string' ? declared : CONFIG_FORMAT_VERSION,
    mode: source.mode,
    botToken: token,
    telegram: { apiRoot: apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/` },
    stateDir: raw.state_dir ? raw.state_dir : undefined,
    access: {
      userIds: raw.access_control.allowed_user_ids,
      adminIds: raw.access_control.allowed_admins_ids,
      chatIds: raw.access_control.allowed_chat_ids,
      authSalt: salt,
      sessionMinutes: raw.access_control.session_minutes,
      rateLimit: {
        requests: raw.access_control.rate_limit.requests,
        windowMs: raw.access_control.rate_limit.per_seconds * 1000,
      },
    },
    adminChatIds: raw.chat_id.global_chat_id,
    docker: {
      hosts: raw.docker.host,
      debug: raw.docker.debug_docker_client,
      strictAccess,
      tls:
        raw.docker.tls_ca || raw.docker.tls_cert || raw.docker.tls_key
          ? {
              ...(raw.docker.tls_ca ? { ca: raw.docker.tls_ca } : {}),
              ...(raw.docker.tls_cert ? { cert: raw.docker.tls_cert } : {}),
              ...(raw.docker.tls_key ? { key: raw.docker.tls_key } : {}),
            }
          : undefined,
    },
    webhook: {
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
    },
    plugins: {
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
        resetNotificationMinutes: m.reset_notification_count,
        retryAttempts: m.retry_attempts,
        retryIntervalSeconds: m.retry_interval,
        monitorDocker: m.monitor_docker,
      },
      outline: {
        apiUrl: raw.plugins_config.outline.api_url,
        cert: raw.plugins_config.outline.cert,
      },
    },
    influxdb: {
      url: raw.influxdb.url,
      token: raw.influxdb.token,
      org: raw.influxdb.org,
      bucket: raw.influxdb.bucket,
      debugMode: raw.influxdb.debug_mode,
    },
    fleet: fleet.fleet,
    secrets: [
      ...fleet.secrets,
      token,
      salt,
      raw.bot_token.prod_token,
      raw.bot_token.dev_bot_token,
      raw.plugins_config.outline.api_url,
      raw.influxdb.token,
    ].filter((s) => s !== '' && !PLACEHOLDER.test(s)),
  };
  return { config: deepFreeze(config), warnings, notices };
}

/** Reads the file at `path` and parses it; adds a warning when others can read it. */
export function loadConfigFile(path: string, env: Env, mode: 'prod' | 'dev'): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([
      {
        path,
        message:
          code === 'ENOENT'
            ? 'config file not found. Create one with `tmbot init` (or copy pytmbot.example.yaml), or point to it with --config / PYTMBOT_CONFIG_PATH'
            : `cannot read the config file (${code ?? 'error'})`,
      },
    ]);
  }
  const loaded = parseConfig({ text, origin: path, env, mode });
  try {
    if ((statSync(path).mode & 0o077) !== 0) {
      loaded.warnings.push({
        path,
        message: 'is readable by group or others but holds secrets; run `chmod 600` on it',
      });
    }
  } catch {
    // The file was just read; a vanished stat is not worth failing over.
  }
  return loaded;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
