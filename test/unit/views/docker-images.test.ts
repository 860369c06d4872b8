import type { ImageUpdate } from '../../../src/adapters/docker/update-checker';
import {
  imageDetailsView,
  imageHistoryView,
  imageListView,
  imagesOnPage,
  imageUsedByView,
  IMAGES_PER_PAGE,
  updatesView,
} from '../../../src/views/docker-images';
import { visibleText } from '../../../src/views/html';
import { TELEGRAM_LIMITS, type ActionButton, type View } from '../../../src/views/view';
import { imageDetails, NOW, summary } from './docker-fixtures';

const text = (v: View): string => visibleText(v.html.value);
const inline = (v: View): ActionButton[] =>
  v.keyboard?.kind === 'inline' ? (v.keyboard.rows.flat() as ActionButton[]) : [];
const ctx = { host: 0, hostLabel: undefined };
const img = (n: number, tags: string[]) => ({
  id: `sha256:${String(n).padStart(64, '0')}`,
  tags,
  digests: [],
  size: n * 1024 * 1024,
  createdAt: NOW - n * 86_400_000,
});

describe('image list', () => {
  it('pages by id-addressed buttons, tagged first, untagged by id, with update check and refresh', () => {
    const images = [
      img(3, []),
      img(1, ['zeta:1', 'zeta:latest']),
      img(2, ['alpha:2']),
      ...Array.from({ length: 5 }, (_, i) => img(10 + i, [`m${i}:1`])),
    ];
    const v = imageListView({ ...ctx, images, page: 0, now: NOW });
    expect(text(v)).toMatch(/^🖼 Images · 8 · Page 1\/2/);
    const own = inline(v).filter((b) => b.action === 'docker.img');
    expect(own).toHaveLength(IMAGES_PER_PAGE);
    expect(own.map((b) => b.text)).toEqual([
      '📦 alpha:2',
      '📦 m0:1',
      '📦 m1:1',
      '📦 m2:1',
      '📦 m3:1',
    ]);
    expect(own[0]?.args).toEqual(['0', img(2, []).id, '0']);
    const last = imageListView({ ...ctx, images, page: 1, now: NOW });
    expect(
      inline(last)
        .filter((b) => b.action === 'docker.img')
        .map((b) => b.text),
    ).toEqual(['📦 m4:1', '📦 zeta:1', `📦 <none> (${'0'.repeat(12)})`]);
    expect(text(last)).toContain('Also: zeta:latest');
    expect(inline(v).find((b) => b.text === '🔎 Check updates')?.args).toEqual(['0', 'all', '0']);
  });

  it('shows OS/arch of the page’s images and the shared part of their size (pyTMBot fields)', () => {
    const a = { ...img(2, ['alpha:2']), sharedSize: 1024 * 1024 };
    const b = img(1, ['beta:1']);
    const images = [a, b];
    expect(imagesOnPage(images, 0).map((i) => i.id)).toEqual([a.id, b.id]);
    const v = imageListView({
      ...ctx,
      images,
      page: 0,
      now: NOW,
      platforms: new Map([[a.id, 'linux/arm64/v8']]),
    });
    expect(text(v)).toContain(
      '000000000000 · linux/arm64/v8 · 2.0 MiB (shared 1.0 MiB, own 1.0 MiB) · created',
    );
    expect(text(v)).toContain('000000000000 · 1.0 MiB · created 1 d');
  });
});

