import type { Clock } from '../../clock';
import type { Logger } from '../../log/logger';
import { DOCKER_HUB, isLoopbackRegistry, type ImageRef } from './image-ref';
import type { CredentialSource, RegistryCredentials } from './registry-auth';
import {
  describeHttpError,
  sendWithRetries,
  type HttpAnswer,
  type RegistryHttpOptions,
} from './registry-http';

/** What the registry says about a tag. */
export type RegistryAnswer<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'rate-limited'; readonly retryAfterSec: number }
  | { readonly kind: 'error'; readonly reason: string };

/** The registry side of update checks. */
export interface RegistryPort {
  /** Digest of the manifest (or index, for multi-arch tags) the tag points at now. */
  manifestDigest(ref: ImageRef): Promise<RegistryAnswer<string>>;
  /** Tags of the repository (bounded); used for "newer versions". */
  listTags(ref: ImageRef): Promise<RegistryAnswer<string[]>>;
}

/**
 * Accept list for HEAD /manifests: multi-arch indexes first. Without the full list
 * registries answer 404 for an OCI index, or 400 for schema2 (security-notes §9).
 */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryClientOptions {
  clock: Clock;
  log: Logger;
  /** Per attempt (10 s). */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, a timeout or a network error (2, so 3 tries as pyTMBot). */
  retries?: number;
  /** First back-off between attempts, doubled each time (1 s). */
  backoffMs?: number;
  /** Credentials for private registries (docker.registry_auth_file); anonymous without. */
  credentials?: CredentialSource;
  /** Pages of /tags/list read at most (1000 tags each). */
  maxTagPages?: number;
  userAgent?: string;
}

/** When a 429 carries no Retry-After, wait this long (s). */
const DEFAULT_RETRY_AFTER = 60;

