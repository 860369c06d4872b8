/**
 * tcp:// Docker hosts with mutual TLS (docker.tls_ca / tls_cert / tls_key) for real:
 * certificates made with openssl, a TLS endpoint on 127.0.0.1 that demands a client
 * certificate (as `dockerd --tlsverify` does) and forwards to the private engine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { DockerodePort } from '../../src/adapters/docker/dockerode-port';
import { systemClock } from '../../src/clock';
import { silentLogger } from '../support/silent-logger';
import { describeDocker, TEST_DOCKER_TIMEOUTS } from '../support/docker-engine';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(dir: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=tmbot test CA',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  ]);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl(dir, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${who}`,
      '-keyout',
      `${who}-key.pem`,
      '-out',
      `${who}.csr`,
    ]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${who}.ext`,
      '-out',
      `${who}.pem`,
    ]);
  }
}

describeDocker('tcp:// Docker host with mutual TLS', (suite) => {
  let dir: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-tls-'));
    makeCertificates(dir);
    server = createServer(
      {
        key: readFileSync(join(dir, 'server-key.pem')),
        cert: readFileSync(join(dir, 'server.pem')),
        ca: readFileSync(join(dir, 'ca.pem')),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (tlsSocket) => {
        const engine = connect(suite.engine.socketPath);
        tlsSocket.pipe(engine).pipe(tlsSocket);
        tlsSocket.on('error', () => engine.destroy());
        engine.on('error', () => tlsSocket.destroy());
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const port$ = (tls: { ca?: string; cert?: string; key?: string } | undefined): DockerodePort =>
    new DockerodePort({
      hosts: [`tcp://127.0.0.1:${port}`],
      tls,
      log: silentLogger,
      clock: systemClock,
      timeouts: TEST_DOCKER_TIMEOUTS,
      env: {},
    });

  it('talks HTTPS with the configured CA and client certificate', async () => {
    const docker = port$({
      ca: join(dir, 'ca.pem'),
      cert: join(dir, 'client.pem'),
      key: join(dir, 'client-key.pem'),
    });
    await expect(docker.ping(0)).resolves.toMatchObject({ ok: true });
    const images = await docker.listImages(0);
    expect(images.some((i) => i.tags.includes('local/busybox:test'))).toBe(true);
  });

  it('without the client certificate, or trusting another CA, the engine is "not reachable" with a reason', async () => {
    const noClientCert = await port$({ ca: join(dir, 'ca.pem') }).ping(0);
    expect(noClientCert).toMatchObject({ ok: false, host: `tcp://127.0.0.1:${port}` });
    // The server's certificate is not signed by the system CAs: verification must fail.
    const wrongCa = await port$({
      cert: join(dir, 'client.pem'),
      key: join(dir, 'client-key.pem'),
    }).ping(0);
    expect(wrongCa).toMatchObject({ ok: false });
    expect(wrongCa.ok === false && wrongCa.reason).toMatch(/TLS|certificate/i);
  });
});
