/**
 * The update adapter (`ContainerUpdateOps` behind `DockerodePort.updates`) on the real engine
 * and a real registry: a pull reports its layers; a clone keeps two user networks with their
 * aliases, an anonymous volume's data, ports and limits; engine refusals come back as typed
 * errors with the engine's reason.
 */
import { systemClock } from '../../src/clock';
import { DockerodePort } from '../../src/adapters/docker/dockerode-port';
import type { PullProgress } from '../../src/adapters/docker/update-port';
import { DockerError } from '../../src/errors';
import {
  BUSYBOX_IMAGE,
  describeDocker,
  pushTestImage,
  startRegistry,
  startSecondEngine,
  TEST_DOCKER_TIMEOUTS,
  uniqueName,
  type OwnedDockerEngine,
  type TestRegistry,
} from '../support/docker-engine';
import { silentLogger } from '../support/silent-logger';

jest.setTimeout(120_000);

describeDocker('ContainerUpdateOps on a real engine', () => {
  /** An engine of its own: its image pushes and pulls must not reach other suites' alerts. */
  let own: OwnedDockerEngine;
  const prefix = uniqueName('tmbot-updops');
  const nets = [`${prefix}-a`, `${prefix}-b`];
  let registry: TestRegistry;
  let port: DockerodePort;

  beforeAll(async () => {
    [registry, own] = await Promise.all([startRegistry(), startSecondEngine()]);
    port = new DockerodePort({
      hosts: [own.host],
      tls: undefined,
      log: silentLogger,
      clock: systemClock,
      timeouts: TEST_DOCKER_TIMEOUTS,
      env: {},
    });
    for (const n of nets) await own.cli(['network', 'create', n]);
  });

  afterAll(async () => {
    await registry?.stop();
    await own?.stop();
  });

  it('pulls a tag with layer progress and returns the image id the tag names', async () => {
    const ref = `${registry.host}/updops/${prefix}:1`;
    await pushTestImage(own, ref, 'p1');
    await own.cli(['rmi', ref]);
    const seen: PullProgress[] = [];
    const id = await port.updates.pullImage(0, ref, (p) => seen.push(p));
    const local = (await own.cli(['image', 'inspect', '-f', '{{.Id}}', ref])).stdout;
    expect(id).toBe(local.trim());
    const last = seen[seen.length - 1];
    expect(last?.layers).toBeGreaterThan(0);
    expect(last?.done).toBe(last?.layers);
    expect(last?.status).toMatch(/Status: (Downloaded newer image|Image is up to date)/);
    expect(await port.updates.imageIdOf(0, ref)).toBe(id);
    expect(await port.updates.imageIdOf(0, `${registry.host}/updops/${prefix}:nope`)).toBe(
      undefined,
    );
  });

  it('a missing tag, a hostile reference and a taken name are typed errors with the reason', async () => {
    await expect(
      port.updates.pullImage(0, `${registry.host}/updops/${prefix}:missing`, () => undefined),
    ).rejects.toMatchObject({
      kind: 'pull_failed',
      info: { detail: expect.stringMatching(/not found|unknown/i) },
    });
    await expect(port.updates.pullImage(0, 'x/../../etc:1', () => undefined)).rejects.toMatchObject(
      { kind: 'bad_image_ref' },
    );
    await expect(port.updates.tagImage(0, 'sha256:nope', 'a:1')).rejects.toBeInstanceOf(
      DockerError,
    );
    const a = await own.docker.createContainer({
      name: `${prefix}-taken-a`,
      Image: BUSYBOX_IMAGE,
      Cmd: ['true'],
      HostConfig: { NetworkMode: 'none' },
    });
    await own.docker.createContainer({
      name: `${prefix}-taken-b`,
      Image: BUSYBOX_IMAGE,
      Cmd: ['true'],
      HostConfig: { NetworkMode: 'none' },
    });
    await expect(port.updates.renameContainer(0, a.id, `${prefix}-taken-b`)).rejects.toMatchObject({
      kind: 'refused',
      info: { action: 'rename', detail: expect.stringMatching(/already in use/) },
    });
    await expect(port.updates.removeContainer(0, 'f'.repeat(64))).resolves.toBeUndefined();
  });

  it('a clone keeps both networks with their aliases, the anonymous volume and its data, ports and limits', async () => {
    const name = `${prefix}-net`;
    const created = await own.docker.createContainer({
      name,
      Image: BUSYBOX_IMAGE,
      Cmd: ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
      Env: ['ROLE=web'],
      Volumes: { '/anon': {} },
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        NetworkMode: nets[0],
        Init: true,
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18081' }] },
        Memory: 32 * 1024 * 1024,
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      },
      NetworkingConfig: { EndpointsConfig: { [nets[0] ?? '']: { Aliases: ['web'] } } },
    });
    await own.cli(['network', 'connect', '--alias', 'mon', nets[1] ?? '', name]);
    await created.start();
    await own.cli(['exec', name, 'sh', '-c', 'echo kept > /anon/f']);
    await own.cli(['stop', '-t', '2', name]);
    await port.updates.renameContainer(0, created.id, `${name}-tmbot-old`);

    const id = await port.updates.cloneContainer(0, created.id, { name, image: BUSYBOX_IMAGE });
    await own.docker.getContainer(id).start();
    const before = await created.inspect();
    const after = await own.docker.getContainer(id).inspect();
    expect(after.Name).toBe(`/${name}`);
    expect(after.Config.Env).toEqual(before.Config.Env);
    expect(after.HostConfig.PortBindings).toEqual(before.HostConfig.PortBindings);
    expect(after.HostConfig.Memory).toBe(32 * 1024 * 1024);
    expect(after.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    const aliases = (n: string): string[] =>
      ((after.NetworkSettings.Networks[n]?.Aliases ?? []) as string[]).filter(
        (a) => a !== id.slice(0, 12),
      );
    expect(Object.keys(after.NetworkSettings.Networks).sort()).toEqual([...nets].sort());
    expect(aliases(nets[0] ?? '')).toEqual(['web']);
    expect(aliases(nets[1] ?? '')).toEqual(['mon']);
    const anon = (i: typeof after) => i.Mounts.find((m) => m.Destination === '/anon')?.Name;
    expect(anon(after)).toBe(anon(before));
    const { stdout } = await own.cli(['exec', name, 'cat', '/anon/f']);
    expect(stdout.trim()).toBe('kept');
  });
});
