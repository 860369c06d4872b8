import type { DockerPort } from '../../../../src/adapters/docker/port';
import { dockerHealthTargets, dockerQuickSummary } from '../../../../src/adapters/docker/summary';
import { DockerUnavailableError } from '../../../../src/errors';
import { dockerReasonText } from '../../../../src/views/errors';

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
  it('gives counts, or the typed failure (worded by the view), never an exception', async () => {
    await expect(dockerQuickSummary(port(false))).resolves.toEqual({
      ok: true,
      host: 'unix:///a.sock',
      running: 2,
      total: 3,
      images: 4,
    });
    const down = await dockerQuickSummary(port(false), 1);
    expect(down).toEqual({ ok: false, host: 'ssh://b', error: expect.any(DockerUnavailableError) });
    expect(down.ok ? undefined : dockerReasonText(down.error)).toBe('connection refused');
    expect(dockerReasonText(new Error('secret detail'))).not.toContain('secret detail');
  });
  it('names health targets so people recognise them, and fails a ping with the error code only', async () => {
    const d = {
      hosts: [
        { index: 0, label: 'unix:///var/run/docker.sock' },
        { index: 1, label: 'unix:///run/user/1000/docker.sock' },
        { index: 2, label: 'ssh://ops@nas:2222' },
      ],
      ping: (host: number) =>
        Promise.resolve(
          host === 2
            ? {
                ok: false,
                host: 'ssh://ops@nas:2222',
                reason: 'connection refused',
                code: 'ECONNREFUSED',
              }
            : { ok: true, host: '', latencyMs: 1, version: '1', apiVersion: '1' },
        ),
    } as unknown as DockerPort;
    const targets = dockerHealthTargets(d);
    expect(targets.map((t) => t.name)).toEqual(['local', 'local-2', 'nas']);
    await expect(targets[0]?.ping()).resolves.toBeUndefined();
    await expect(targets[2]?.ping()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
