import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownHostsFiles } from '../../../../src/adapters/docker/hosts';
import { isKnownHostKey, knownHostsName } from '../../../../src/adapters/docker/known-hosts';

describe('known_hosts checks for ssh:// hosts', () => {
  const key = randomBytes(51);
  const other = randomBytes(51);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-kh-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const b64 = (b: Buffer): string => b.toString('base64');

  it('accepts a listed key for the plain or [host]:port name, and nothing else', () => {
    const kh = file(
      'plain',
      `# comment\n\nnas,10.0.0.2 ssh-ed25519 ${b64(key)} root@nas\n[web1]:2222 ssh-ed25519 ${b64(key)}\n`,
    );
    expect(isKnownHostKey([kh], knownHostsName('nas', 22), key)).toBe(true);
    expect(isKnownHostKey([kh], knownHostsName('10.0.0.2', 22), key)).toBe(true);
    expect(isKnownHostKey([kh], knownHostsName('web1', 2222), key)).toBe(true);
    expect(isKnownHostKey([kh], knownHostsName('web1', 22), key)).toBe(false);
    expect(isKnownHostKey([kh], knownHostsName('nas', 22), other)).toBe(false);
    expect(isKnownHostKey([kh], knownHostsName('unknown', 22), key)).toBe(false);
  });

  it('understands hashed host names and @revoked lines, and skips missing files', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[db]:2200').digest('base64');
    const kh = file('hashed', `|1|${b64(salt)}|${hash} ssh-ed25519 ${b64(key)}\n`);
    expect(isKnownHostKey([join(dir, 'missing'), kh], '[db]:2200', key)).toBe(true);
    expect(isKnownHostKey([kh], 'db', key)).toBe(false);
    const revoked = file('revoked', `@revoked [db]:2200 ssh-ed25519 ${b64(key)}\n`);
    expect(isKnownHostKey([kh, revoked], '[db]:2200', key)).toBe(false);
  });

  it('looks in TMBOT_SSH_KNOWN_HOSTS, else the user’s and the system’s files', () => {
    expect(knownHostsFiles({ HOME: '/home/bot' })).toEqual([
      '/home/bot/.ssh/known_hosts',
      '/etc/ssh/ssh_known_hosts',
    ]);
    expect(knownHostsFiles({ HOME: '/home/bot', TMBOT_SSH_KNOWN_HOSTS: '/run/kh' })).toEqual([
      '/run/kh',
    ]);
  });
});
