import type { ContainerDetails, ContainerSummary } from '../../../src/adapters/docker/port';
import type { ImageUpdate, UpdateCheckPort } from '../../../src/adapters/docker/update-checker';
import type { AlertRecord } from '../../../src/alerts/types';
import { ManualClock } from '../../../src/clock';
import type { ReportDocker, ReportSystem } from '../../../src/report/collect';
import { CHECK_MS } from '../../../src/report/scheduler';
import { createReports, type ReportSetup } from '../../../src/report/setup';
import { FakeSender } from '../../support/fake-sender';
import { MemoryStore } from '../../support/memory-store';
import { silentLogger } from '../../support/silent-logger';

const HOUR = 3600_000;
const MONDAY = 1;
const START = Date.parse('2026-06-01T05:00:00Z');
const ALERT_CHAT = -100500;

const system: ReportSystem = {
  uptime: () => Promise.resolve({ seconds: 3 * 86400 + 4 * 3600, bootTime: START - 3 * 86400_000 }),
  topProcesses: () =>
    Promise.resolve({
      byCpu: [{ pid: 10, name: 'node', cpuPercent: 35.2, memPercent: 4, rssBytes: 1 }],
      byMemory: [{ pid: 11, name: 'postgres', cpuPercent: 1, memPercent: 22.4, rssBytes: 1 }],
      total: 120,
      windowMs: 1000,
    }),
  filesystems: () =>
    Promise.resolve([
      {
        device: '/dev/sda1',
        type: 'ext4',
        mountPoint: '/',
        sizeBytes: 100,
        usedBytes: 71,
        freeBytes: 29,
      },
    ]),
};

const container = (name: string, createdAt: number): ContainerSummary => ({
  id: name.padEnd(64, '0'),
  name,
  image: `${name}:1`,
  imageId: `sha256:${name}`,
  state: 'running',
  health: 'none',
  status: 'Up',
  createdAt,
});

const docker: ReportDocker = {
  hosts: [{ index: 0, label: 'local' }],
  listContainers: () =>
    Promise.resolve([
      container('web', START - 30 * 86400_000),
      container('db', START - 30 * 86400_000),
    ]),
  inspectContainer: (_h, id) =>
    Promise.resolve({
      startedAt: id.startsWith('web') ? START - 2 * HOUR : START - 20 * 86400_000,
      restartCount: id.startsWith('web') ? 2 : 0,
    } as ContainerDetails),
  listImages: () =>
    Promise.resolve([
      { id: 'sha256:web', tags: ['web:1'], digests: [], size: 1, createdAt: 0 },
      { id: 'sha256:unused', tags: ['old:1'], digests: [], size: 1, createdAt: 0 },
    ]),
};

const updates: UpdateCheckPort = {
  check: (images) =>
    Promise.resolve(
      images.flatMap((i): ImageUpdate[] =>
        i.tags.map((tag) => ({
          tag,
          imageId: i.id,
          status: { kind: 'update', localDigest: 'sha256:a', remoteDigest: 'sha256:b' },
          newerTags: [],
          checkedAt: 0,
        })),
      ),
    ),
};

const record = (id: string, firedAt: number, resolvedAt?: number): AlertRecord => ({
  id,
  key: id,
  host: 'local',
  target: `c-${id}`,
  severity: 'warning',
  facts: { kind: 'container_unhealthy', lastOutput: '' },
  state: resolvedAt === undefined ? 'firing' : 'resolved',
  firedAt,
  ...(resolvedAt !== undefined ? { resolvedAt } : {}),
  sent: true,
  oneShot: false,
});

function setup(over: Partial<ReportSetup> = {}) {
  const clock = new ManualClock(START);
  const sender = new FakeSender();
  const reports = createReports({
    config: { daily: 8 * 60 + 30, weekly: undefined, timeZone: 'Europe/Berlin' },
    system,
    docker,
    engine: {
      records: () => [
        record('old', START - 3 * 86400_000, START - 3 * 86400_000 + HOUR),
        record('a1', START - 5 * HOUR, START - 4 * HOUR),
        record('a2', START - HOUR),
      ],
      pastAlerts: () => [],
    },
    updates,
    sender,
    targets: [{ chatId: ALERT_CHAT, threadId: 7 }],
    clock,
    store: new MemoryStore(),
    log: silentLogger,
    ...over,
  });
  return { clock, sender, reports };
}

