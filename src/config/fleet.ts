import type { ConfigIssue } from '../errors';
import { credentialUrl } from './checks';
import type {
  EndpointAuth,
  FleetConfig,
  RawEndpoint,
  RawFleet,
  RawHost,
  RemoteEndpoint,
  RemoteHostConfig,
} from './types';

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const FINGERPRINT = /^[0-9a-fA-F]{64}$/;
const MIN_TOKEN_LENGTH = 16;
/** `{a="x", b!~"y.*"}`: label matchers only, so a selector cannot smuggle in another query. */
const MATCHERS =
  // eslint-disable-next-line security/detect-unsafe-regex -- anchored, each group consumes a quote-delimited token; selectors come from the admin's config (≤ 1 KiB)
  /^\{?\s*([a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*(,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*)*,?)?\s*\}?$/;

function endpoint(
  raw: RawEndpoint,
  path: string,
  read: (path: string) => string,
  issues: ConfigIssue[],
): RemoteEndpoint {
  const auth: {
    -readonly [K in keyof EndpointAuth]: EndpointAuth[K];
  } = {};
  if (raw.bearer_token !== '') auth.bearerToken = raw.bearer_token;
  if (raw.basic_auth.username !== '' || raw.basic_auth.password !== '') {
    if (raw.bearer_token !== '')
      issues.push({ path: `${path}.basic_auth`, message: 'use either bearer_token or basic_auth' });
    auth.basicAuth = { username: raw.basic_auth.username, password: raw.basic_auth.password };
  }
  if (raw.ca_file !== '') {
    try {
      auth.ca = read(raw.ca_file);
    } catch (err) {
      issues.push({
        path: `${path}.ca_file`,
        message: `cannot read ${raw.ca_file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      });
    }
  }
  if (raw.fingerprint_sha256 !== '') {
    if (!FINGERPRINT.test(raw.fingerprint_sha256.replace(/:/g, ''))) {
      issues.push({
        path: `${path}.fingerprint_sha256`,
        message: 'must be 32 hex bytes (openssl x509 -noout -fingerprint -sha256 -in cert.pem)',
      });
    }
    auth.fingerprintSha256 = raw.fingerprint_sha256.replace(/:/g, '').toLowerCase();
  }
  let url: URL | undefined;
  try {
    url = new URL(raw.url);
  } catch {
    issues.push({ path: `${path}.url`, message: 'is not a URL' });
  }
  if (url !== undefined && (url.username !== '' || url.password !== '')) {
    issues.push({
      path: `${path}.url`,
      message: 'must not carry credentials; use bearer_token or basic_auth',
    });
  }
  if (
    url?.protocol === 'http:' &&
    (auth.ca !== undefined || auth.fingerprintSha256 !== undefined)
  ) {
    issues.push({
      path: `${path}.url`,
      message: 'ca_file and fingerprint_sha256 need an https URL',
    });
  }
  return {
    url: raw.url,
    auth,
    limits: {
      timeoutMs: Math.round(raw.timeout_seconds * 1000),
      maxBytes: raw.max_response_bytes,
    },
  };
}

function host(
  raw: RawHost,
  path: string,
  read: (path: string) => string,
  issues: ConfigIssue[],
): RemoteHostConfig | undefined {
  if (!HOST_NAME.test(raw.name)) {
    issues.push({
      path: `${path}.name`,
      message: 'must be 1-32 letters, digits, dots, dashes or underscores',
    });
  }
  if ((raw.node_exporter === undefined) === (raw.prometheus === undefined)) {
    issues.push({ path, message: 'give exactly one of node_exporter or prometheus' });
    return undefined;
  }
  if (raw.node_exporter !== undefined) {
    const ep = endpoint(raw.node_exporter, `${path}.node_exporter`, read, issues);
    return { kind: 'node_exporter', name: raw.name, endpoint: ep };
  }
  const p = raw.prometheus;
  if (p === undefined) return undefined;
  const ep = endpoint(p, `${path}.prometheus`, read, issues);
  if (p.selector.length > 1024 || !MATCHERS.test(p.selector)) {
    issues.push({
      path: `${path}.prometheus.selector`,
      message: 'must be PromQL label matchers like {job="node"} (no functions or operators)',
    });
  }
  const matchers = p.selector.trim().replace(/^\{/, '').replace(/\}$/, '').trim().replace(/,$/, '');
  return { kind: 'prometheus', name: raw.name, endpoint: ep, matchers, hostLabel: p.host_label };
}

/** Maps and cross-checks `hosts:` and `fleet:`; pushes every problem with its path. */
export function fleetFromRaw(
  hosts: readonly RawHost[],
  fleet: RawFleet,
  read: (path: string) => string,
  issues: ConfigIssue[],
): { fleet: FleetConfig; secrets: string[] } {
  const mapped: RemoteHostConfig[] = [];
  const names = new Set<string>();
  hosts.forEach((h, i) => {
    const m = host(h, `hosts[${i}]`, read, issues);
    if (names.has(h.name))
      issues.push({ path: `hosts[${i}].name`, message: `'${h.name}' is used twice` });
    names.add(h.name);
    if (m !== undefined) mapped.push(m);
  });
  const r = fleet.receiver;
  if (r.enabled && r.bearer_token.length < MIN_TOKEN_LENGTH) {
    issues.push({
      path: 'fleet.receiver.bearer_token',
      message: `is required (at least ${MIN_TOKEN_LENGTH} characters) when the receiver is enabled`,
    });
  }
  const am = fleet.alertmanager;
  const alertmanager =
    am.url !== ''
      ? { ...endpoint(am, 'fleet.alertmanager', read, issues), privileged: am.privileged }
      : undefined;
  const m = fleet.metrics;
  const secrets = [
    ...hosts.flatMap((h) => {
      const e = h.node_exporter ?? h.prometheus;
      return e === undefined ? [] : [e.bearer_token, e.basic_auth.password, credentialUrl(e.url)];
    }),
    r.bearer_token,
    am.bearer_token,
    credentialUrl(am.url),
    am.basic_auth.password,
    m.bearer_token,
  ].filter((s) => s !== '');
  return {
    secrets,
    fleet: {
      hosts: mapped,
      scrapeIntervalMs: fleet.scrape_interval_seconds * 1000,
      unreachableAfter: fleet.unreachable_after,
      warningMarginPercent: fleet.warning_margin_percent,
      pageSize: fleet.page_size,
      receiver: r.enabled
        ? {
            listen: r.listen,
            port: r.port,
            path: r.path,
            bearerToken: r.bearer_token,
            maxBodyBytes: r.max_body_kb * 1024,
            rateLimit: { limit: r.rate_limit, windowMs: r.rate_limit_window_seconds * 1000 },
            requestTimeoutMs: r.request_timeout_seconds * 1000,
          }
        : undefined,
      alertmanager,
      metrics: m.enabled
        ? {
            listen: m.listen,
            port: m.port,
            bearerToken: m.bearer_token !== '' ? m.bearer_token : undefined,
          }
        : undefined,
    },
  };
}
