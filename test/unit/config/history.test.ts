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

describe('history config', () => {
  it('is on by default with 10 s samples, a 50 MiB cap and a 7-day forecast alert', () => {
    const { history, influxdb } = load({});
    expect(history).toMatchObject({
      enabled: true,
      intervalSeconds: 10,
      maxBytes: 50 * 1024 * 1024,
      maxContainers: 50,
      forecastAlertDays: 7,
      alertCharts: true,
    });
    expect(load({ history: { alert_charts: false } }).history.alertCharts).toBe(false);
    expect(history.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(influxdb.version).toBe(2);
  });

  it('accepts pyTMBot one-item lists and a v1 InfluxDB', () => {
    const config = load({
      history: { interval: [5], time_zone: ['Europe/Berlin'] },
      influxdb: { url: ['http://127.0.0.1:8086'], bucket: ['tmbot'], version: 1 },
    });
    expect(config.history.intervalSeconds).toBe(5);
    expect(config.history.timeZone).toBe('Europe/Berlin');
    expect(config.influxdb.version).toBe(1);
  });

  it('reports a bad time zone, interval and InfluxDB version with their paths', () => {
    let issues: string[] = [];
    try {
      load({ history: { time_zone: 'Mars/Olympus', interval: 0 }, influxdb: { version: 3 } });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues = err.issues.map((i) => i.path);
    }
    expect(issues).toEqual(expect.arrayContaining(['history.interval', 'influxdb.version']));
    let zone: string[] = [];
    try {
      load({ history: { time_zone: 'Mars/Olympus' } });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      zone = err.issues.map((i) => `${i.path}: ${i.message}`);
    }
    expect(zone).toEqual([
      "history.time_zone: 'Mars/Olympus' is not an IANA time zone (e.g. Europe/Berlin, UTC)",
    ]);
  });
});
