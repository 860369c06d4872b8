import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ManualClock } from '../../../../src/clock';
import {
  DockerConfigCredentials,
  parseDockerAuths,
  registryAuthHeader,
  registryHost,
} from '../../../../src/adapters/docker/registry-auth';
import { createLogger } from '../../../../src/log/logger';
import { Redactor } from '../../../../src/log/redactor';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('Docker config.json credentials', () => {
  it('encodes X-Registry-Auth as padded base64url JSON with the server address', () => {
    // "?>" and "~~" encode to "+" and "/" in plain base64: the header must use "-" and "_".
    const creds = { username: 'me', password: 'p?>~~?' };
    const header = registryAuthHeader(creds, '127.0.0.1:5000');
    expect(header).toMatch(/^[A-Za-z0-9_-]+=*$/);
    expect(header.length % 4).toBe(0);
    const decode = (h: string): unknown => JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    expect(decode(header)).toEqual({ ...creds, serveraddress: '127.0.0.1:5000' });
    expect(decode(registryAuthHeader(creds, 'docker.io'))).toEqual({
      ...creds,
      serveraddress: 'https://index.docker.io/v1/',
    });
  });

  it('normalises auths keys to registry hosts', () => {
    expect(registryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(registryHost('https://ghcr.io')).toBe('ghcr.io');
    expect(registryHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(registryHost('Registry.Example.com:443/v2/')).toBe('registry.example.com:443');
  });

  it('reads auth (base64 user:password) and username/password; skips helper-only entries', () => {
    const parsed = parseDockerAuths(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hub-user:hub:pass') },
          'ghcr.io': { username: 'gh', password: 'ghp_x' },
          'quay.io': {},
          'bad.example': { auth: b64('no-colon') },
        },
        credsStore: 'desktop',
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      auths: new Map([
        ['docker.io', { username: 'hub-user', password: 'hub:pass' }],
        ['ghcr.io', { username: 'gh', password: 'ghp_x' }],
      ]),
    });
    expect(parseDockerAuths('{}')).toEqual({ ok: true, auths: new Map() });
    expect(parseDockerAuths('[1]')).toEqual({ ok: false, problem: 'is not a JSON object' });
    expect(parseDockerAuths('{"auths": 3}')).toEqual({
      ok: false,
      problem: "has an 'auths' that is not an object",
    });
  });

  it('loads the file, re-reads it after a minute, and warns about a bad file without quoting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-regauth-'));
    try {
      const path = join(dir, 'config.json');
      const secret = 'Sup3r-Secret-Registry-Password';
      writeFileSync(path, JSON.stringify({ auths: { 'ghcr.io': { auth: b64(`me:${secret}`) } } }));
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      });
      const redactor = new Redactor();
      const log = createLogger({ level: 'trace', format: 'json', redactor, stream });
      const clock = new ManualClock();
      const creds = new DockerConfigCredentials({
        path,
        clock,
        log,
        onSecret: (v) => redactor.add(v),
      });
      // Callers at the same time (update checks run 4 at once) all wait for the first read.
      const both = await Promise.all([creds.forRegistry('ghcr.io'), creds.forRegistry('ghcr.io')]);
      expect(both).toEqual([
        { username: 'me', password: secret },
        { username: 'me', password: secret },
      ]);
      await expect(creds.forRegistry('docker.io')).resolves.toBeUndefined();
      // The redactor learnt the password: a stray mention is masked.
      log.info(`oops ${secret}`);

      writeFileSync(path, `{"auths": {"ghcr.io": {"auth": "${b64(`me:${secret}`)}"}`);
      clock.advance(30_000);
      await expect(creds.forRegistry('ghcr.io')).resolves.toMatchObject({ username: 'me' });
      clock.advance(30_000);
      await expect(creds.forRegistry('ghcr.io')).resolves.toBeUndefined();
      rmSync(path);
      clock.advance(60_000);
      await expect(creds.forRegistry('ghcr.io')).resolves.toBeUndefined();

      const out = lines.join('');
      expect(out).toContain(`docker.registry_auth_file ${path} is not JSON`);
      expect(out).toContain(`docker.registry_auth_file ${path} cannot be read (ENOENT)`);
      expect(out).not.toContain(secret);
      expect(out).not.toContain(b64(`me:${secret}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