/** Parses `Bearer realm="…",service="…",scope="…"`. */
export function parseBearerChallenge(
  header: string | undefined,
): Record<string, string> | undefined {
  if (header === undefined || !/^\s*bearer\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header
    .replace(/^\s*bearer\s+/i, '')
    .matchAll(/([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) {
    const key = (m[1] ?? '').toLowerCase();
    out[key] = m[2] ?? m[3] ?? '';
  }
  return out.realm === undefined ? undefined : out;
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date); undefined if absent or bad. */
export function retryAfterSeconds(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : undefined;
}

const headerValue = (h: string | string[] | undefined): string | undefined =>
  Array.isArray(h) ? h[0] : h;

/**
 * Registry HTTP API v2 client: HEAD manifests with the full Accept list, the bearer-token
 * flow (Docker Hub, GHCR, any registry that asks for it) and Basic auth, with credentials
 * from `docker.registry_auth_file` when it has some for the registry (anonymous otherwise);
 * plain HTTP for loopback registries only; bounded retries with back-off on 5xx, timeouts
 * and network errors; 429 back-off until the time the registry names.
 */
export class HttpRegistryClient implements RegistryPort {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  /** Registry host → time (ms) before which it is not asked again. */
  private readonly backoff = new Map<string, number>();
  /** Registries that answered with a Basic challenge: credentials go along at once. */
  private readonly basic = new Set<string>();
  private readonly http: RegistryHttpOptions;
  private readonly maxTagPages: number;

  constructor(private readonly options: RegistryClientOptions) {
    this.http = {
      clock: options.clock,
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: options.retries ?? 2,
      backoffMs: options.backoffMs ?? 1000,
      userAgent: options.userAgent ?? 'tmbot',
    };
    this.maxTagPages = options.maxTagPages ?? 5;
  }

  static baseUrl(registry: string): string {
    if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
    return `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${registry}`;
  }

  async manifestDigest(ref: ImageRef): Promise<RegistryAnswer<string>> {
    const url = `${HttpRegistryClient.baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${encodeURIComponent(ref.tag)}`;
    const answer = await this.call(ref, 'HEAD', url, { accept: MANIFEST_ACCEPT });
    if (answer.kind !== 'ok') return answer;
    const digest = headerValue(answer.value.headers['docker-content-digest']);
    if (digest === undefined || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
      return { kind: 'error', reason: 'the registry sent no Docker-Content-Digest' };
    }
    return { kind: 'ok', value: digest };
  }

  async listTags(ref: ImageRef): Promise<RegistryAnswer<string[]>> {
    const base = HttpRegistryClient.baseUrl(ref.registry);
    let url: string | undefined = `${base}/v2/${ref.repository}/tags/list?n=1000`;
    const tags: string[] = [];
    for (let page = 0; page < this.maxTagPages && url !== undefined; page++) {
      const answer = await this.call(ref, 'GET', url, { accept: 'application/json' });
      if (answer.kind !== 'ok') return page === 0 ? answer : { kind: 'ok', value: tags };
      let doc: unknown;
      try {
        doc = JSON.parse(answer.value.body);
      } catch {
        return { kind: 'error', reason: 'the registry sent a tag list that is not JSON' };
      }
      const list = (doc as { tags?: unknown }).tags;
      if (Array.isArray(list)) tags.push(...list.filter((t): t is string => typeof t === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(
        headerValue(answer.value.headers.link) ?? '',
      )?.[1];
      url = next === undefined ? undefined : new URL(next, base).toString();
      if (url !== undefined && !url.startsWith(`${base}/`)) url = undefined;
    }
    return { kind: 'ok', value: tags };
  }

  /** One request with the token dance; maps statuses to answers. */
  private async call(
    ref: ImageRef,
    method: 'HEAD' | 'GET',
    url: string,
    headers: Record<string, string>,
  ): Promise<RegistryAnswer<HttpAnswer>> {
    const now = this.options.clock.now();
    const until = this.backoff.get(ref.registry);
    if (until !== undefined && until > now)
      return { kind: 'rate-limited', retryAfterSec: Math.ceil((until - now) / 1000) };
    const scope = `repository:${ref.repository}:pull`;
    try {
      const creds = await this.options.credentials?.forRegistry(ref.registry);
      const first = this.presetAuth(ref.registry, scope, creds);
      let res = await this.send(
        method,
        url,
        first === undefined ? headers : { ...headers, authorization: first },
      );
      if (res.status === 401) {
        const retry = await this.answerChallenge(ref.registry, res, scope, creds);
        if (typeof retry !== 'string') return retry;
        res = await this.send(method, url, { ...headers, authorization: retry });
        if (res.status === 401 && creds !== undefined)
          return { kind: 'error', reason: this.refused(ref.registry) };
      }
      return this.classify(ref.registry, res, creds !== undefined);
    } catch (err) {
      return { kind: 'error', reason: describeHttpError(err, this.http.timeoutMs) };
    }
  }

  /** The Authorization header to send before any challenge: a cached token, or Basic where known. */
  private presetAuth(
    registry: string,
    scope: string,
    creds: RegistryCredentials | undefined,
  ): string | undefined {
    const cached = this.cachedToken(registry, scope);
    if (cached !== undefined) return `Bearer ${cached}`;
    return creds !== undefined && this.basic.has(registry) ? basicAuth(creds) : undefined;
  }

  /** The Authorization header that answers a 401's challenge, or why there is none. */
  private async answerChallenge(
    registry: string,
    res: HttpAnswer,
    scope: string,
    creds: RegistryCredentials | undefined,
  ): Promise<string | RegistryAnswer<never>> {
    const header = headerValue(res.headers['www-authenticate']);
    const challenge = parseBearerChallenge(header);
    if (challenge !== undefined) {
      const token = await this.fetchToken(registry, challenge, scope, creds);
      return typeof token === 'string' ? `Bearer ${token}` : token;
    }
    if (header !== undefined && /^\s*basic\b/i.test(header) && creds !== undefined) {
      this.basic.add(registry);
      return basicAuth(creds);
    }
    return {
      kind: 'error',
      reason:
        creds === undefined
          ? `the registry wants credentials: add ${registry} to the file docker.registry_auth_file names`
          : this.refused(registry),
    };
  }

  private refused(registry: string): string {
    return `the registry refused the credentials for ${registry} from docker.registry_auth_file`;
  }

  private classify(
    registry: string,
    res: HttpAnswer,
    withCredentials = false,
  ): RegistryAnswer<HttpAnswer> {
    if (res.status >= 200 && res.status < 300) return { kind: 'ok', value: res };
    if (res.status === 404) return { kind: 'not-found' };
    if (res.status === 429) {
      const now = this.options.clock.now();
      const wait =
        retryAfterSeconds(headerValue(res.headers['retry-after']), now) ?? DEFAULT_RETRY_AFTER;
      this.backoff.set(registry, now + wait * 1000);
      this.options.log.warn(`registry ${registry} rate-limited us; not asking again for ${wait} s`);
      return { kind: 'rate-limited', retryAfterSec: wait };
    }
    if (res.status === 401 || res.status === 403)
      return {
        kind: 'error',
        reason: withCredentials ? this.refused(registry) : 'the registry refused anonymous access',
      };
    return { kind: 'error', reason: `the registry answered HTTP ${res.status}` };
  }

  private cachedToken(registry: string, scope: string): string | undefined {
    const entry = this.tokens.get(`${registry} ${scope}`);
    return entry !== undefined && entry.expiresAt > this.options.clock.now()
      ? entry.token
      : undefined;
  }

  private async fetchToken(
    registry: string,
    challenge: Record<string, string>,
    scope: string,
    creds: RegistryCredentials | undefined,
  ): Promise<string | RegistryAnswer<never>> {
    let realm: URL;
    try {
      realm = new URL(challenge.realm ?? '');
    } catch {
      return { kind: 'error', reason: 'the registry named an invalid token service' };
    }
    // Never fetch a token over plain HTTP from anywhere but this machine.
    if (
      realm.protocol !== 'https:' &&
      !(realm.protocol === 'http:' && isLoopbackRegistry(realm.host))
    ) {
      return { kind: 'error', reason: 'the registry named a token service without HTTPS' };
    }
    if (challenge.service !== undefined) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', challenge.scope ?? scope);
    const res = await this.send('GET', realm.toString(), {
      accept: 'application/json',
      ...(creds === undefined ? {} : { authorization: basicAuth(creds) }),
    });
    if (res.status === 429) {
      const limited = this.classify(registry, res);
      if (limited.kind === 'rate-limited') return limited;
    }
    if ((res.status === 401 || res.status === 403) && creds !== undefined)
      return { kind: 'error', reason: this.refused(registry) };
    if (res.status !== 200)
      return { kind: 'error', reason: `the token service answered HTTP ${res.status}` };
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(res.body) as typeof doc;
    } catch {
      return { kind: 'error', reason: 'the token service sent something that is not JSON' };
    }
    const token =
      typeof doc.token === 'string'
        ? doc.token
        : typeof doc.access_token === 'string'
          ? doc.access_token
          : undefined;
    if (token === undefined || token === '')
      return { kind: 'error', reason: 'the token service sent no token' };
    // token.md: expires_in defaults to 60 s; keep a margin.
    const lifetime = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
    this.tokens.set(`${registry} ${scope}`, {
      token,
      expiresAt: this.options.clock.now() + Math.max(0, lifetime - 10) * 1000,
    });
    return token;
  }

  private send(method: string, url: string, headers: Record<string, string>): Promise<HttpAnswer> {
    return sendWithRetries(this.http, method, url, headers);
  }
}

const basicAuth = (c: RegistryCredentials): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
