import type { DockerPort } from '../../../../src/adapters/docker/port';
import type { UpdateCheckPort } from '../../../../src/adapters/docker/update-checker';
import { ALERTS_STATE_FILE, emptyDoc } from '../../../../src/alerts/state';
import { ManualClock } from '../../../../src/clock';
import { dockerFeature } from '../../../../src/features/docker';
import { AUTO_UPDATE_EVERY_MS } from '../../../../src/features/docker/update-auto';
import type { AuditEntry } from '../../../../src/security/second-factor';
import type { View } from '../../../../src/views/view';
import { MemoryStore } from '../../../support/memory-store';
import { Pipeline } from '../../../support/pipeline';
import { silentLogger } from '../../../support/silent-logger';
import { details } from '../../views/docker-fixtures';
import { FakeEngine, NEW_IMAGE, OLD_IMAGE, REF } from './update-fakes';

/** Every image has an update in the registry. */
const registry: UpdateCheckPort = {
  check: (images) =>
    Promise.resolve(
      images.map((i) => ({
        tag: i.tags[0] ?? '',
        imageId: i.id,
        status: { kind: 'update', localDigest: 'sha256:a', remoteDigest: 'sha256:b' },
        newerTags: [],
        checkedAt: 0,
      })),
    ),
};

/** The Docker feature as the daemon builds it, with maintenance on in the persisted alert state. */
async function started(auto: boolean) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const maintenance = {
    startedAt: clock.now(),
    until: clock.now() + 3_600_000,
    by: 'x',
    alertIds: [],
  };
  await store.write(ALERTS_STATE_FILE, { ...emptyDoc(), maintenance });
  const engine = new FakeEngine();
  const c = details('auto-app', { imageId: OLD_IMAGE, image: REF, health: 'none' });
  engine.add({ ...c, config: { ...c.config, labels: [{ key: 'tmbot.update', value: 'auto' }] } });
  const audits: AuditEntry[] = [];
  const sent: View[] = [];
  const feature = dockerFeature({
    // The fake answers every call an unattended update makes.
    docker: engine as unknown as DockerPort,
    updates: registry,
    secondFactor: { requireSecondFactor: () => Promise.resolve(false) },
    clock,
    log: silentLogger,
    redact: (t) => t,
    strictAccess: false,
    imageUpdates: {
      ops: engine,
      store,
      settings: { startTimeoutMs: 10_000, minUpMs: 2000, keepMs: 86_400_000, auto },
      unattended: {
        audit: { record: (e) => Promise.resolve(void audits.push(e)) },
        notify: (v) => Promise.resolve(void sent.push(v)),
      },
    },
  });
  new Pipeline({ userIds: [1] }, [feature], store);
  await feature.start?.();
  for (let i = 0; i < 100 && sent.length === 0; i++)
    await clock.advanceAsync(AUTO_UPDATE_EVERY_MS / 10);
  await feature.stop?.();
  return { engine, audits, sent };
}

describe('docker.image_updates.auto', () => {
  it('off (the default): a tmbot.update=auto container is left alone even in maintenance', async () => {
    const s = await started(false);
    expect(s.engine.calls).toEqual([]);
    expect(s.engine.byName('auto-app')?.imageId).toBe(OLD_IMAGE);
    expect(s.audits).toEqual([]);
    expect(s.sent).toEqual([]);
  });

  it('on: the feature updates it on its timer during maintenance and reports to the admin chats', async () => {
    const s = await started(true);
    expect(s.engine.byName('auto-app')?.imageId).toBe(NEW_IMAGE);
    expect(s.audits).toEqual([expect.objectContaining({ userId: 0, outcome: 'ok' })]);
    expect(s.sent).toHaveLength(1);
  });
});
