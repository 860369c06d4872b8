import fc from 'fast-check';
import { parseAmPayload, PAYLOAD_LIMITS } from '../../../src/fleet/alertmanager-payload';
import { fuzzParams } from '../../support/fuzz';

const alert = {
  status: 'firing',
  labels: { alertname: 'A', instance: 'x' },
  annotations: { summary: 's' },
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://p',
  fingerprint: '0123abcd',
};
const payload = (alerts: unknown[]) =>
  JSON.stringify({ version: '4', status: 'firing', receiver: 'tmbot', groupKey: 'k', alerts });

describe('parseAmPayload', () => {
  it('reads Alertmanager webhook payloads (version 4)', () => {
    const p = parseAmPayload(payload([alert]));
    expect(p?.alerts[0]?.labels.alertname).toBe('A');
    expect(p?.alerts[0]?.fingerprint).toBe('0123abcd');
  });

  it.each([
    [
      'another version',
      JSON.stringify({ version: '3', status: 'firing', receiver: 'x', alerts: [] }),
    ],
    ['a non-string label', payload([{ ...alert, labels: { a: 1 } }])],
    ['a bad fingerprint', payload([{ ...alert, fingerprint: '../../x' }])],
    ['a bad status', payload([{ ...alert, status: 'pending' }])],
    ['too many alerts', payload(Array.from({ length: PAYLOAD_LIMITS.alerts + 1 }, () => alert))],
    [
      'a huge label',
      payload([{ ...alert, labels: { a: 'x'.repeat(PAYLOAD_LIMITS.valueLength + 1) } }]),
    ],
    ['an array', '[]'],
    ['not JSON', '{'],
  ])('refuses %s', (_what, body) => {
    expect(parseAmPayload(body)).toBeUndefined();
  });

  it('never throws on hostile JSON (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.anything().map((v) => JSON.stringify(v) ?? ''),
        ),
        (body) => {
          const p = parseAmPayload(body);
          if (p !== undefined) expect(p.alerts.length).toBeLessThanOrEqual(PAYLOAD_LIMITS.alerts);
        },
      ),
      fuzzParams(500),
    );
    fc.assert(
      fc.property(
        fc.record({
          version: fc.constant('4'),
          status: fc.constantFrom('firing', 'resolved'),
          receiver: fc.string(),
          alerts: fc.array(
            fc.record({
              status: fc.constantFrom('firing', 'x'),
              labels: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
              startsAt: fc.string(),
              endsAt: fc.string(),
              fingerprint: fc.string({
                unit: fc.constantFrom(...'0123456789abcdef'),
                maxLength: 40,
              }),
            }),
            { maxLength: 5 },
          ),
        }),
        (doc) => {
          const p = parseAmPayload(JSON.stringify(doc));
          for (const a of p?.alerts ?? []) expect(Object.getPrototypeOf(a.labels)).toBeNull();
        },
      ),
      fuzzParams(300),
    );
  });
});
