import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { loadConfigFile, parseConfig, type ConfigSource } from '../../../src/config/load';
import { ConfigError } from '../../../src/errors';

const TOKEN = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr';
const SALT = 'QWERTYUIOPASDFGHJKLZXCVBNM234567QWERTY';

function source(doc: unknown, extra: Partial<ConfigSource> = {}): ConfigSource {
  return {
    text: typeof doc === 'string' ? doc : YAML.stringify(doc),
    origin: 'pytmbot.yaml',
    env: {},
    mode: 'prod',
    ...extra,
  };
}

const minimal = {
  bot_token: { prod_token: [TOKEN] },
  access_control: { allowed_user_ids: [1], allowed_admins_ids: [1], auth_salt: [SALT] },
};

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it("loads pyTMBot's own sample layout (one-item lists, nulls) unchanged", () => {
    const text = readFileSync(
      join(__dirname, '..', '..', 'fixtures', 'pytmbot-sample.yaml'),
      'utf8',
    );
    const { config, warnings, notices } = parseConfig(source(text));
    expect(warnings).toEqual([]);
    expect(config.botToken).toBe('1234567890:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk');
    expect(config.access.userIds).toEqual([123456789, 987654321]);
    expect(config.access.adminIds).toEqual([123456789]);
    expect(config.adminChatIds).toEqual([-1001234567890]);
    expect(config.docker.hosts).toEqual(['unix:///var/run/docker.sock']);
    expect(config.webhook.localPort).toBe(5001);
    expect(config.webhook.cert).toBeUndefined();
    expect(config.plugins.monitor.thresholds.cpu).toBe(80);
    expect(config.plugins.monitor.monitorDocker).toBe(true);
    expect(notices.join('\n')).toMatch(/0\.3\.0-dev is older/);
    expect(config.secrets).toEqual(
      expect.arrayContaining([
        'https://outline.example.org:12345/SecretApiPath',
        'influx-token-abcdefghijklmnop',
      ]),
    );
    expect(Object.isFrozen(config.access.userIds)).toBe(true);
  });

  it("loads pyTMBot 0.3.3's own sample unchanged (two-item retry lists included)", () => {
    const text = readFileSync(
      join(__dirname, '..', '..', 'fixtures', 'pytmbot-0.3.3-sample.yaml'),
      'utf8',
    );
    const { config, warnings } = parseConfig(source(text));
    // pyTMBot reads retry_*[0]; the second item is reported, never an error.
    expect(warnings.map((w) => w.path).sort()).toEqual([
      'plugins_config.monitor.retry_attempts',
      'plugins_config.monitor.retry_interval',
    ]);
    expect(warnings[0]?.message).toMatch(/first is used, as pyTMBot does/);
    expect(config.access.userIds).toEqual([123456789, 987654321]);
    expect(config.docker.strictAccess).toBe(false);
    expect(config.webhook.trustedProxies).toEqual(['127.0.0.1']);
    expect(config.plugins.monitor.checkIntervalSeconds).toBe(5);
    expect(config.plugins.monitor.monitorDocker).toBe(true);
  });

  it('reads quoted numbers and booleans and multi-item scalar lists as pyTMBot does', () => {
    const { config, warnings } = parseConfig(
      source({
        bot_token: { prod_token: [TOKEN, '999:other-token-ignored-by-pytmbot-xxxxxxxx'] },
        access_control: {
          allowed_user_ids: ['42', 43],
          allowed_admins_ids: ['42'],
          auth_salt: [SALT],
        },
        docker: {
          host: ['unix:///var/run/docker.sock'],
          debug_docker_client: 'false',
          strict_access: 'TRUE',
        },
        webhook_config: { url: ['bot.example.org'], webhook_port: ['8443'], local_port: '5001' },
      }),
    );
    expect(config.botToken).toBe(TOKEN);
    expect(config.access.userIds).toEqual([42, 43]);
    expect(config.access.adminIds).toEqual([42]);
    expect(config.docker.debug).toBe(false);
    expect(config.docker.strictAccess).toBe(true);
    expect(config.webhook.publicPort).toBe(8443);
    expect(config.webhook.localPort).toBe(5001);
    expect(warnings).toEqual([
      {
        path: 'bot_token.prod_token',
        message: '2 items where one value is expected; the first is used, as pyTMBot does',
      },
    ]);
  });

  it('still refuses text that is not a number where a number is expected', () => {
    const issues = issuesOf(() =>
      parseConfig(source({ ...minimal, webhook_config: { local_port: ['80a'] } })),
    );
    expect(issues).toContainEqual({
      path: 'webhook_config.local_port',
      message: 'must be an integer',
    });
  });

  it('accepts plain scalars and single values for lists alike', () => {
    const { config } = parseConfig(
      source({
        bot_token: { prod_token: TOKEN },
        access_control: { allowed_user_ids: 42, allowed_admins_ids: 42, auth_salt: SALT },
        docker: { host: 'tcp://127.0.0.1:2375' },
      }),
    );
    expect(config.access.userIds).toEqual([42]);
    expect(config.docker.hosts).toEqual(['tcp://127.0.0.1:2375']);
  });

  it('reports every problem at once with its path', () => {
    const issues = issuesOf(() =>
      parseConfig(
        source({
          bot_token: { prod_token: ['YOUR_PROD_BOT_TOKEN'] },
          access_control: {
            allowed_user_ids: [1, 'two'],
            allowed_admins_ids: [1, 7],
            auth_salt: [SALT],
          },
          webhook_config: { local_port: [80], trusted_proxy_ips: ['10.0.0.0/99'] },
        }),
      ),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['bot_token.prod_token']).toMatch(/placeholder.*@BotFather/);
    expect(byPath['access_control.allowed_user_ids[1]']).toMatch(/must be an integer/);
    expect(byPath['access_control.allowed_admins_ids[1]']).toMatch(
      /admin 7 is not in access_control.allowed_user_ids/,
    );
    expect(byPath['webhook_config.local_port']).toMatch(/1024/);
    expect(byPath['webhook_config.trusted_proxy_ips[0]']).toMatch(/not an IP address or CIDR/);
    expect(issues).toHaveLength(5);
  });

  it('keeps the per-user rate limit at 8 per 10 s unless access_control.rate_limit says otherwise', () => {
    expect(parseConfig(source(minimal)).config.access.rateLimit).toEqual({
      requests: 8,
      windowMs: 10_000,
    });
    const set = (rate_limit: unknown) =>
      source({ ...minimal, access_control: { ...minimal.access_control, rate_limit } });
    expect(parseConfig(set({ requests: 30 })).config.access.rateLimit).toEqual({
      requests: 30,
      windowMs: 10_000,
    });
    expect(parseConfig(set({ requests: 2, per_seconds: 60 })).config.access.rateLimit).toEqual({
      requests: 2,
      windowMs: 60_000,
    });
    const byPath = Object.fromEntries(
      issuesOf(() => parseConfig(set({ requests: 0, per_seconds: 'ten' }))).map((i) => [
        i.path,
        i.message,
      ]),
    );
    expect(Object.keys(byPath).sort()).toEqual([
      'access_control.rate_limit.per_seconds',
      'access_control.rate_limit.requests',
    ]);
  });

  it('never echoes a malformed token', () => {
    const issues = issuesOf(() =>
      parseConfig(source({ ...minimal, bot_token: { prod_token: ['12345:short-secret-value'] } })),
    );
    expect(JSON.stringify(issues)).not.toContain('short-secret-value');
  });

  it('warns about unknown keys with a suggestion instead of failing', () => {
    const { warnings } = parseConfig(
      source({ ...minimal, docker: { hots: ['unix:///x'] }, chatid: { global_chat_id: [1] } }),
    );
    expect(warnings).toEqual([
      { path: 'docker.hots', message: "unknown key, ignored (did you mean 'host'?)" },
      { path: 'chatid', message: "unknown key, ignored (did you mean 'chat_id'?)" },
    ]);
  });

  it('refuses a config_version newer than this build and notes a missing one', () => {
    const issues = issuesOf(() => parseConfig(source({ ...minimal, config_version: '9.0.0' })));
    expect(issues[0]).toEqual({
      path: 'config_version',
      message: expect.stringMatching(/newer.*upgrade tmbot/),
    });
    expect(parseConfig(source(minimal)).notices[0]).toMatch(/config_version is not set/);
  });

  it('takes secrets from the environment and from Docker secret files', () => {
    const doc = { access_control: { allowed_user_ids: [1] } };
    const files: Record<string, string> = {
      '/run/secrets/token': `${TOKEN}\n`,
      '/run/secrets/salt': SALT,
    };
    const { config } = parseConfig(
      source(doc, {
        env: {
          TMBOT_BOT_TOKEN_FILE: '/run/secrets/token',
          TMBOT_AUTH_SALT_FILE: '/run/secrets/salt',
        },
        readSecretFile: (p) => {
          const v = files[p];
          if (v === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
          return v;
        },
      }),
    );
    expect(config.botToken).toBe(TOKEN);
    expect(config.access.authSalt).toBe(SALT);
    expect(parseConfig(source(doc, { env: { TMBOT_BOT_TOKEN: TOKEN } })).config.botToken).toBe(
      TOKEN,
    );
  });

  it('uses the dev token with --mode dev and the API root from the environment', () => {
    const devToken = '999:ZZbbccddeeffgghhiijjkkllmmnnooppqqr';
    const { config } = parseConfig(
      source(
        { ...minimal, bot_token: { prod_token: [TOKEN], dev_bot_token: [devToken] } },
        { mode: 'dev', env: { TMBOT_TELEGRAM_API_ROOT: 'http://127.0.0.1:9999' } },
      ),
    );
    expect(config.botToken).toBe(devToken);
    expect(config.telegram.apiRoot).toBe('http://127.0.0.1:9999/');
  });

  it('explains YAML syntax errors with a line number', () => {
    const issues = issuesOf(() => parseConfig(source('bot_token: [unclosed\n  x: : :')));
    expect(issues[0]?.path).toMatch(/^pytmbot\.yaml:\d+$/);
  });

  it('rejects a document that is not a mapping', () => {
    expect(issuesOf(() => parseConfig(source('- a\n- b\n')))[0]?.message).toMatch(/mapping/);
  });
});

describe('loadConfigFile', () => {
  it('warns when the file holding secrets is readable by group or others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-cfg-'));
    const path = join(dir, 'pytmbot.yaml');
    writeFileSync(path, YAML.stringify(minimal));
    chmodSync(path, 0o644);
    expect(loadConfigFile(path, {}, 'prod').warnings).toEqual([
      { path, message: expect.stringMatching(/readable by group or others.*chmod 600/) },
    ]);
    chmodSync(path, 0o600);
    expect(loadConfigFile(path, {}, 'prod').warnings).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
