/**
 * The config loader under arbitrary input: random YAML text, mutated pyTMBot samples, schema-shaped
 * documents with hostile values in every field, alias bombs, and hostile environment variables.
 * Every case ends in a typed, frozen Config or a ConfigError whose issues carry a path and a
 * message; never another exception, never a hang, and never a secret echoed in an error.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { parseConfig, type ConfigSource } from '../../../src/config/load';
import { loadSchema, type SchemaNode } from '../../../src/config/schema';
import type { Config } from '../../../src/config/types';
import { ConfigError } from '../../../src/errors';
import { fuzzParams, hostileId, hostileString } from '../../support/fuzz';

const SAMPLE = readFileSync(join(__dirname, '..', '..', 'fixtures', 'pytmbot-sample.yaml'), 'utf8');
const SECRET_TOKEN = '5550001234:AAsecretSECRETsecretSECRETsecret_-xy';
const SECRET_SALT = 'saltSALTsaltSALTsaltSALTsaltSALT-zz';

/** Outcome of one load: the config, or the issues; anything else fails the property. */
function load(
  source: ConfigSource,
): { config: Config } | { issues: readonly { path: string; message: string }[]; text: string } {
  try {
    return { config: parseConfig(source).config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { issues: err.issues, text: err.message };
  }
}

function expectTyped(config: Config): void {
  expect(Object.isFrozen(config)).toBe(true);
  expect(config.botToken).toMatch(/^\d{1,20}:[A-Za-z0-9_-]{20,}$/);
  expect(config.telegram.apiRoot).toMatch(/^https?:\/\/\S+\/$/);
  expect(config.access.userIds.length).toBeGreaterThan(0);
  for (const ids of [
    config.access.userIds,
    config.access.adminIds,
    config.access.chatIds,
    config.adminChatIds,
  ]) {
    for (const id of ids) expect(Number.isInteger(id)).toBe(true);
  }
  for (const id of config.access.adminIds) expect(config.access.userIds).toContain(id);
  if (config.access.adminIds.length > 0)
    expect(config.access.authSalt.length).toBeGreaterThanOrEqual(16);
  expect(config.docker.hosts.length).toBeGreaterThan(0);
  for (const h of config.docker.hosts) expect(typeof h).toBe('string');
  expect(typeof config.docker.debug).toBe('boolean');
  expect(typeof config.docker.strictAccess).toBe('boolean');
  for (const port of [config.webhook.localPort, config.webhook.publicPort]) {
    expect(Number.isInteger(port) && port >= 1 && port <= 65535).toBe(true);
  }
  expect(config.webhook.localPort).toBeGreaterThanOrEqual(1024);
  const t = config.plugins.monitor.thresholds;
  for (const v of [t.cpu, t.memory, t.disk]) expect(v >= 0 && v <= 100).toBe(true);
  for (const v of Object.values(t)) expect(Number.isFinite(v)).toBe(true);
  const m = config.plugins.monitor;
  for (const v of [
    m.maxNotifications,
    m.checkIntervalSeconds,
    m.resetNotificationSeconds,
    m.retryAttempts,
    m.retryIntervalSeconds,
  ]) {
    expect(Number.isInteger(v) && v >= 1).toBe(true);
  }
  for (const s of config.secrets) expect(typeof s).toBe('string');
  expect(config.secrets).toContain(config.botToken);
}

function expectIssues(issues: readonly { path: string; message: string }[]): void {
  expect(issues.length).toBeGreaterThan(0);
  for (const i of issues) {
    expect(typeof i.path).toBe('string');
    expect(typeof i.message).toBe('string');
    expect(i.message.length).toBeGreaterThan(0);
  }
}

/**
 * A value for a schema node: valid, hostile (`hostility` in 20 cases), or a pyTMBot one-item list.
 */
function valueFor(node: SchemaNode, depth: number, hostility: number): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    hostileString,
    hostileId,
    fc.constantFrom(
      null,
      true,
      '',
      [],
      {},
      Infinity,
      -0,
      1e300,
      '0x10',
      '1_000',
      '.inf',
      'yes',
      'off',
      '~',
    ),
  );
  // Valid means within the schema's own bounds, so nearly valid documents reach the cross-checks.
  const bounds = node as SchemaNode & {
    minimum?: number;
    maximum?: number;
    minLength?: number;
    minItems?: number;
    pattern?: string;
  };
  let valid: fc.Arbitrary<unknown>;
  switch (node.type) {
    case 'object':
      valid = documentFor(node, hostility, depth + 1);
      break;
    case 'array':
      valid = fc.array(node.items ? valueFor(node.items, depth + 1, hostility) : hostile, {
        minLength: bounds.minItems ?? 0,
        maxLength: 4,
      });
      break;
    case 'integer':
      valid = fc.oneof(
        fc.integer({ min: bounds.minimum ?? -(2 ** 40), max: bounds.maximum ?? 2 ** 40 }),
        fc.constantFrom(1024, 5001, 8443, 65535),
      );
      break;
    case 'number':
      valid = fc.double({ min: bounds.minimum ?? -1000, max: bounds.maximum ?? 1000, noNaN: true });
      break;
    case 'boolean':
      valid = fc.boolean();
      break;
    default:
      valid =
        bounds.pattern !== undefined
          ? fc.constantFrom('https://api.telegram.org/', 'http://127.0.0.1:8081')
          : fc.oneof(
              hostileString.filter((v) => v.length >= (bounds.minLength ?? 0)),
              fc.constantFrom(
                '10.0.0.0/8',
                '149.154.160.0/20',
                '::1',
                'unix:///var/run/docker.sock',
              ),
            );
  }
  const scalar = node.type !== 'object' && node.type !== 'array';
  return fc.oneof(
    { arbitrary: valid, weight: 16 },
    { arbitrary: scalar ? valid.map((v) => [v]) : valid, weight: 4 - Math.min(hostility, 4) },
    { arbitrary: hostile, weight: hostility },
  );
}

