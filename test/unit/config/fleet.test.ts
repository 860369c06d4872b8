import { Writable } from 'node:stream';
import YAML from 'yaml';
import { parseConfig } from '../../../src/config/load';
import { createLogger } from '../../../src/log/logger';
import { Redactor } from '../../../src/log/redactor';
import { ConfigError } from '../../../src/errors';

const TOKEN = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr';
const minimal = { bot_token: { prod_token: TOKEN }, access_control: { allowed_user_ids: [1] } };

function load(extra: Record<string, unknown>, read?: (p: string) => string) {
  return parseConfig({
    text: YAML.stringify({ ...minimal, ...extra }),
    origin: 'pytmbot.yaml',
    env: {},
    mode: 'prod',
    ...(read !== undefined ? { readSecretFile: read } : {}),
  }).config;
}

function issuesOf(extra: Record<string, unknown>): string[] {
  try {
    load(extra);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('hosts and fleet config', () => {
  it('needs no config: no remote hosts, receiver and /metrics off', () => {
    const c = load({});
    expect(c.fleet.hosts).toEqual([]);
    expect(c.fleet.receiver).toBeUndefined();
    expect(c.fleet.metrics).toBeUndefined();
    expect(c.fleet.alertmanager).toBeUndefined();
    expect(c.fleet.scrapeIntervalMs).toBe(30_000);
  });

  it('maps a node_exporter host with auth and a pinned certificate, and a Prometheus group', () => {
    const pin = 'AB:'.repeat(31) + 'AB';
    const c = load({
      hosts: [
        {
          name: 'web-1',
          node_exporter: {
            url: 'https://web-1:9100/metrics',
            bearer_token: 'exporter-secret-token',
            fingerprint_sha256: pin,
            timeout_seconds: 2,
          },
        },
        {
          name: 'dc1',
          prometheus: {
            url: 'http://prom:9090',
            selector: '{job="node", env=~"prod|stage"}',
            host_label: 'host',
            basic_auth: { username: 'u', password: 'prom-password' },
          },
        },
      ],
    });
    expect(c.fleet.hosts).toEqual([
      {
        kind: 'node_exporter',
        name: 'web-1',
        endpoint: {
          url: 'https://web-1:9100/metrics',
          auth: { bearerToken: 'exporter-secret-token', fingerprintSha256: 'ab'.repeat(32) },
          limits: { timeoutMs: 2000, maxBytes: 4194304 },
        },
      },
      {
        kind: 'prometheus',
        name: 'dc1',
        endpoint: {
          url: 'http://prom:9090',
          auth: { basicAuth: { username: 'u', password: 'prom-password' } },
          limits: { timeoutMs: 10_000, maxBytes: 16777216 },
        },
        matchers: 'job="node", env=~"prod|stage"',
        hostLabel: 'host',
      },
    ]);
    expect(c.secrets).toEqual(expect.arrayContaining(['exporter-secret-token', 'prom-password']));
  });

  it('keeps URLs that carry a key in their query out of the log; plain URLs stay readable', () => {
    const promUrl = 'http://prom:9090/?api_key=prom-query-key-123';
    const amUrl = 'http://am:9093/?token=am-query-token-456';
    const c = load({
      hosts: [
        { name: 'dc1', prometheus: { url: promUrl } },
        { name: 'web', node_exporter: { url: 'http://web-1:9100/metrics' } },
      ],
      fleet: { alertmanager: { url: amUrl } },
    });
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({
      level: 'info',
      format: 'human',
      redactor: new Redactor(c.secrets),
      stream,
    });
    log.warn(`scrape of ${promUrl} failed`);
    log.warn('silence failed', { error: new Error(`POST ${amUrl}api/v2/silences: 500`) });
    log.warn('scrape of http://web-1:9100/metrics failed');
    const out = lines.join('');
    expect(out).not.toContain('prom-query-key-123');
    expect(out).not.toContain('am-query-token-456');
    expect(out).toContain('http://web-1:9100/metrics');
  });

  it('reads ca_file through the secret reader', () => {
    const c = load(
      { hosts: [{ name: 'a', node_exporter: { url: 'https://a/metrics', ca_file: '/ca.pem' } }] },
      (p) => (p === '/ca.pem' ? 'PEM' : ''),
    );
    expect(c.fleet.hosts[0]?.endpoint.auth.ca).toBe('PEM');
  });

  it('reports every bad value with its path', () => {
    const issues = issuesOf({
      hosts: [
        { name: 'bad name!', node_exporter: { url: 'http://a/metrics' } },
        { name: 'both', node_exporter: { url: 'http://a' }, prometheus: { url: 'http://b' } },
        { name: 'x', prometheus: { url: 'http://p', selector: 'up) or vector(1' } },
        { name: 'x', node_exporter: { url: 'http://u:p@a/metrics', fingerprint_sha256: 'zz' } },
        { name: 'y', node_exporter: { url: 'ftp://a' } },
      ],
      fleet: { receiver: { enabled: true, bearer_token: 'short' }, page_size: 1000 },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'hosts[4].node_exporter.url: must match pattern "^https?://"',
        'fleet.page_size: must be <= 50',
      ]),
    );
    const second = issuesOf({
      hosts: [
        { name: 'bad name!', node_exporter: { url: 'http://a/metrics' } },
        { name: 'both', node_exporter: { url: 'http://a' }, prometheus: { url: 'http://b' } },
        { name: 'x', prometheus: { url: 'http://p', selector: 'up) or vector(1' } },
        { name: 'x', node_exporter: { url: 'http://u:p@a/metrics', fingerprint_sha256: 'zz' } },
      ],
      fleet: { receiver: { enabled: true, bearer_token: 'short' } },
    });
    expect(second).toEqual([
      'hosts[0].name: must be 1-32 letters, digits, dots, dashes or underscores',
      'hosts[1]: give exactly one of node_exporter or prometheus',
      'hosts[2].prometheus.selector: must be PromQL label matchers like {job="node"} (no functions or operators)',
      'hosts[3].node_exporter.fingerprint_sha256: must be 32 hex bytes (openssl x509 -noout -fingerprint -sha256 -in cert.pem)',
      'hosts[3].node_exporter.url: must not carry credentials; use bearer_token or basic_auth',
      'hosts[3].node_exporter.url: ca_file and fingerprint_sha256 need an https URL',
      "hosts[3].name: 'x' is used twice",
      'fleet.receiver.bearer_token: is required (at least 16 characters) when the receiver is enabled',
    ]);
  });
});
