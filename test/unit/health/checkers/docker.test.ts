import { classifyDockerError, dockerCheckers } from '../../../../src/health/checkers/docker';

const signal = new AbortController().signal;
const errno = (code: string): Error =>
  Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });

describe('Docker checkers', () => {
  it('makes one checker per host, named after it', () => {
    const ping = () => Promise.resolve();
    const one = dockerCheckers([{ name: 'local', ping }], {
      intervalMs: 1000,
      timeoutMs: 1000,
      required: false,
    });
    expect(one.map((c) => [c.name, c.label])).toEqual([['docker.local', 'Docker']]);
    const two = dockerCheckers(
      [
        { name: 'local', ping },
        { name: 'NAS Box', ping },
      ],
      { intervalMs: 1000, timeoutMs: 1000, required: false },
    );
    expect(two.map((c) => [c.name, c.label])).toEqual([
      ['docker.local', 'Docker local'],
      ['docker.nas-box', 'Docker NAS Box'],
    ]);
  });

  it('is healthy with the ping latency, and degraded when the engine is gone', async () => {
    let up = true;
    const [checker] = dockerCheckers(
      [
        {
          name: 'local',
          ping: () => (up ? Promise.resolve() : Promise.reject(errno('ECONNREFUSED'))),
        },
      ],
      { intervalMs: 1000, timeoutMs: 1000, required: false },
    );
    expect(await checker!.check(signal)).toMatchObject({
      level: 'healthy',
      summary: 'engine answers',
    });
    up = false;
    expect(await checker!.check(signal)).toEqual({
      level: 'degraded',
      summary: 'unreachable: connection refused: is the Docker daemon running?',
    });
  });

  it('is unhealthy when Docker is required (docker.strict_access), with a hint from the error code only', () => {
    expect(classifyDockerError(errno('EACCES'), true)).toEqual({
      level: 'unhealthy',
      summary:
        'unreachable: permission denied on the socket: give tmbot the socket group (--group-add / SupplementaryGroups)',
    });
    expect(classifyDockerError({ statusCode: 403 }, false).summary).toMatch(/socket proxy refused/);
    expect(classifyDockerError({ statusCode: 500 }, false).summary).toBe('the engine answered 500');
    expect(classifyDockerError(new Error('tcp://user:pass@host failed'), false)).toEqual({
      level: 'degraded',
      summary: 'unreachable',
    });
  });
});
