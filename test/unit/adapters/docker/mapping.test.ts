import {
  containerDetails,
  containerSummary,
  envPairs,
  imageDetails,
  imageLayers,
  imageSummary,
} from '../../../../src/adapters/docker/mapping';

describe('engine JSON → port types', () => {
  it('reads a list entry: name without slash, health from the status text, state checked', () => {
    expect(
      containerSummary({
        Id: 'a'.repeat(64),
        Names: ['/web'],
        Image: 'nginx:1',
        ImageID: 'sha256:1',
        State: 'running',
        Status: 'Up 3 minutes (health: starting)',
        Created: 1_700_000_000,
        Labels: { 'tmbot.alerts': 'false', bad: 5 },
      }),
    ).toEqual({
      id: 'a'.repeat(64),
      name: 'web',
      image: 'nginx:1',
      imageId: 'sha256:1',
      state: 'running',
      health: 'starting',
      status: 'Up 3 minutes (health: starting)',
      createdAt: 1_700_000_000_000,
      labels: { 'tmbot.alerts': 'false' },
    });
    expect(
      containerSummary({ Id: 'b'.repeat(64), State: 'weird', Status: 'Up (unhealthy)' }),
    ).toMatchObject({
      name: 'bbbbbbbbbbbb',
      state: 'unknown',
      health: 'unhealthy',
    });
  });

  it('reads an inspect document, zero times as absent, and survives missing sections', () => {
    const d = containerDetails({
      Id: 'c'.repeat(64),
      Name: '/db',
      Image: 'sha256:img',
      Created: '2026-01-01T00:00:00.5Z',
      RestartCount: 2,
      State: {
        Status: 'exited',
        ExitCode: 137,
        OOMKilled: true,
        StartedAt: '2026-01-01T00:00:01Z',
        FinishedAt: '0001-01-01T00:00:00Z',
        Health: {
          Status: 'unhealthy',
          FailingStreak: 3,
          Log: [{ End: '2026-01-01T00:01:00Z', ExitCode: 1, Output: 'boom\n' }],
        },
      },
      Config: {
        Image: 'postgres:16',
        Env: ['POSTGRES_PASSWORD=x', 'EMPTY', 'A=b=c'],
        Labels: { z: '1', a: '2' },
        Cmd: 'postgres',
        StopTimeout: 30,
      },
      HostConfig: {
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
        Memory: 1024,
        Binds: ['/a:/b'],
      },
      NetworkSettings: {
        Ports: { '5432/tcp': [{ HostIp: '', HostPort: '5432' }], '9000/tcp': null },
        Networks: { bridge: { IPAddress: '172.17.0.2', IPPrefixLen: 16, Aliases: null } },
      },
      Mounts: [
        {
          Type: 'volume',
          Name: 'pg',
          Source: '/var/lib/docker/volumes/pg',
          Destination: '/data',
          RW: true,
        },
      ],
    });
    expect(d).toMatchObject({
      name: 'db',
      image: 'postgres:16',
      state: 'exited',
      exitCode: 137,
      oomKilled: true,
      health: 'unhealthy',
      failingStreak: 3,
      lastHealthCheck: { exitCode: 1, output: 'boom\n' },
      startedAt: Date.parse('2026-01-01T00:00:01Z'),
      restartCount: 2,
      limits: { restartPolicy: 'on-failure', maxRetries: 5, memory: 1024 },
      config: {
        env: [
          { key: 'POSTGRES_PASSWORD', value: 'x' },
          { key: 'EMPTY', value: '' },
          { key: 'A', value: 'b=c' },
        ],
        labels: [
          { key: 'a', value: '2' },
          { key: 'z', value: '1' },
        ],
        cmd: ['postgres'],
        stopTimeout: 30,
      },
      network: {
        ports: [{ container: '5432/tcp', host: '0.0.0.0:5432' }, { container: '9000/tcp' }],
        networks: [{ name: 'bridge', ipv4: '172.17.0.2/16', aliases: [] }],
      },
      storage: {
        binds: ['/a:/b'],
        mounts: [{ type: 'volume', name: 'pg', destination: '/data', readWrite: true }],
      },
    });
    expect(d.finishedAt).toBeUndefined();
    expect(containerDetails(null)).toMatchObject({
      id: '',
      name: '',
      state: 'unknown',
      config: { env: [] },
    });
  });

  it('drops the engine’s <none> placeholders from image tags and digests', () => {
    expect(
      imageSummary({
        Id: 'sha256:x',
        RepoTags: ['<none>:<none>'],
        RepoDigests: ['<none>@<none>'],
        Size: 5,
        SharedSize: -1,
        Created: 2,
      }),
    ).toEqual({
      id: 'sha256:x',
      tags: [],
      digests: [],
      size: 5,
      createdAt: 2000,
    });
    // Listed with shared-size, the engine says what other images share.
    expect(imageSummary({ Id: 'sha256:z', Size: 10, SharedSize: 4 })).toMatchObject({
      sharedSize: 4,
    });
    expect(
      imageDetails({
        Id: 'sha256:y',
        RepoTags: null,
        Config: { Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9 } },
        RootFS: { Type: 'layers', Layers: ['a', 'b'] },
        VirtualSize: 9,
      }),
    ).toMatchObject({
      tags: [],
      layers: 2,
      rootfsType: 'layers',
      virtualSize: 9,
      config: { healthcheck: { test: ['CMD', 'true'], intervalNs: 1e9 } },
    });
    expect(
      imageLayers([{ Id: '<missing>', Created: 1, CreatedBy: '/bin/sh -c x', Size: 3 }, 'junk']),
    ).toEqual([
      { id: '<missing>', createdAt: 1000, size: 3, createdBy: '/bin/sh -c x', comment: '' },
      { id: '<missing>', createdAt: 0, size: 0, createdBy: '', comment: '' },
    ]);
    expect(envPairs(['X=1', 42])).toEqual([{ key: 'X', value: '1' }]);
  });
});
