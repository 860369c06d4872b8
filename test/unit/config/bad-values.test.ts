/**
 * Every key of the sections added after pyTMBot (wave 2) rejects a bad value with its path:
 * one case per key, generated from the schema itself, so a key added later is covered too.
 */
import YAML from 'yaml';
import schemaJson from '../../../config/pytmbot.schema.json';
import { parseConfig } from '../../../src/config/load';
import { ConfigError } from '../../../src/errors';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  items?: Node;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  pattern?: string;
}

const TOKEN = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr';
const MINIMAL = { bot_token: { prod_token: TOKEN }, access_control: { allowed_user_ids: [1] } };

/** The sections and keys tmbot added; pyTMBot's own keys are covered by test/unit/config/load.test.ts. */
const NEW_KEYS = [
  'telegram',
  'state_dir',
  'bot_updates',
  'access_control.allowed_chat_ids',
  'access_control.session_minutes',
  'access_control.rate_limit',
  'docker.strict_access',
  'docker.tls_ca',
  'docker.tls_cert',
  'docker.tls_key',
  'docker.registry_auth_file',
  'webhook_config.trusted_proxy_ips',
  'webhook_config.additional_telegram_ip_ranges',
  'webhook_config.max_connections',
  'webhook_config.drop_pending_updates',
  'webhook_config.request_timeout_seconds',
  'webhook_config.rate_limit',
  'webhook_config.unknown_path_rate_limit',
  'webhook_config.rate_limit_window_seconds',
  'webhook_config.ban_threshold',
  'webhook_config.ban_window_seconds',
  'webhook_config.ban_duration_seconds',
  'webhook_config.rotate_after_requests',
  'webhook_config.rotate_interval_hours',
  'webhook_config.rotation_grace_seconds',
  'alerts',
  'influxdb.version',
  'history',
  'hosts',
  'fleet',
];

/** A value of the wrong kind for `node` (out of range where there is a range). */
function badValue(node: Node): unknown {
  switch (node.type) {
    case 'integer':
    case 'number':
      if (node.maximum !== undefined) return node.maximum + 1;
      if (node.minimum !== undefined) return node.minimum - 1;
      return 'not a number';
    case 'boolean':
      return 'sometimes';
    case 'string':
      if (node.enum !== undefined) return 'no-such-choice';
      if (node.pattern !== undefined) return ' bad value ';
      return { not: 'a string' };
    case 'array':
      // A single value becomes a one-item list (as pyTMBot's lists): a bad item instead.
      return node.items !== undefined ? [badValue(node.items)] : 42;
    default:
      return 42;
  }
}

interface Case {
  path: string;
  doc: Record<string, unknown>;
}

/** A hosts[] entry the bad leaf goes into: the other fields valid. */
const hostFor = (kind: string): Record<string, unknown> =>
  kind === 'prometheus'
    ? { name: 'dc1', prometheus: { url: 'http://127.0.0.1:9090' } }
    : { name: 'web-1', node_exporter: { url: 'http://127.0.0.1:9100/metrics' } };

function setIn(doc: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let at = doc;
  keys.slice(0, -1).forEach((k) => {
    const next = at[k];
    at = (typeof next === 'object' && next !== null ? next : (at[k] = {})) as Record<
      string,
      unknown
    >;
  });
  at[keys[keys.length - 1] ?? ''] = value;
}

function casesUnder(keys: readonly string[], node: Node, out: Case[]): void {
  const path = keys.join('.');
  const leaf = node.type !== 'object' || node.properties === undefined;
  if (keys[0] === 'hosts' && keys.length === 1) {
    // A list of hosts: each field of an entry, in an entry that is valid otherwise.
    for (const kind of ['node_exporter', 'prometheus'] as const) {
      const item = node.items?.properties?.[kind];
      for (const [field, child] of Object.entries(item?.properties ?? {})) {
        if (child.type === 'object') continue;
        const host = structuredClone(hostFor(kind));
        setIn(host, [kind, field], badValue(child));
        out.push({ path: `hosts[0].${kind}.${field}`, doc: { hosts: [host] } });
      }
    }
    out.push({ path: 'hosts[0].name', doc: { hosts: [{ ...hostFor(''), name: 42 }] } });
    return;
  }
  if (leaf) {
    const doc: Record<string, unknown> = structuredClone(MINIMAL);
    setIn(doc, keys, badValue(node));
    out.push({ path, doc });
    return;
  }
  for (const [key, child] of Object.entries(node.properties ?? {}))
    casesUnder([...keys, key], child, out);
}

function schemaAt(keys: readonly string[]): Node {
  let node = schemaJson as unknown as Node;
  for (const k of keys) {
    const next = node.properties?.[k];
    if (next === undefined) throw new Error(`no ${keys.join('.')} in the schema`);
    node = next;
  }
  return node;
}

const CASES: Case[] = [];
for (const key of NEW_KEYS) casesUnder(key.split('.'), schemaAt(key.split('.')), CASES);

function issuesOf(doc: Record<string, unknown>): string[] {
  try {
    parseConfig({ text: YAML.stringify(doc), origin: 'pytmbot.yaml', env: {}, mode: 'prod' });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.path);
    throw err;
  }
  return [];
}

describe('bad values in the keys tmbot added', () => {
  it('covers every leaf of the new sections (generated from the schema)', () => {
    expect(CASES.length).toBeGreaterThan(100);
    expect(CASES.map((c) => c.path)).toEqual(
      expect.arrayContaining([
        'alerts.severity.container_died',
        'history.interval',
        'hosts[0].prometheus.host_label',
        'fleet.receiver.port',
        'bot_updates.release_feed_url',
        'access_control.rate_limit.requests',
        'docker.registry_auth_file',
      ]),
    );
  });

  it.each(CASES.map((c) => [c.path, c.doc] as const))('%s: rejected with its path', (path, doc) => {
    const paths = issuesOf(doc);
    expect(
      paths.some((p) => p === path || p.startsWith(`${path}[`) || p.startsWith(`${path}.`)),
    ).toBe(true);
  });
});
