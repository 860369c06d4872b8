import {
  isLoopbackRegistry,
  newerTagsInMajor,
  parseDigestRef,
  parseImageRef,
} from '../../../../src/adapters/docker/image-ref';

describe('image references', () => {
  it('normalises like the Docker CLI: Docker Hub, library/, default tag, registry hosts with ports', () => {
    expect(parseImageRef('nginx')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
    });
    expect(parseImageRef('org/app:1.2')).toEqual({
      registry: 'docker.io',
      repository: 'org/app',
      tag: '1.2',
    });
    expect(parseImageRef('ghcr.io/org/app:v3')).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
      tag: 'v3',
    });
    expect(parseImageRef('localhost:5000/app')).toEqual({
      registry: 'localhost:5000',
      repository: 'app',
      tag: 'latest',
    });
    expect(parseImageRef('127.0.0.1:5055/local/app:1')).toEqual({
      registry: '127.0.0.1:5055',
      repository: 'local/app',
      tag: '1',
    });
    expect(parseImageRef('index.docker.io/library/redis:7')).toEqual({
      registry: 'docker.io',
      repository: 'library/redis',
      tag: '7',
    });
  });

  it('refuses what is not a tagged reference', () => {
    for (const bad of [
      '<none>:<none>',
      'Upper/Case',
      'app@sha256:abc',
      'a//b',
      `x:${'t'.repeat(200)}`,
      '',
      'app:-bad',
    ]) {
      expect(parseImageRef(bad)).toBeUndefined();
    }
  });

  it('reads repo digests and matches them to the normalised repository', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseDigestRef(`nginx@${d}`)).toEqual({ name: 'docker.io/library/nginx', digest: d });
    expect(parseDigestRef(`127.0.0.1:5055/local/app@${d}`)).toEqual({
      name: '127.0.0.1:5055/local/app',
      digest: d,
    });
    expect(parseDigestRef('nginx@md5:abc')).toBeUndefined();
    expect(parseDigestRef('nginx')).toBeUndefined();
  });

  it('knows which registries are this machine', () => {
    expect(
      ['localhost:5000', '127.0.0.1:5055', '127.1.2.3', '[::1]:5000'].every(isLoopbackRegistry),
    ).toBe(true);
    expect(
      ['ghcr.io', 'docker.io', '10.0.0.1:5000', 'localhost.evil.com'].some(isLoopbackRegistry),
    ).toBe(false);
  });
});

describe('newerTagsInMajor', () => {
  const tags = [
    '1.2.3',
    '1.2.4',
    '1.3.0',
    '1.10.0',
    '2.0.0',
    '1.3.0-rc1',
    'latest',
    'v1.4.0',
    '1.2',
    '1.5',
    'junk',
  ];
  it('lists newer versions of the same major and precision, newest first', () => {
    expect(newerTagsInMajor('1.2.3', tags)).toEqual(['1.10.0', 'v1.4.0', '1.3.0', '1.2.4']);
    expect(newerTagsInMajor('1.2', tags)).toEqual(['1.5']);
    expect(newerTagsInMajor('v1.9.0', tags)).toEqual(['1.10.0']);
  });
  it('offers pre-releases only to a pre-release, and nothing for non-semver tags', () => {
    expect(newerTagsInMajor('1.3.0-beta', tags)).toEqual([
      '1.10.0',
      'v1.4.0',
      '1.3.0',
      '1.3.0-rc1',
    ]);
    expect(newerTagsInMajor('latest', tags)).toEqual([]);
    expect(newerTagsInMajor('2.0.0', tags)).toEqual([]);
  });
  it('caps the list', () => {
    const many = Array.from({ length: 30 }, (_, i) => `1.0.${i}`);
    expect(newerTagsInMajor('1.0.0', many, 3)).toEqual(['1.0.29', '1.0.28', '1.0.27']);
  });
});
