import { updatePolicy } from '../../../src/views/docker-update-actions';
import { updateConfirmView, updateScreenView } from '../../../src/views/docker-update';
import { updateProgressView, updateResultView } from '../../../src/views/docker-update-result';
import { DockerError } from '../../../src/errors';
import { visibleText } from '../../../src/views/html';
import type { View } from '../../../src/views/view';
import { details } from './docker-fixtures';

const text = (v: View): string => visibleText(v.html.value);
const buttons = (v: View): string[] =>
  v.keyboard?.kind === 'inline' ? v.keyboard.rows.flat().map((b) => b.text) : [];

const c = details('web', {
  image: '127.0.0.1:5000/app:1',
  imageId: `sha256:${'1'.repeat(64)}`,
  config: { ...details('web').config, labels: [{ key: 'tmbot.update', value: 'notify' }] },
});
const update = {
  kind: 'update',
  localDigest: `sha256:${'a'.repeat(64)}`,
  remoteDigest: `sha256:${'b'.repeat(64)}`,
} as const;
const base = { host: 0, hostLabel: undefined, container: c, page: 0, policy: 'notify' } as const;

describe('image update views', () => {
  it('the policy label: never / auto / anything else is notify', () => {
    expect(updatePolicy([{ key: 'tmbot.update', value: ' NEVER ' }])).toBe('never');
    expect(updatePolicy([{ key: 'tmbot.update', value: 'auto' }])).toBe('auto');
    expect(updatePolicy([{ key: 'tmbot.update', value: 'yes please' }])).toBe('notify');
    expect(updatePolicy([])).toBe('notify');
  });

  it('an update is offered only when there is one, not pinned, and the policy allows it', () => {
    const offered = updateScreenView({ ...base, status: update });
    expect(text(offered)).toContain('⬆️ Update available: aaaaaaaaaaaa → bbbbbbbbbbbb');
    expect(buttons(offered)).toContain('⬆️ Update now');
    expect(buttons(offered)).toContain('📌 Pin this version');
    const pinned = updateScreenView({
      ...base,
      status: update,
      pinned: { digest: `sha256:${'a'.repeat(64)}`, at: Date.UTC(2026, 0, 2) },
    });
    expect(buttons(pinned)).not.toContain('⬆️ Update now');
    expect(buttons(pinned)).toContain('📍 Unpin');
    expect(text(pinned)).toContain('📌 Pinned to aaaaaaaaaaaa');
    const never = updateScreenView({ ...base, policy: 'never', status: update });
    expect(buttons(never)).not.toContain('⬆️ Update now');
    expect(text(never)).toContain('tmbot.update=never');
    const autoOn = updateScreenView({ ...base, policy: 'auto', status: update, auto: true });
    expect(text(autoOn)).toContain(
      'tmbot.update=auto — updated by tmbot itself during maintenance',
    );
    expect(text(autoOn)).not.toContain('not implemented');
    const autoOff = updateScreenView({ ...base, policy: 'auto', status: update, auto: false });
    expect(text(autoOff)).toContain('unattended updates are off in the config');
    expect(buttons(autoOff)).toContain('⬆️ Update now');
    const current = updateScreenView({ ...base, status: { kind: 'up-to-date' } });
    expect(buttons(current)).not.toContain('⬆️ Update now');
    const untagged = updateScreenView({ ...base, status: { kind: 'untagged' } });
    expect(text(untagged)).toContain('Not run from a tag');
  });

  it('roll back is offered while the previous image is kept', () => {
    const v = updateScreenView({
      ...base,
      status: { kind: 'up-to-date' },
      rollback: { oldImageId: `sha256:${'9'.repeat(64)}`, until: Date.UTC(2026, 0, 8) },
    });
    expect(buttons(v)).toContain('↩️ Roll back');
    expect(text(v)).toContain(
      'previous image 999999999999 is kept for a roll back until 2026-01-08',
    );
  });

  it('confirmation names the timeout and the health requirement; a hostile image name is escaped', () => {
    const hostile = { ...c, image: '<b>x</b>:1', health: 'healthy' as const };
    const v = updateConfirmView({ ...base, container: hostile, op: 'update', timeoutMs: 60_000 });
    expect(v.html.value).toContain('&lt;b&gt;x&lt;/b&gt;:1');
    expect(text(v)).toContain('running and healthy within 60 s');
    expect(buttons(v)).toEqual(['✅ Yes, update', '✖️ Cancel']);
  });

  it('progress marks the steps done, the current one and the rest', () => {
    const v = updateProgressView({
      host: 0,
      hostLabel: undefined,
      name: 'web',
      op: 'update',
      step: 'pull',
      pull: { layers: 4, done: 1, bytes: 2048, status: '' },
    });
    expect(text(v)).toContain('⏳ pull the new image · 1/4 layers · 2.0 KiB\n▫️ stop');
  });

  it('results: done, rolled back with the reason, and a failed restore that says where the old one is', () => {
    const d = { host: 0, hostLabel: undefined, name: 'web', id: c.id, page: 0, image: c.image };
    const ok = updateResultView({
      ...d,
      op: 'update',
      result: {
        ok: true,
        newImageId: `sha256:${'2'.repeat(64)}`,
        oldImageId: `sha256:${'1'.repeat(64)}`,
        tookMs: 4200,
        keptUntil: Date.UTC(2026, 0, 8),
      },
    });
    expect(text(ok)).toContain('✅ Update of web done in 4.2 s');
    const back = updateResultView({
      ...d,
      op: 'update',
      result: {
        ok: false,
        failedAt: 'verify',
        why: { kind: 'exited', exitCode: 3 },
        restored: true,
        keptAs: 'web-tmbot-old',
      },
    });
    expect(text(back)).toContain(
      'failed at “wait for running / healthy”: the new container stopped (exit code 3)',
    );
    expect(text(back)).toContain('Rolled back');
    const stuck = updateResultView({
      ...d,
      op: 'update',
      result: {
        ok: false,
        failedAt: 'create',
        why: {
          kind: 'error',
          error: new DockerError('refused', { action: 'create', detail: 'port taken' }),
        },
        restored: false,
        restoreError: new DockerError('container_gone'),
        keptAs: 'web-tmbot-old',
      },
    });
    expect(text(stuck)).toContain('The engine refused to create it: port taken');
    expect(text(stuck)).toContain('kept as web-tmbot-old');
  });
});
