/**
 * The deployment files agree with each other and keep their hardening: the image's user, state
 * dir and config path are the ones compose and the systemd unit use, and nobody quietly drops a
 * protection. (The image itself is built and run in test/e2e/container-image.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

const ROOT = join(__dirname, '..', '..', '..');
const read = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

/** Dockerfile instructions (continuations joined), split into stages at FROM. */
function stages(dockerfile: string): string[][] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const out: string[][] = [[]];
  for (const l of lines) {
    if (l.startsWith('FROM ')) out.push([]);
    out[out.length - 1]!.push(l);
  }
  return out;
}

describe('Dockerfile', () => {
  const [args = [], , final = []] = stages(read('Dockerfile'));

  it('builds on node:24-alpine by default, overridable', () => {
    expect(args).toContain('ARG BASE_IMAGE=node:24-alpine');
    expect(final[0]).toBe('FROM ${BASE_IMAGE}');
  });

  it('needs no shell in the final stage and runs as the dedicated user under tini', () => {
    expect(final.filter((l) => l.startsWith('RUN '))).toEqual([]);
    expect(final).toContain('USER 10001:10001');
    expect(final.find((l) => l.startsWith('ENTRYPOINT '))).toBe(
      'ENTRYPOINT ["/sbin/tini", "--", "node", "--disable-sigusr1", "--max-semi-space-size=1", "/opt/tmbot/dist/main.js"]',
    );
    expect(final.find((l) => l.startsWith('HEALTHCHECK '))).toMatch(
      /CMD \["node", "--disable-sigusr1", "\/opt\/tmbot\/dist\/main\.js", "--health-check"\]$/,
    );
  });

  it('puts the user in no group but its own', () => {
    expect(read('Dockerfile')).toContain("echo 'tmbot:x:10001:10001:");
    expect(read('Dockerfile')).toContain("echo 'tmbot:x:10001:'");
  });

  it('sends only what the build needs (never a pytmbot.yaml)', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(ignore.filter((l) => l.startsWith('!'))).toEqual([
      '!package.json',
      '!package-lock.json',
      '!tsconfig.json',
      '!tsconfig.build.json',
      '!src/',
      '!config/',
      '!assets/',
      '!packages/',
    ]);
  });
});

describe('docker-compose.yml', () => {
  const dockerfile = read('Dockerfile');
  const stateDir = /TMBOT_STATE_DIR=(\S+)/.exec(dockerfile)?.[1];
  const configPath = /PYTMBOT_CONFIG_PATH=(\S+)/.exec(dockerfile)?.[1];
  const compose = YAML.parse(read('docker-compose.yml')) as {
    services: Record<string, Record<string, unknown>>;
    volumes?: Record<string, unknown>;
  };
  const svc = compose.services.tmbot!;

  it('runs read-only, without capabilities or new privileges, with limits', () => {
    expect(svc.read_only).toBe(true);
    expect(svc.cap_drop).toEqual(['ALL']);
    expect(svc.security_opt).toContain('no-new-privileges:true');
    expect(svc).toMatchObject({ mem_limit: '256m', cpus: 0.5, pids_limit: 100 });
    expect(svc.privileged).toBeUndefined();
    expect(svc.pid).toBeUndefined();
    expect(svc.group_add).toHaveLength(1);
  });

  it('keeps state on a named volume where the image keeps state, so it survives re-creation', () => {
    expect(stateDir).toBe('/var/lib/tmbot');
    expect(svc.volumes).toContain(`tmbot-state:${stateDir}`);
    expect(compose).toHaveProperty('volumes.tmbot-state');
    // Never a tmpfs for state: lockouts, bans and the 2FA replay guard would vanish on restart.
    expect((svc.tmpfs as string[]).some((t) => t.startsWith(`${stateDir}:`))).toBe(false);
    expect(svc.volumes).toContain(`./pytmbot.yaml:${configPath}:ro`);
  });
});

describe('deploy/tmbot.service', () => {
  const unit = read('deploy/tmbot.service');
  const settings = unit.split('\n').filter((l) => /^[A-Z]\w+=/.test(l));

  it('has the hardening the docs promise', () => {
    for (const s of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'StateDirectory=tmbot',
      'SupplementaryGroups=docker',
      'CapabilityBoundingSet=',
      'RestartPreventExitStatus=2',
      'Environment="NODE_OPTIONS=--disable-sigusr1 --max-semi-space-size=1"',
    ]) {
      expect(settings).toContain(s);
    }
  });

  it('points TMBOT_STATE_DIR at its StateDirectory and leaves V8 its JIT', () => {
    expect(settings).toContain('Environment=TMBOT_STATE_DIR=/var/lib/tmbot');
    expect(settings.some((s) => s.startsWith('MemoryDenyWriteExecute='))).toBe(false);
  });
});
