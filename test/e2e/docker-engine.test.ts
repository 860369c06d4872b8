/**
 * The private Docker Engine the e2e tests run against: busybox containers, logs via dockerode,
 * the lifecycle the bot drives, a registry push, and a second engine for multi-host tests.
 */
import {
  BUSYBOX_IMAGE,
  describeDocker,
  pushTestImage,
  removeAll,
  runBusybox,
  startRegistry,
  startSecondEngine,
  uniqueName,
} from '../support/docker-engine';
import { eventually } from '../support/e2e-helpers';

const prefix = uniqueName('tmbot-engine-test');

/** Polls until `check` returns true; bounded. */
describeDocker('private Docker Engine', (suite) => {
  afterAll(async () => {
    await removeAll(suite.engine, prefix);
  });

  it('runs a busybox container and reads its logs through dockerode', async () => {
    const { container, name } = await runBusybox(suite.engine, {
      name: `${prefix}-logs`,
      cmd: 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 0.2; done',
      labels: { 'tmbot.test': 'yes' },
      env: { GREETING: 'hi' },
    });
    await eventually(async () => {
      const logs = await container.logs({ stdout: true, stderr: true, tail: 10 });
      return logs.toString('utf8').includes('line 2');
    });
    const info = await container.inspect();
    expect(info.Name).toBe(`/${name}`);
    expect(info.Config.Image).toBe(BUSYBOX_IMAGE);
    expect(info.Config.Labels).toMatchObject({ 'tmbot.test': 'yes' });
    expect(info.Config.Env).toContain('GREETING=hi');
    expect(info.HostConfig.NetworkMode).toBe('none');

    const removed = await removeAll(suite.engine, `${prefix}-logs`);
    expect(removed).toEqual([name]);
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('drives the lifecycle the bot uses: stats, stop, start, restart, pause, unpause, kill', async () => {
    const { container } = await runBusybox(suite.engine, {
      name: `${prefix}-life`,
      cmd: 'while true; do sleep 1; done',
    });
    const state = async (): Promise<string> => (await container.inspect()).State.Status;
    const stats = await container.stats({ stream: false });
    expect(stats.memory_stats.usage).toBeGreaterThan(0);
    await container.stop();
    expect(await state()).toBe('exited');
    await container.start();
    await container.restart();
    expect(await state()).toBe('running');
    await container.pause();
    expect(await state()).toBe('paused');
    await container.unpause();
    await container.kill();
    expect(await state()).toBe('exited');
  });

  it('reports health and keeps the restart policy', async () => {
    const { container } = await runBusybox(suite.engine, {
      name: `${prefix}-health`,
      cmd: 'while true; do sleep 1; done',
      healthcheck: { cmd: 'test -e /bin/sh', intervalMs: 500 },
      restart: 'unless-stopped',
    });
    await eventually(async () => (await container.inspect()).State.Health?.Status === 'healthy');
    expect((await container.inspect()).HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
  });

  it('streams events', async () => {
    const name = `${prefix}-events`;
    // Other test files start containers on this engine meanwhile: only this one's events count.
    const events = await suite.engine.docker.getEvents({
      filters: { type: ['container'], event: ['start'], container: [name] },
    });
    let buffered = '';
    const seen = new Promise<string>((resolve) => {
      events.on('data', (chunk: Buffer) => {
        // One JSON event per line; a chunk may hold several, or part of one.
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          const event = JSON.parse(line) as { Actor: { Attributes: { name: string } } };
          if (event.Actor.Attributes.name === name) resolve(event.Actor.Attributes.name);
        }
      });
    });
    try {
      await runBusybox(suite.engine, { name, cmd: 'sleep 30' });
      await expect(seen).resolves.toBe(name);
    } finally {
      (events as unknown as { destroy(): void }).destroy();
    }
  });

  it('pushes to a local registry, and a new push of the same tag changes the digest', async () => {
    const registry = await startRegistry();
    try {
      const ref = `${registry.host}/local/app:1`;
      const first = await pushTestImage(suite.engine, ref, 'v1');
      const second = await pushTestImage(suite.engine, ref, 'v2');
      expect(second).not.toBe(first);
      const res = await fetch(`${registry.url}/v2/local/app/manifests/1`, {
        method: 'HEAD',
        headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      expect(res.headers.get('docker-content-digest')).toBe(second);
    } finally {
      await registry.stop();
    }
  });

  it('starts a second, independent engine', async () => {
    const second = await startSecondEngine();
    try {
      expect(second.socketPath).not.toBe(suite.engine.socketPath);
      await runBusybox(second, { name: `${prefix}-second`, cmd: 'sleep 30' });
      const onSecond = await second.docker.listContainers({ filters: { name: [prefix] } });
      const onFirst = await suite.engine.docker.listContainers({
        filters: { name: [`${prefix}-second`] },
      });
      expect(onSecond.map((c) => c.Names[0])).toEqual([`/${prefix}-second`]);
      expect(onFirst).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
