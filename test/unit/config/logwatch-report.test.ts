import YAML from 'yaml';
import { parseConfig } from '../../../src/config/load';
import { ConfigError } from '../../../src/errors';

const TOKEN = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr';
const minimal = { bot_token: { prod_token: [TOKEN] }, access_control: { allowed_user_ids: [1] } };

function load(extra: Record<string, unknown>) {
  return parseConfig({
    text: YAML.stringify({ ...minimal, ...extra }),
    origin: 'pytmbot.yaml',
    env: {},
    mode: 'prod',
  }).config;
}

function issues(extra: Record<string, unknown>): string[] {
  try {
    load(extra);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('loaded');
}

describe('log pattern and report config', () => {
  it('is off by default', () => {
    const c = load({});
    expect(c.alerts.logWatch).toEqual({
      patterns: [],
      maxLineBytes: 4096,
      matchTimeoutMs: 250,
      maxContainers: 100,
    });
    expect(c.alerts.severity.log_pattern).toBe('warning');
    expect(c.report.daily).toBeUndefined();
    expect(c.report.weekly).toBeUndefined();
  });

  it('maps a pattern with its defaults and the schedule', () => {
    const c = load({
      alerts: {
        log_patterns: [
          { name: 'panic', pattern: 'panic|FATAL', flags: 'i', containers: ['web-*'] },
        ],
      },
      report: { daily: '08:30', weekly: 'mon 07:05', timezone: 'Europe/Berlin' },
    });
    expect(c.alerts.logWatch.patterns).toEqual([
      {
        name: 'panic',
        source: 'panic|FATAL',
        flags: 'i',
        containers: ['web-*'],
        contextLines: 3,
        rateLimitMs: 600_000,
        action: 'none',
        maxRestartsPerHour: 1,
      },
    ]);
    expect(c.report).toEqual({
      daily: 8 * 60 + 30,
      weekly: { weekday: 1, minute: 7 * 60 + 5 },
      timeZone: 'Europe/Berlin',
    });
  });

  it('refuses a catastrophic regex, a bad glob, a twice-used name and bad values, each with its path', () => {
    const found = issues({
      alerts: {
        log_patterns: [
          { name: 'evil', pattern: '(a+)+$' },
          { name: 'evil', pattern: 'ok', containers: ['[x'] },
          { name: 'bad name!', pattern: 'x', action: 'reboot', rate_limit_minutes: 0 },
          { name: 'nopattern' },
        ],
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^alerts\.log_patterns\[0\]\.pattern: '\(a\+\)\+\$': a repeated group/,
        ),
        "alerts.log_patterns[1].name: 'evil' is used twice",
        expect.stringMatching(/^alerts\.log_patterns\[1\]\.containers\[0\]: /),
        expect.stringMatching(/^alerts\.log_patterns\[2\]\.name: /),
        expect.stringMatching(/^alerts\.log_patterns\[2\]\.action: /),
        expect.stringMatching(/^alerts\.log_patterns\[2\]\.rate_limit_minutes: /),
        expect.stringMatching(/^alerts\.log_patterns\[3\]\.pattern: /),
      ]),
    );
  });

  it('refuses a bad schedule and an unknown time zone with their paths', () => {
    expect(issues({ report: { daily: '8:30', weekly: 'monday 08:30' } })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^report\.daily: /),
        expect.stringMatching(/^report\.weekly: /),
      ]),
    );
    expect(issues({ report: { daily: '08:30', timezone: 'Mars/Olympus' } })).toEqual([
      "report.timezone: 'Mars/Olympus' is not an IANA time zone (e.g. Europe/Berlin, UTC)",
    ]);
  });
});