/** A mapping with some of the node's keys (and maybe unknown ones), values from `valueFor`. */
function documentFor(
  node: SchemaNode,
  hostility: number,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  if (depth > 4 || node.properties === undefined)
    return fc.dictionary(hostileString, fc.anything({ maxDepth: 1 }), { maxKeys: 3 });
  const keys = Object.entries(node.properties);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, child] of keys) {
    record[k] =
      k === 'config_version'
        ? fc.oneof(
            fc.constantFrom('0.3.0-dev', '0.3.1', '0.4.0'),
            valueFor(child, depth, hostility),
          )
        : valueFor(child, depth, hostility);
  }
  return fc
    .tuple(
      fc.record(record, { requiredKeys: [] }),
      fc.dictionary(
        fc.oneof(
          hostileString,
          fc.constantFrom('__proto__', 'constructor', 'prod_tokn', 'allowed_user_id'),
        ),
        fc.anything({ maxDepth: 1 }),
        { maxKeys: 2 },
      ),
    )
    .map(([known, extra]) => ({ ...extra, ...known }));
}

/**
 * Schema-shaped documents, from nearly valid (so the cross-checks and the typed result are
 * reached) to chaotic; the required secrets are valid half of the time.
 */
const schemaDocument = fc
  .tuple(
    fc.constantFrom(0, 0, 1, 4, 20).chain((hostility) => documentFor(loadSchema(), hostility)),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([doc, withToken, withAccess]) => {
    const out: Record<string, unknown> = { ...doc };
    if (withToken) out.bot_token = { prod_token: [SECRET_TOKEN], dev_bot_token: SECRET_TOKEN };
    if (withAccess) {
      const ac =
        typeof out.access_control === 'object' && out.access_control !== null
          ? out.access_control
          : {};
      out.access_control = {
        ...ac,
        allowed_user_ids: [1, 2],
        allowed_admins_ids: [1],
        auth_salt: SECRET_SALT,
      };
    }
    return out;
  });

const YAML_BITS = [
  ':',
  ': ',
  '- ',
  '? ',
  '&a ',
  '*a',
  '*b',
  '!!binary ',
  '!!str ',
  '!!set ',
  '!!omap ',
  '!!map ',
  '!!timestamp ',
  '!custom ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '|',
  '>',
  '#',
  '%YAML 1.1\n',
  '%TAG ! tag:x,2000:\n',
  '---\n',
  '...\n',
  '<<: *a\n',
  '\t',
  '\n',
  '\n  ',
  '\n    ',
  '\uFEFF',
  '\r\n',
  '0x1F',
  '0o17',
  '.nan',
  '.inf',
  '-.inf',
  'null',
  '~',
  'yes',
  'on',
  '1e400',
  '99999999999999999999',
  '-1',
  'bot_token',
  'prod_token',
  'access_control',
  'allowed_user_ids',
  'auth_salt',
  'webhook_config',
  'local_port',
  'docker',
  'host',
  'plugins_config',
  'tracehold',
  'config_version',
  '9.9.9',
];
const yamlText = fc
  .array(
    fc.oneof(
      { arbitrary: fc.constantFrom(...YAML_BITS), weight: 4 },
      { arbitrary: hostileString, weight: 1 },
    ),
    { maxLength: 60 },
  )
  .map((bits) => bits.join(''));

