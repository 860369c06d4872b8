import { systemClock } from '../../../../src/clock';
import {
  normaliseFingerprint,
  OutlineClient,
  OutlineUnavailableError,
  parseAccessKeys,
  parseServerInfo,
  parseTransfer,
} from '../../../../src/plugins/outline/client';
import { OutlineStandIn, SECRET_PATH } from '../../../support/outline-server';

async function failure(p: Promise<unknown>): Promise<OutlineUnavailableError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OutlineUnavailableError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('OutlineClient against a local self-signed HTTPS server', () => {
  let outline: OutlineStandIn;
  beforeAll(async () => {
    outline = await OutlineStandIn.start();
  });
  afterAll(async () => {
    await outline.stop();
  });
  beforeEach(() => {
    outline.reset();
  });

  const client = (over: { cert?: string; timeoutMs?: number; maxBytes?: number } = {}) =>
    new OutlineClient({
      apiUrl: outline.apiUrl,
      certSha256: over.cert ?? outline.fingerprint,
      clock: systemClock,
      ...(over.timeoutMs !== undefined ? { timeoutMs: over.timeoutMs } : {}),
      ...(over.maxBytes !== undefined ? { maxBytes: over.maxBytes } : {}),
    });

  it('reads the three endpoints with the right fingerprint, in any spelling', async () => {
    const lower = outline.fingerprint.replace(/:/g, '').toLowerCase();
    for (const cert of [outline.fingerprint, lower]) {
      const c = client({ cert });
      await expect(c.server()).resolves.toMatchObject({
        name: 'Outline <b>Test</b>',
        metricsEnabled: true,
        portForNewAccessKeys: 443,
      });
      const keys = await c.accessKeys();
      expect(keys).toEqual([
        { id: '0', name: 'Alice' },
        { id: '1', name: '<i>Bob</i> & co' },
      ]);
      // The access URL is dropped at the boundary.
      expect(JSON.stringify(keys)).not.toContain('SECRETKEY');
      expect([...(await c.transfer()).entries()]).toEqual([
        ['0', 1_572_864],
        ['1', 512],
        ['7', 2048],
      ]);
    }
    expect(outline.seen).toContain(`/${SECRET_PATH}/metrics/transfer`);
  });

  it('refuses a wrong fingerprint before the secret path is sent', async () => {
    const wrong = 'AB'.repeat(32);
    const err = await failure(client({ cert: wrong }).server());
    expect(err.reason).toBe('the server certificate does not match the pinned fingerprint');
    expect(err.message).not.toContain(SECRET_PATH);
    expect(outline.seen).toEqual([]);
  });

  it('rejects hostile JSON shapes and non-JSON', async () => {
    const cases: [string, unknown][] = [
      ['server', { name: 42 }],
      ['server', []],
      ['access-keys', { accessKeys: [{ id: {}, name: 'x' }] }],
      ['access-keys', { accessKeys: 'nope' }],
      ['metrics/transfer', { bytesTransferredByUserId: { '0': -1 } }],
      ['metrics/transfer', { bytesTransferredByUserId: { '0': '12' } }],
    ];
    const c = client();
    const call = {
      server: () => c.server(),
      'access-keys': () => c.accessKeys(),
      'metrics/transfer': () => c.transfer(),
    };
    for (const [endpoint, json] of cases) {
      outline.answers.set(endpoint, { json });
      const err = await failure(call[endpoint as keyof typeof call]());
      expect(err.reason).toBe(`unexpected answer to /${endpoint}`);
    }
    outline.answers.set('server', { raw: '{"name": ' });
    expect((await failure(c.server())).reason).toBe('the answer is not JSON');
    outline.answers.set('server', { json: {}, status: 500 });
    expect((await failure(c.server())).reason).toBe('the API answered HTTP 500');
  });

  it('refuses an oversize answer and gives up on a silent server', async () => {
    outline.answers.set('server', { huge: 4 * 1024 * 1024 });
    expect((await failure(client({ maxBytes: 64 * 1024 }).server())).reason).toBe(
      'the answer is too large',
    );
    outline.answers.set('server', { hang: true });
    expect((await failure(client({ timeoutMs: 300 }).server())).reason).toBe(
      'no answer within 0.3 s',
    );
  });

  it('says "connection refused" without the URL when nothing listens', async () => {
    const c = new OutlineClient({
      apiUrl: `https://127.0.0.1:1/${SECRET_PATH}`,
      certSha256: outline.fingerprint,
      clock: systemClock,
    });
    const err = await failure(c.server());
    expect(err.message).toBe('Outline server not reachable: connection refused');
  });
});

describe('Outline settings and parsers', () => {
  it('normalises fingerprints and refuses other text', () => {
    const hex = 'a1'.repeat(32);
    expect(normaliseFingerprint(hex)).toBe(hex.toUpperCase());
    expect(normaliseFingerprint(hex.toUpperCase().match(/../g)!.join(':'))).toBe(hex.toUpperCase());
    for (const bad of ['', 'YOUR_CERT', 'a1'.repeat(31), 'g1'.repeat(32)])
      expect(normaliseFingerprint(bad)).toBeUndefined();
  });

  it('refuses unusable settings with reasons that never repeat the URL', () => {
    const cases: [string, string][] = [
      ['not a url S3cr3t', 'a1'.repeat(32)],
      ['http://127.0.0.1/S3cr3t', 'a1'.repeat(32)],
      ['https://127.0.0.1/S3cr3t', 'YOUR_CERT'],
    ];
    for (const [apiUrl, certSha256] of cases) {
      let reason = '';
      try {
        new OutlineClient({ apiUrl, certSha256, clock: systemClock });
      } catch (err) {
        reason = (err as OutlineUnavailableError).reason;
      }
      expect(reason).not.toBe('');
      expect(reason).not.toContain('S3cr3t');
    }
  });

  it('accepts snake_case server info and numeric key ids, drops out-of-range numbers', () => {
    expect(
      parseServerInfo({ name: 'x', metrics_enabled: false, port_for_new_access_keys: 70000 }),
    ).toEqual({ name: 'x', metricsEnabled: false });
    expect(parseAccessKeys({ accessKeys: [{ id: 3 }] })).toEqual([{ id: '3', name: '' }]);
    expect(parseTransfer({ bytesTransferredByUserId: {} }).size).toBe(0);
  });
});
