import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modemOptions, parseDockerHost } from '../../../../src/adapters/docker/hosts';

describe('parseDockerHost', () => {
  it('takes unix sockets by absolute path', () => {
    expect(parseDockerHost('unix:///var/run/docker.sock', undefined)).toEqual({
      label: 'unix:///var/run/docker.sock',
      connection: { kind: 'unix', socketPath: '/var/run/docker.sock' },
    });
    expect(() => parseDockerHost('unix://relative.sock', undefined)).toThrow(/absolute path/);
  });

  it('uses plain HTTP for tcp:// without TLS, HTTPS with TLS files or on port 2376', () => {
    expect(parseDockerHost('tcp://10.0.0.5:2375', undefined).connection).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2375,
      protocol: 'http',
    });
    expect(parseDockerHost('tcp://docker.lan', undefined).connection).toMatchObject({
      port: 2375,
      protocol: 'http',
    });
    expect(parseDockerHost('tcp://docker.lan:2376', undefined).connection).toMatchObject({
      protocol: 'https',
    });
    const tls = { ca: '/etc/ca.pem', cert: '/etc/cert.pem', key: '/etc/key.pem' };
    expect(parseDockerHost('tcp://docker.lan:9999', tls).connection).toEqual({
      kind: 'tcp',
      host: 'docker.lan',
      port: 9999,
      protocol: 'https',
      tls,
    });
    expect(parseDockerHost('https://[::1]:2376', undefined).connection).toMatchObject({
      host: '::1',
      protocol: 'https',
    });
  });

  it('parses ssh:// with user and port, and never puts a password in the label', () => {
    expect(parseDockerHost('ssh://deploy@web1:2222', undefined)).toEqual({
      label: 'ssh://deploy@web1:2222',
      connection: { kind: 'ssh', host: 'web1', port: 2222, username: 'deploy' },
    });
    expect(parseDockerHost('tcp://admin:s3cret@docker.lan:2375', undefined).label).toBe(
      'tcp://admin@docker.lan:2375',
    );
  });

  it('rejects what it cannot connect to, saying how to write it', () => {
    expect(() => parseDockerHost('npipe:////./pipe/docker_engine', undefined)).toThrow(
      /unsupported scheme npipe/,
    );
    expect(() => parseDockerHost('docker.lan', undefined)).toThrow(/not a Docker host/);
  });
});

describe('modemOptions', () => {
  it('overrides DOCKER_HOST defaults explicitly and reads TLS files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-tls-'));
    try {
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `${f}-bytes`);
      const tls = {
        ca: join(dir, 'ca.pem'),
        cert: join(dir, 'cert.pem'),
        key: join(dir, 'key.pem'),
      };
      const opts = modemOptions(parseDockerHost('tcp://d:2376', tls).connection, {});
      expect(opts).toMatchObject({
        host: 'd',
        port: 2376,
        protocol: 'https',
        socketPath: undefined,
      });
      expect(String(opts.ca)).toBe('ca.pem-bytes');
      expect(String(opts.key)).toBe('key.pem-bytes');
      expect(() =>
        modemOptions(
          parseDockerHost('tcp://d:2376', { ca: join(dir, 'missing.pem') }).connection,
          {},
        ),
      ).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const unix = modemOptions({ kind: 'unix', socketPath: '/s.sock' }, {});
    expect(unix).toMatchObject({ socketPath: '/s.sock', host: undefined, port: undefined });
    expect(
      modemOptions(
        { kind: 'ssh', host: 'h', port: 22, username: 'u' },
        { SSH_AUTH_SOCK: '/agent' },
      ),
    ).toMatchObject({
      protocol: 'ssh',
      username: 'u',
      sshOptions: { agent: '/agent' },
    });
  });
});
