/**
 * ssh:// Docker hosts for real: dockerode's SSH transport, authenticated by a real
 * ssh-agent, against an SSH server on 127.0.0.1 (ssh2's server, since no sshd is
 * installed) whose `docker system dial-stdio` is a pipe to the private engine.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils } from 'ssh2';
import { DockerodePort } from '../../src/adapters/docker/dockerode-port';
import { systemClock } from '../../src/clock';
import { silentLogger } from '../support/silent-logger';
import { describeDocker, TEST_DOCKER_TIMEOUTS } from '../support/docker-engine';

describeDocker('ssh:// Docker host', (suite) => {
  let dir: string;
  let agent: ChildProcess;
  let agentSock: string;
  let server: Server;
  let port: number;
  let knownHosts: string;
  const execs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-ssh-'));
    agentSock = join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    const keyPath = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
    // The agent's socket appears once it runs: slow to start on a loaded machine.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        execFileSync('ssh-add', [keyPath], { env: { SSH_AUTH_SOCK: agentSock }, stdio: 'pipe' });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`ssh-add never succeeded: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const allowed = utils.parseKey(readFileSync(`${keyPath}.pub`, 'utf8'));
    if (allowed instanceof Error) throw allowed;
    const hostKey = utils.generateKeyPairSync('ed25519');
    server = new Server({ hostKeys: [hostKey.private] }, (client) => {
      // A client that rejects our host key hangs up mid-handshake: expected in one test.
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        const ok =
          ctx.method === 'publickey' &&
          ctx.username === 'deploy' &&
          ctx.key.algo === allowed.type &&
          ctx.key.data.equals(allowed.getPublicSSH()) &&
          (ctx.signature === undefined ||
            allowed.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo) === true);
        if (ok) ctx.accept();
        else ctx.reject(['publickey']);
      });
      client.on('session', (accept) => {
        accept().once('exec', (acceptExec, _reject, info) => {
          execs.push(info.command);
          const channel = acceptExec();
          // What `docker system dial-stdio` does on a real host: stdio ⇄ the engine socket.
          const sock = connect(suite.engine.socketPath);
          channel.pipe(sock).pipe(channel);
          sock.on('close', () => channel.close());
          channel.on('close', () => sock.destroy());
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey.public}\n`);
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    agent?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists containers and images and pings through SSH with the agent’s key', async () => {
    const docker = new DockerodePort({
      hosts: [`ssh://deploy@127.0.0.1:${port}`],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      timeouts: TEST_DOCKER_TIMEOUTS,
      env: { SSH_AUTH_SOCK: agentSock, TMBOT_SSH_KNOWN_HOSTS: knownHosts },
    });
    expect(docker.hosts[0]?.label).toBe(`ssh://deploy@127.0.0.1:${port}`);
    const ping = await docker.ping(0);
    expect(ping).toMatchObject({ ok: true, apiVersion: expect.stringMatching(/^1\.\d+$/) });
    const images = await docker.listImages(0);
    expect(images.some((i) => i.tags.includes('local/busybox:test'))).toBe(true);
    await expect(docker.listContainers(0)).resolves.toEqual(expect.any(Array));
    expect(execs.every((c) => c === 'docker system dial-stdio')).toBe(true);
  });

  it('a key the server does not accept is "not reachable" with the reason', async () => {
    const docker = new DockerodePort({
      hosts: [`ssh://intruder@127.0.0.1:${port}`],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      timeouts: TEST_DOCKER_TIMEOUTS,
      env: { SSH_AUTH_SOCK: agentSock, TMBOT_SSH_KNOWN_HOSTS: knownHosts },
    });
    const err = await docker.listContainers(0).catch((e: unknown) => e);
    expect(
      (err as Error).message.startsWith(
        `Docker is not reachable at ssh://intruder@127.0.0.1:${port}: `,
      ),
    ).toBe(true);
  });

  it('refuses a server whose host key is not in known_hosts', async () => {
    const docker = new DockerodePort({
      hosts: [`ssh://deploy@127.0.0.1:${port}`],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      timeouts: TEST_DOCKER_TIMEOUTS,
      env: { SSH_AUTH_SOCK: agentSock, TMBOT_SSH_KNOWN_HOSTS: join(dir, 'empty_known_hosts') },
    });
    await expect(docker.listContainers(0)).rejects.toThrow(
      `Docker is not reachable at ssh://deploy@127.0.0.1:${port}: the SSH host key is not in known_hosts`,
    );
    expect(execs.length).toBeGreaterThan(0);
  });
});
