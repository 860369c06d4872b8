import YAML from 'yaml';
import { parseConfig } from '../../../src/config/load';
import { ConfigError } from '../../../src/errors';

const base = {
  bot_token: { prod_token: ['123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr'] },
  access_control: { allowed_user_ids: [1], auth_salt: ['QWERTYUIOPASDFGHJKLZXCVBNM234567QWERTY'] },
};

const load = (webhook: Record<string, unknown>) =>
  parseConfig({
    text: YAML.stringify({ ...base, webhook_config: webhook }),
    origin: 't.yaml',
    env: {},
    mode: 'prod',
  }).config.webhook;

describe('webhook_config', () => {
  it('defaults every hardening setting', () => {
    expect(load({})).toMatchObject({
      maxConnections: 10,
      dropPendingUpdates: true,
      requestTimeoutMs: 10_000,
      rateLimit: { limit: 10, unknownPathLimit: 5, windowMs: 10_000 },
      ban: { threshold: 50, windowMs: 600_000, durationMs: 3_600_000 },
      rotation: { afterRequests: 10_000, intervalMs: 0, graceMs: 300_000 },
    });
  });

  it('reads them in seconds and hours, pyTMBot one-item lists included', () => {
    const w = load({
      max_connections: [40],
      drop_pending_updates: false,
      request_timeout_seconds: 3,
      rate_limit: 20,
      unknown_path_rate_limit: 2,
      rate_limit_window_seconds: 30,
      ban_threshold: 7,
      ban_window_seconds: 60,
      ban_duration_seconds: 120,
      rotate_after_requests: 0,
      rotate_interval_hours: 1.5,
      rotation_grace_seconds: 0,
    });
    expect(w).toMatchObject({
      maxConnections: 40,
      dropPendingUpdates: false,
      requestTimeoutMs: 3000,
      rateLimit: { limit: 20, unknownPathLimit: 2, windowMs: 30_000 },
      ban: { threshold: 7, windowMs: 60_000, durationMs: 120_000 },
      rotation: { afterRequests: 0, intervalMs: 5_400_000, graceMs: 0 },
    });
  });

  it('refuses values Telegram or the timers cannot take, naming each', () => {
    try {
      load({ max_connections: 101, rate_limit: 0, rotate_interval_hours: 1000 });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const paths = (err as ConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'webhook_config.max_connections',
          'webhook_config.rate_limit',
          'webhook_config.rotate_interval_hours',
        ]),
      );
    }
  });
});
