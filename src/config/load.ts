import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync, statSync } from 'node:fs';
import YAML from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors';
import { compareVersions, CONFIG_FORMAT_VERSION } from '../version';
import { checkAlerts } from './alerts';
import { deepFreeze } from './freeze';
import { fleetFromRaw } from './fleet';
import { historyIssues } from './history';
import { normalise } from './normalise';
import { checkAccess, checkDocker, checkToken, checkWebhook } from './checks';
import { toConfig } from './map';
import { reportIssues } from './report';
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

const MAX_DOCUMENT_BYTES = 1024 * 1024;

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

/** The document as plain data: a mapping (an empty file is an empty mapping). */
function parseYaml(source: ConfigSource): object {
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
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([{ path: '', message: 'the document must be a mapping of sections' }]);
  }
  return parsed;
}

function checkConfigVersion(declared: unknown, issues: ConfigIssue[], notices: string[]): void {
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
}

/** Parses and validates a config document. Throws ConfigError listing every problem. */
export function parseConfig(source: ConfigSource): LoadedConfig {
  const warnings: ConfigIssue[] = [];
  const notices: string[] = [];
  const issues: ConfigIssue[] = [];
  if (Buffer.byteLength(source.text) > MAX_DOCUMENT_BYTES) {
    throw new ConfigError([{ path: '', message: `${source.origin} is larger than 1 MiB` }]);
  }

  const parsed = parseYaml(source);
  const schema = loadSchema();
  const doc = normalise(parsed, schema, '', warnings) as Record<string, unknown>;

  // config_version is judged before defaults fill it in.
  const declared = doc.config_version;
  checkConfigVersion(declared, issues, notices);

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
  checkToken(token, tokenKey, issues);
  const ac = raw.access_control;
  const salt = envSalt ?? (typeof ac?.auth_salt === 'string' ? ac.auth_salt : '');
  checkAccess(ac, salt, issues);
  checkWebhook(raw.webhook_config, issues);
  checkDocker(raw.docker, issues);
  const apiRoot =
    env.TMBOT_TELEGRAM_API_ROOT ?? raw.telegram?.api_root ?? 'https://api.telegram.org/';
  if (!/^https?:\/\/[^\s/]+/.test(apiRoot)) {
    issues.push({ path: 'telegram.api_root', message: 'must be an http(s) URL' });
  }

  checkAlerts(raw.alerts, issues);
  issues.push(...historyIssues(raw), ...reportIssues(raw));
  // Fleet checks read the shape the schema guarantees, so they run only on a valid document.
  const fleet =
    schemaIssues.length === 0 ? fleetFromRaw(raw.hosts, raw.fleet, read, issues) : undefined;
  if (issues.length > 0 || fleet === undefined) throw new ConfigError(issues);

  const strictEnv = env.STRICT_DOCKER_ACCESS;
  const config = toConfig(raw, {
    configVersion: typeof declared === 'string' ? declared : CONFIG_FORMAT_VERSION,
    mode: source.mode,
    token,
    salt,
    apiRoot,
    strictAccess:
      strictEnv !== undefined && strictEnv !== ''
        ? /^(1|true|yes|on)$/i.test(strictEnv)
        : raw.docker.strict_access,
    fleet,
  });
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
