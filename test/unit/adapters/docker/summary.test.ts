import type { DockerPort } from '../../../../src/adapters/docker/port';
import { dockerQuickSummary, pingAllHosts } from '../../../../src/adapters/docker/summary';
import { DockerUnavailableError } from '../../../../src/errors';

const port = (down: boolean): DockerPort =>
  ({
    hosts: [
      { index: 0, label: 'unix:///a.sock' },
      { index: 1, label: 'ssh://b' },
    ],
    summary: (host: number) =>
      down || host === 1
        ? Promise.reject(
            new DockerUnavailableError(
              host === 1 ? 'ssh://b' : 'unix:///a.sock',
              'connection refused',
            ),
          )
        : Promise.resolve({ running: 2, total: 3, images: 4 }),
    ping: (host: number) =>
      Promise.resolve(
        host === 0
          ? { ok: true, host: 'unix:///a.sock', latencyMs: 1, version: '20.10', apiVersion: '1.41' }
          : { ok: false, host: 'ssh://b', reason: 'connection refused' },
      ),
  }) as unknown as DockerPort;

describe('Docker summaries for other screens', () => {
  it('gives counts, or the user-facing reason, never an exception', async () => {
    await expect(dockerQuickSummary(port(false))).resolves.toEqual({
      ok: true,
      host: 'unix:///a.sock',
      running: 2,
      total: 3,
      images: 4,
    });
    await expect(dockerQuickSummary(port(false), 1)).resolves.toEqual({
      ok: false,
      host: 'ssh://b',
      reason: 'Docker is not reachable at ssh://b: connection refused',
    });
  });
  it('pings every host in config order', async () => {
    const pings = await pingAllHosts(port(false));
    expect(pings.map((p) => [p.host, p.ok])).toEqual([
      ['unix:///a.sock', true],
      ['ssh://b', false],
    ]);
  });
});
