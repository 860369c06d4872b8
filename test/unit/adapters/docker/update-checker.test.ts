import { ManualClock } from '../../../../src/clock';
import type { ImageRef } from '../../../../src/adapters/docker/image-ref';
import type { ImageSummary } from '../../../../src/adapters/docker/port';
import type { RegistryAnswer, RegistryPort } from '../../../../src/adapters/docker/registry';
import { UpdateChecker } from '../../../../src/adapters/docker/update-checker';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;

/** A registry in memory: digests and tags per "registry/repository:tag". */
class FakeRegistry implements RegistryPort {
  digests = new Map<string, RegistryAnswer<string>>();
  tags = new Map<string, string[]>();
  heads: string[] = [];
  manifestDigest(ref: ImageRef): Promise<RegistryAnswer<string>> {
    const key = `${ref.registry}/${ref.repository}:${ref.tag}`;
    this.heads.push(key);
    return Promise.resolve(this.digests.get(key) ?? { kind: 'not-found' });
  }
  listTags(ref: ImageRef): Promise<RegistryAnswer<string[]>> {
    return Promise.resolve({
      kind: 'ok',
      value: this.tags.get(`${ref.registry}/${ref.repository}`) ?? [],
    });
  }
}

const image = (id: string, tags: string[], digests: string[]): ImageSummary => ({
  id: `sha256:${id.repeat(64)}`,
  tags,
  digests,
  size: 1,
  createdAt: 0,
});

describe('UpdateChecker', () => {
  it('compares the local repo digest with the registry’s digest for the same tag', async () => {
    const reg = new FakeRegistry();
    reg.digests.set('docker.io/library/nginx:1.27.0', { kind: 'ok', value: dg('b') });
    reg.digests.set('ghcr.io/org/app:2', { kind: 'ok', value: dg('c') });
    reg.tags.set('docker.io/library/nginx', ['1.27.0', '1.27.1', '1.28.0', '2.0.0']);
    const checker = new UpdateChecker(reg, { clock: new ManualClock() });
    const results = await checker.check([
      image('1', ['nginx:1.27.0'], [`nginx@${dg('a')}`]),
      image('2', ['ghcr.io/org/app:2'], [`ghcr.io/org/app@${dg('c')}`]),
      image('3', ['mine:dev'], []),
      image('4', [], []),
    ]);
    expect(results.map((r) => [r.tag, r.status.kind, r.newerTags])).toEqual([
      ['ghcr.io/org/app:2', 'up-to-date', []],
      ['mine:dev', 'unknown', []],
      ['nginx:1.27.0', 'update', ['1.28.0', '1.27.1']],
    ]);
    expect(results[2]?.status).toEqual({
      kind: 'update',
      localDigest: dg('a'),
      remoteDigest: dg('b'),
    });
    // A locally built image never costs a registry request.
    expect(reg.heads).not.toContain('docker.io/library/mine:dev');
  });

  it('matches digests by repository, not by the first entry', async () => {
    const reg = new FakeRegistry();
    reg.digests.set('127.0.0.1:5000/app:1', { kind: 'ok', value: dg('e') });
    const results = await new UpdateChecker(reg, { clock: new ManualClock() }).check([
      image(
        '1',
        ['127.0.0.1:5000/app:1'],
        [`other/app@${dg('e')}`, `127.0.0.1:5000/app@${dg('f')}`],
      ),
    ]);
    expect(results[0]?.status).toMatchObject({ kind: 'update', localDigest: dg('f') });
  });

  it('caches registry answers for an hour, and a 429 until its retry time', async () => {
    const reg = new FakeRegistry();
    const clock = new ManualClock();
    reg.digests.set('docker.io/library/redis:7', { kind: 'ok', value: dg('1') });
    reg.digests.set('docker.io/library/busy:1', { kind: 'rate-limited', retryAfterSec: 600 });
    const checker = new UpdateChecker(reg, { clock });
    const imgs = [
      image('1', ['redis:7'], [`redis@${dg('1')}`]),
      image('2', ['busy:1'], [`busy@${dg('2')}`]),
    ];
    await checker.check(imgs);
    expect(reg.heads).toHaveLength(2);
    clock.advance(300_000);
    const cached = await checker.check(imgs);
    expect(reg.heads).toHaveLength(2);
    expect(cached.find((r) => r.tag === 'busy:1')?.status).toEqual({
      kind: 'rate-limited',
      retryAfterSec: 300,
    });
    expect(cached.find((r) => r.tag === 'redis:7')?.checkedAt).toBe(clock.now() - 300_000);
    clock.advance(300_001);
    await checker.check(imgs);
    expect(reg.heads.filter((h) => h.endsWith('busy:1'))).toHaveLength(2);
    expect(reg.heads.filter((h) => h.endsWith('redis:7'))).toHaveLength(1);
    clock.advance(3_600_000);
    await checker.check(imgs);
    expect(reg.heads.filter((h) => h.endsWith('redis:7'))).toHaveLength(2);
  });

  it('asks once for a tag that several images or callers share at the same time', async () => {
    const reg = new FakeRegistry();
    reg.digests.set('docker.io/library/redis:7', { kind: 'ok', value: dg('1') });
    const checker = new UpdateChecker(reg, { clock: new ManualClock() });
    const imgs = [
      image('1', ['redis:7'], [`redis@${dg('1')}`]),
      image('2', ['redis:7'], [`redis@${dg('2')}`]),
    ];
    const [a, b] = await Promise.all([checker.check(imgs), checker.check(imgs)]);
    expect(reg.heads).toEqual(['docker.io/library/redis:7']);
    expect(a.map((r) => r.status.kind).sort()).toEqual(['up-to-date', 'update']);
    expect(b).toHaveLength(2);
  });

  it('reports registry errors and missing tags per image', async () => {
    const reg = new FakeRegistry();
    reg.digests.set('docker.io/library/x:1', {
      kind: 'error',
      reason: 'the registry answered HTTP 500',
    });
    const results = await new UpdateChecker(reg, { clock: new ManualClock() }).check([
      image('1', ['x:1'], [`x@${dg('1')}`]),
      image('2', ['y:1'], [`y@${dg('1')}`]),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      { kind: 'error', reason: 'the registry answered HTTP 500' },
      { kind: 'error', reason: 'the registry does not have this tag' },
    ]);
  });
});
