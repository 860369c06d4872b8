import { open } from 'node:fs/promises';
import type { Clock } from '../../clock';
import type { Logger } from '../../log/logger';
import { DOCKER_HUB } from './image-ref';

/** A user name and password (or token) for one registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** Where the registry client finds credentials for a registry host. */
export interface CredentialSource {
  forRegistry(registry: string): Promise<RegistryCredentials | undefined>;
}

/** A Docker `config.json` is a few KiB; anything far larger is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The registry host a Docker `auths` key names: "https://index.docker.io/v1/" → "docker.io",
 * "https://ghcr.io" → "ghcr.io", "127.0.0.1:5000" → "127.0.0.1:5000".
 */
export function registryHost(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

/**
 * Reads the `auths` section of a Docker `config.json` (what `docker login` writes):
 * `auth` = base64("user:password"), or `username` + `password`. Entries without
 * credentials (kept in a credential helper) are skipped. Returns a problem in words
 * that never quote the file's content.
 */
export function parseDockerAuths(
  text: string,
): { ok: true; auths: Map<string, RegistryCredentials> } | { ok: false; problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return { ok: false, problem: 'is not a JSON object' };
  const auths = (doc as { auths?: unknown }).auths;
  const out = new Map<string, RegistryCredentials>();
  if (auths === undefined) return { ok: true, auths: out };
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths))
    return { ok: false, problem: "has an 'auths' that is not an object" };
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const creds = entryCredentials(entry);
    if (creds !== undefined) out.set(registryHost(key), creds);
  }
  return { ok: true, auths: out };
}

function entryCredentials(entry: unknown): RegistryCredentials | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as { auth?: unknown; username?: unknown; password?: unknown };
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof e.username === 'string' && typeof e.password === 'string' && e.username !== '')
    return { username: e.username, password: e.password };
  return undefined;
}

export interface DockerConfigCredentialsOptions {
  /** Path of a Docker `config.json` (docker.registry_auth_file). */
  path: string;
  clock: Clock;
  log: Logger;
  /** Each credential read is handed over here so the log redactor learns it. */
  onSecret?: (value: string) => void;
  /** The file is read again after this long, so a new `docker login` is picked up (60 s). */
  reloadMs?: number;
}

/** Credentials from a Docker `config.json`, re-read at most once per `reloadMs`. */
export class DockerConfigCredentials implements CredentialSource {
  private auths = new Map<string, RegistryCredentials>();
  private loadedAt: number | undefined;
  private loading: Promise<void> | undefined;

  constructor(private readonly options: DockerConfigCredentialsOptions) {}

  async forRegistry(registry: string): Promise<RegistryCredentials | undefined> {
    const now = this.options.clock.now();
    if (this.loadedAt === undefined || now - this.loadedAt >= (this.options.reloadMs ?? 60_000)) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
    }
    // A caller arriving while the file is read waits for it too.
    if (this.loading !== undefined) await this.loading;
    return this.auths.get(registryHost(registry));
  }

  private async load(): Promise<void> {
    this.loadedAt = this.options.clock.now();
    const { path, log } = this.options;
    let text: string;
    try {
      text = await readBounded(path);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      log.warn(
        `docker.registry_auth_file ${path} cannot be read (${typeof code === 'string' ? code : 'error'}); registries are asked anonymously`,
      );
      this.auths = new Map();
      return;
    }
    const parsed = parseDockerAuths(text);
    if (!parsed.ok) {
      log.warn(
        `docker.registry_auth_file ${path} ${parsed.problem}; registries are asked anonymously`,
      );
      this.auths = new Map();
      return;
    }
    for (const creds of parsed.auths.values()) {
      this.options.onSecret?.(creds.password);
      this.options.onSecret?.(
        Buffer.from(`${creds.username}:${creds.password}`).toString('base64'),
      );
    }
    this.auths = parsed.auths;
  }
}

/**
 * The Engine API's X-Registry-Auth value for a pull from `registry`: base64url (padded, as
 * the engine decodes it) of `{username, password, serveraddress}`. Docker Hub's server
 * address is the one `docker login` uses.
 */
export function registryAuthHeader(creds: RegistryCredentials, registry: string): string {
  const host = registryHost(registry);
  const json = JSON.stringify({
    username: creds.username,
    password: creds.password,
    serveraddress: host === DOCKER_HUB ? 'https://index.docker.io/v1/' : host,
  });
  return Buffer.from(json, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

async function readBounded(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_CONFIG_BYTES)
      throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Registry credentials from docker.registry_auth_file, learnt by the log redactor as read;
 * re-read at most once per `reloadMs` (0: at every use).
 */
export function registryCredentialsFrom(
  path: string | undefined,
  clock: Clock,
  log: Logger,
  redactor: { add(value: string): void },
  reloadMs = 60_000,
): { credentials?: DockerConfigCredentials } {
  if (path === undefined) return {};
  return {
    credentials: new DockerConfigCredentials({
      path,
      clock,
      log: log.child('registry'),
      onSecret: (value) => redactor.add(value),
      reloadMs,
    }),
  };
}