describe('image details', () => {
  it('shows platform, size with virtual and shared parts, layers and the root fs type', () => {
    const t = text(
      imageDetailsView({
        ...ctx,
        image: imageDetails({
          size: 4 * 1024 * 1024,
          sharedSize: 3 * 1024 * 1024,
          virtualSize: 5 * 1024 * 1024,
          variant: 'v8',
          architecture: 'arm64',
        }),
        page: 0,
        now: NOW,
      }),
    );
    expect(t).toContain(
      'Platform: linux/arm64/v8 · Size: 4.0 MiB (shared 3.0 MiB, own 1.0 MiB) · virtual 5.0 MiB\nLayers: 3 · root fs: layers',
    );
  });

  it('masks secret environment values (pyTMBot showed them) and fits hostile labels', () => {
    const big = '<x>'.repeat(3000);
    const v = imageDetailsView({
      ...ctx,
      image: imageDetails({
        config: {
          ...imageDetails().config,
          env: [
            { key: 'PATH', value: '/bin' },
            { key: 'NPM_TOKEN', value: 'npm_secret' },
            { key: 'REDIS_URL', value: 'redis://:pass@r:6379' },
          ],
          labels: Array.from({ length: 30 }, (_, i) => ({ key: `label${i}`, value: big })),
          healthcheck: {
            test: ['CMD-SHELL', 'curl -f localhost'],
            intervalNs: 30e9,
            timeoutNs: 5e9,
            startPeriodNs: 0,
            retries: 3,
          },
        },
      }),
      page: 0,
      now: NOW,
    });
    const t = text(v);
    expect(t).toContain('PATH=/bin');
    expect(t).toContain('NPM_TOKEN=<hidden>');
    expect(t).toContain('REDIS_URL=redis://:<hidden>@r:6379');
    expect(t).not.toContain('npm_secret');
    expect(t).toContain('Healthcheck: CMD-SHELL "curl -f localhost" every 30 s, timeout 5 s');
    expect(t.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    expect(inline(v).map((b) => b.text)).toEqual([
      '📜 History',
      '📦 Used by',
      '🔎 Check updates',
      '⬅️ All images',
    ]);
  });

  it('history shows 12 layers and counts the rest; used-by lists running containers first', () => {
    const layers = Array.from({ length: 15 }, (_, i) => ({
      id: i === 0 ? '<missing>' : `sha256:${'a'.repeat(64)}`,
      createdAt: NOW,
      size: 1,
      createdBy: `/bin/sh -c step ${i}`,
      comment: '',
    }));
    const h = text(imageHistoryView({ ...ctx, image: imageDetails(), layers, page: 0, now: NOW }));
    expect(h).toContain('15 layer(s)');
    expect(h).toContain('• <missing>');
    expect(h).toContain('+3 more layers');
    const id = imageDetails().id;
    const used = text(
      imageUsedByView({
        ...ctx,
        image: imageDetails(),
        containers: [
          summary('b-stopped', { imageId: id, state: 'exited' }),
          summary('a-run', { imageId: id }),
          summary('other', { imageId: 'sha256:x' }),
        ],
        page: 0,
      }),
    );
    expect(used).toMatch(/1 running · 1 stopped\n\n🟢 a-run[^\n]*\n🔴 b-stopped/);
    expect(used).not.toContain('other');
  });
});

describe('update report', () => {
  const u = (
    tag: string,
    status: ImageUpdate['status'],
    newerTags: string[] = [],
  ): ImageUpdate => ({ tag, imageId: 'sha256:1', status, newerTags, checkedAt: NOW - 120_000 });
  it('says per tag what the registry said, with the age of the answers', () => {
    const v = updatesView({
      ...ctx,
      scope: 'all',
      page: 1,
      now: NOW,
      results: [
        u('app:1', {
          kind: 'update',
          localDigest: `sha256:${'a'.repeat(64)}`,
          remoteDigest: `sha256:${'b'.repeat(64)}`,
        }),
        u('app:1.0.0', { kind: 'up-to-date' }, ['1.2.0', '1.1.0']),
        u('mine:dev', { kind: 'unknown', reason: 'no registry digest here' }),
        u('nginx:1', { kind: 'rate-limited', retryAfterSec: 125 }),
        u('x:1', { kind: 'error', reason: 'the registry answered HTTP 500' }),
      ],
    });
    const t = text(v);
    expect(t).toContain(
      '1 update(s) among 5 tag(s) · registry answers from 2 min ago (kept up to 1 h)',
    );
    expect(t).toContain('⬆️ app:1: update available\n   here aaaaaaaaaaaa → registry bbbbbbbbbbbb');
    expect(t).toContain('✅ app:1.0.0: up to date\n   Newer tags: 1.2.0, 1.1.0');
    expect(t).toContain('❔ mine:dev: cannot tell (no registry digest here)');
    expect(t).toContain('⏳ nginx:1: the registry is rate-limiting; try again in 2 min');
    expect(t).toContain('⚠️ x:1: the registry answered HTTP 500');
    expect(inline(v).map((b) => [b.text, b.args])).toEqual([
      ['🔄 Check again', ['0', 'all', '1']],
      ['⬅️ All images', ['0', '1']],
    ]);
  });
});