async function advance(clock: ManualClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= CHECK_MS)
    await clock.advanceAsync(Math.min(CHECK_MS, left));
}

describe('scheduled report', () => {
  it('a weekly report counts the whole week, alerts the engine no longer holds included', async () => {
    const DAY = 86_400_000;
    const { clock, sender, reports } = setup({
      config: {
        daily: undefined,
        weekly: { weekday: MONDAY, minute: 8 * 60 + 30 },
        timeZone: 'UTC',
      },
      engine: {
        records: () => [
          record('a1', START - 5 * HOUR, START - 4 * HOUR),
          record('a2', START - HOUR),
        ],
        // Pruned after 48 h: [firedAt, resolvedAt].
        pastAlerts: () => [
          [START - 6 * DAY, START - 5 * DAY],
          [START - 8 * DAY, START - 6 * DAY],
          [START - 10 * DAY, START - 9 * DAY],
        ],
      },
    });
    reports?.start();
    await advance(clock, 4 * HOUR);
    reports?.stop();
    const text = sender.sent[0]?.text ?? '';
    expect(text).toContain('Weekly report');
    expect(text).toContain('2026-05-25 08:30 → 2026-06-01 08:30 (UTC)');
    expect(text).toContain('Alerts: 3 fired, 3 resolved, 1 open now');
    expect(text).toContain('…and 1 more');
  });

  it('is off without a schedule', () => {
    const { reports } = setup({ config: { daily: undefined, weekly: undefined, timeZone: 'UTC' } });
    expect(reports).toBeUndefined();
  });

  it('arrives in the alert chat at 08:30 local time, compact, silent, with every section', async () => {
    const { clock, sender, reports } = setup();
    reports?.start();
    await advance(clock, HOUR + 29 * 60_000);
    expect(sender.sent).toEqual([]);
    await advance(clock, 2 * CHECK_MS);
    reports?.stop();
    expect(sender.sent).toHaveLength(1);
    const m = sender.sent[0];
    expect(m).toMatchObject({
      kind: 'send',
      chatId: ALERT_CHAT,
      options: { silent: true, threadId: 7 },
    });
    const text = m?.text ?? '';
    expect(text).toContain('Daily report');
    expect(text).toContain('2026-05-31 08:30 → 2026-06-01 08:30 (Europe/Berlin)');
    expect(text).toContain('this host: up 3 d 4 h');
    expect(text).toContain('local: 2/2 running · restarted: web (2×)');
    expect(text).toContain('Alerts: 2 fired, 1 resolved, 1 open now');
    expect(text).toContain('c-a2 is unhealthy');
    expect(text).not.toContain('c-old');
    expect(text).toContain('/ 71 %');
    expect(text).toContain('Updates: web:1');
    expect(text).not.toContain('old:1');
    expect(text).toContain('Top CPU: node 35 %');
    expect(text).toContain('Top memory: postgres 22 %');
    expect(text.length).toBeLessThan(1024);
  });

  it('with history on: the disk forecast, and the report as the caption of a CPU chart', async () => {
    const { clock, sender, reports } = setup({
      history: {
        forecast: () => ({ day: undefined, week: { kind: 'fills', days: 23.4, bytesPerDay: 1 } }),
        chart: () =>
          Promise.resolve({ kind: 'chart', png: Buffer.from('png'), series: [], unit: 'percent' }),
      },
    });
    reports?.start();
    await advance(clock, 2 * HOUR);
    reports?.stop();
    expect(sender.sent.map((s) => s.kind)).toEqual(['photo']);
    expect(sender.sent[0]?.text).toContain('/ 71 % — full in ~23 d');
  });
});
