import { clonePlan } from '../../../../src/adapters/docker/clone';

const ID = 'abcdef0123456789'.repeat(4);

/** An `inspect` as a 20.10 engine returns it (trimmed to the fields the plan reads). */
function inspect(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: ID,
    Image: `sha256:${'1'.repeat(64)}`,
    Config: {
      Hostname: ID.slice(0, 12),
      Domainname: '',
      User: '',
      Env: ['PATH=/bin', 'APP_MODE=production', 'IMAGE_DEFAULT=1'],
      Cmd: ['/bin/sh', '-c', 'serve'],
      Entrypoint: null,
      WorkingDir: '/app',
      Labels: {
        'org.opencontainers.image.version': '1.0',
        'com.docker.compose.project': 'shop',
        'com.docker.compose.service': 'web',
        'tmbot.update': 'notify',
      },
      ExposedPorts: { '80/tcp': {}, '8080/tcp': {} },
      Volumes: { '/cache': {} },
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 1_000_000_000 },
      StopTimeout: 2,
      Tty: false,
      OpenStdin: false,
      Image: 'registry.example/app:1',
    },
    HostConfig: {
      NetworkMode: 'shop_default',
      Binds: ['data:/data', '/srv/conf:/etc/app:ro'],
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] },
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      Memory: 67_108_864,
      PidsLimit: 100,
      Init: true,
    },
    Mounts: [
      {
        Type: 'volume',
        Name: 'data',
        Source: '/var/lib/docker/volumes/data/_data',
        Destination: '/data',
        RW: true,
      },
      { Type: 'bind', Source: '/srv/conf', Destination: '/etc/app', RW: false },
      { Type: 'volume', Name: 'f'.repeat(64), Source: '/x', Destination: '/cache', RW: true },
    ],
    NetworkSettings: {
      Networks: {
        shop_default: {
          IPAMConfig: null,
          Links: null,
          Aliases: ['web', ID.slice(0, 12)],
          NetworkID: 'n1',
          EndpointID: 'e1',
          IPAddress: '172.18.0.2',
        },
        monitoring: { Aliases: [ID.slice(0, 12)], NetworkID: 'n2', IPAddress: '172.19.0.5' },
      },
    },
    ...over,
  };
}

/** What the old image set by itself. */
const image = {
  Config: {
    Env: ['PATH=/bin', 'IMAGE_DEFAULT=1'],
    Cmd: ['/bin/sh', '-c', 'serve'],
    WorkingDir: '/app',
    Labels: { 'org.opencontainers.image.version': '1.0' },
    ExposedPorts: { '80/tcp': {} },
    Volumes: { '/cache': {} },
  },
};

describe('clonePlan: inspect → create body of the successor', () => {
  it('keeps what the user set and leaves what the old image set to the new image', () => {
    const { body } = clonePlan(inspect(), image, 'registry.example/app:1');
    expect(body.Image).toBe('registry.example/app:1');
    expect(body.Env).toEqual(['APP_MODE=production']);
    expect(body.Labels).toEqual({
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'web',
      'tmbot.update': 'notify',
    });
    expect(body.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(body.Volumes).toEqual({});
    // Equal to the image's: the new image's own command and workdir apply.
    expect(body).not.toHaveProperty('Cmd');
    expect(body).not.toHaveProperty('WorkingDir');
    // Set on the container: copied.
    expect(body.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 1_000_000_000 });
    expect(body.StopTimeout).toBe(2);
    // The default hostname is the old id: the successor gets its own.
    expect(body).not.toHaveProperty('Hostname');
  });

  it('copies the host config (ports, binds, restart policy, limits) and keeps anonymous volumes', () => {
    const { body } = clonePlan(inspect(), image, 'registry.example/app:1');
    const host = body.HostConfig as Record<string, unknown>;
    expect(host.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] });
    expect(host.Binds).toEqual(['data:/data', '/srv/conf:/etc/app:ro']);
    expect(host.RestartPolicy).toEqual({ Name: 'unless-stopped', MaximumRetryCount: 0 });
    expect(host.Memory).toBe(67_108_864);
    expect(host.PidsLimit).toBe(100);
    // The anonymous /cache volume is mounted by name, so its data survives the update.
    expect(host.Mounts).toEqual([
      { Type: 'volume', Source: 'f'.repeat(64), Target: '/cache', ReadOnly: false },
    ]);
  });

  it('creates on the primary network with its aliases (not the old id) and connects the others after', () => {
    const plan = clonePlan(inspect(), image, 'registry.example/app:1');
    expect(plan.body.NetworkingConfig).toEqual({
      EndpointsConfig: { shop_default: { Aliases: ['web'] } },
    });
    expect(plan.extraNetworks).toEqual([{ name: 'monitoring', endpoint: {} }]);
  });

  it('a set hostname, a changed command and a container network mode are kept as they are', () => {
    const raw = inspect();
    const config = { ...(raw.Config as object), Hostname: 'web-1', Cmd: ['serve', '--debug'] };
    const plan = clonePlan(
      {
        ...raw,
        Config: config,
        HostConfig: { NetworkMode: `container:${'9'.repeat(64)}` },
        NetworkSettings: { Networks: {} },
      },
      image,
      'registry.example/app:2',
    );
    expect(plan.body.Hostname).toBe('web-1');
    expect(plan.body.Cmd).toEqual(['serve', '--debug']);
    expect(plan.body).not.toHaveProperty('NetworkingConfig');
    expect(plan.extraNetworks).toEqual([]);
  });

  it('without the old image everything the container has is copied', () => {
    const { body } = clonePlan(inspect(), {}, 'registry.example/app:1');
    expect(body.Env).toEqual(['PATH=/bin', 'APP_MODE=production', 'IMAGE_DEFAULT=1']);
    expect(body.Cmd).toEqual(['/bin/sh', '-c', 'serve']);
  });

  it('a hostile inspect (wrong types everywhere) gives a plain body, never a throw', () => {
    const plan = clonePlan(
      { Id: 5, Config: 'x', HostConfig: [], Mounts: {}, NetworkSettings: { Networks: 3 } },
      null,
      'a:1',
    );
    expect(plan.body).toMatchObject({ Image: 'a:1', Env: [], Labels: {}, HostConfig: {} });
    expect(plan.extraNetworks).toEqual([]);
  });
});