/** The pyTMBot sample with a few random cuts and insertions. */
const mutatedSample = fc
  .array(
    fc.tuple(
      fc.nat({ max: SAMPLE.length }),
      fc.nat({ max: 20 }),
      fc.oneof(fc.constantFrom(...YAML_BITS), hostileString),
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((edits) =>
    edits.reduce(
      (text, [at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut),
      SAMPLE,
    ),
  );

const aliasBomb = fc.integer({ min: 2, max: 12 }).map((levels) => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\nbot_token: {prod_token: *a${levels - 1}}\n`;
});

const env = fc.oneof(
  { arbitrary: fc.constant({}), weight: 3 },
  {
    arbitrary: fc.record(
      {
        TMBOT_BOT_TOKEN: fc.oneof(fc.constant(SECRET_TOKEN), hostileString),
        TMBOT_AUTH_SALT: fc.oneof(fc.constant(SECRET_SALT), hostileString),
        TMBOT_BOT_TOKEN_FILE: fc.constantFrom('/run/secrets/token', '/missing', ''),
        TMBOT_TELEGRAM_API_ROOT: fc.oneof(
          fc.constantFrom('http://127.0.0.1:8081', 'https://api.telegram.org', 'ftp://x', ''),
          hostileString,
        ),
        STRICT_DOCKER_ACCESS: fc.oneof(fc.constantFrom('1', 'true', 'no', ''), hostileString),
      },
      { requiredKeys: [] },
    ),
    weight: 2,
  },
);

const source = fc.record({
  text: fc.oneof(
    { arbitrary: schemaDocument.map((d) => YAML.stringify(d)), weight: 5 },
    { arbitrary: schemaDocument.map((d) => JSON.stringify(d)), weight: 1 },
    { arbitrary: yamlText, weight: 3 },
    { arbitrary: mutatedSample, weight: 3 },
    { arbitrary: aliasBomb, weight: 1 },
  ),
  env,
  mode: fc.constantFrom('prod' as const, 'dev' as const),
  secretFile: fc.oneof(fc.constant(SECRET_TOKEN), hostileString, fc.constant(undefined)),
});

describe('config loader under arbitrary input', () => {
  it('returns a typed config or a ConfigError with paths, and never echoes a secret', () => {
    fc.assert(
      fc.property(source, ({ text, env, mode, secretFile }) => {
        const outcome = load({
          text,
          origin: 'pytmbot.yaml',
          env,
          mode,
          readSecretFile: (path) => {
            if (secretFile === undefined || path === '/missing')
              throw Object.assign(new Error('nope'), { code: 'ENOENT' });
            return secretFile;
          },
        });
        if ('config' in outcome) {
          expectTyped(outcome.config);
        } else {
          expectIssues(outcome.issues);
          expect(outcome.text).not.toContain(SECRET_TOKEN);
          expect(outcome.text).not.toContain(SECRET_SALT);
        }
      }),
      fuzzParams(1500),
    );
  }, 90_000);

  it.each([
    ['50 000 nested flow sequences', '['.repeat(50_000)],
    ['100 000 nested block sequences', '- '.repeat(100_000)],
    ['a 1000 KiB token', `bot_token: {prod_token: '${'x'.repeat(1000 * 1024)}'}`],
    ['20 000 user ids', `access_control:\n  allowed_user_ids:\n${'    - 1\n'.repeat(20_000)}`],
  ])('%s: a ConfigError or a config, no stack overflow', (_what, text) => {
    const outcome = load({ text, origin: 'pytmbot.yaml', env: {}, mode: 'prod' });
    if (!('config' in outcome)) expectIssues(outcome.issues);
  });
});
