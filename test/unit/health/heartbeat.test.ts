import { openStateStore, removeStateDir } from '../../support/state-store';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock';
import {
  HEARTBEAT_FILE,
  HeartbeatWriter,
  judgeHeartbeat,
  parseHeartbeat,
  probeHeartbeat,
} from '../../../src/health/heartbeat';
import type { HealthLevel, HealthSnapshot } from '../../../src/health/types';
import { type Logger } from '../../../src/log/logger';
import { silentLogger } from '../../support/silent-logger';

const NOW = Date.UTC(2026, 0, 1, 12);

function beat(level: HealthLevel, ageMs: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    v: 1,
    level,
    at: NOW - ageMs,
    staleAfterMs: 60_000,
    pid: 42,
    reasons: [],
    ...extra,
  });
}

describe('judgeHeartbeat (tmbot --health-check)', () => {
  it('exits 2 when there is no heartbeat', () => {
    expect(judgeHeartbeat(undefined, NOW, '/state/heartbeat.json')).toEqual({
      code: 2,
      message:
        'no heartbeat at /state/heartbeat.json: tmbot is not running (or still connecting to Telegram), or cannot write there',
    });
  });

  it('exits 0 for a fresh healthy or degraded heartbeat', () => {
    expect(judgeHeartbeat(beat('healthy', 5000), NOW, 'x')).toEqual({
      code: 0,
      message: 'healthy (heartbeat 5 s old)',
    });
    const degraded = judgeHeartbeat(
      beat('degraded', 0, { reasons: ['Host: high: CPU 97%'] }),
      NOW,
      'x',
    );
    expect(degraded).toEqual({
      code: 0,
      message: 'degraded (heartbeat 0 s old): Host: high: CPU 97%',
    });
  });

  it('exits 1 for a fresh unhealthy or critical heartbeat', () => {
    expect(judgeHeartbeat(beat('unhealthy', 1000), NOW, 'x').code).toBe(1);
    const critical = judgeHeartbeat(
      beat('critical', 1000, { reasons: ['Telegram API: the bot token was rejected (401)'] }),
      NOW,
      'x',
    );
    expect(critical.code).toBe(1);
    expect(critical.message).toContain('401');
  });

  it('exits 1 when the heartbeat is stale, or from the future', () => {
    const stale = judgeHeartbeat(beat('healthy', 60_001), NOW, 'x');
    expect(stale.code).toBe(1);
    expect(stale.message).toMatch(/stale \(60 s old, limit 60 s\)/);
    expect(judgeHeartbeat(beat('healthy', -120_000), NOW, 'x').message).toMatch(/in the future/);
  });

  it('exits 1 for a damaged heartbeat, and bounds the staleness a file may claim', () => {
    for (const text of [
      '',
      '{',
      '[]',
      '{"v":2}',
      beat('fine' as HealthLevel, 0),
      beat('healthy', 0, { at: 'now' }),
    ]) {
      expect(judgeHeartbeat(text, NOW, 'x').code).toBe(1);
    }
    // A file that claims "never stale" is still judged stale after an hour.
    expect(judgeHeartbeat(beat('healthy', 3_700_000, { staleAfterMs: 1e12 }), NOW, 'x').code).toBe(
      1,
    );
  });

  it('keeps its message short enough for docker inspect', () => {
    const reasons = Array.from({ length: 100 }, (_, i) => `Docker host${i}: unreachable`);
    expect(
      judgeHeartbeat(beat('degraded', 0, { reasons }), NOW, 'x').message.length,
    ).toBeLessThanOrEqual(1000);
  });

  it('reads the file from the state dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-hb-'));
    try {
      expect(probeHeartbeat(dir, NOW).code).toBe(2);
      writeFileSync(join(dir, HEARTBEAT_FILE), beat('healthy', 0));
      expect(probeHeartbeat(dir, NOW).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HeartbeatWriter', () => {
  let dir: string;
  const clock = new ManualClock(NOW);
  let level: HealthLevel;
  const snapshot = (): HealthSnapshot => ({
    overall: level,
    reasons: level === 'healthy' ? [] : ['Update loop: no successful getUpdates for 140 s'],
    components: [
      {
        name: 'update-loop',
        label: 'Update loop',
        level,
        summary: 'getUpdates',
        latencyMs: undefined,
        checkedAt: NOW,
      },
    ],
    checkedAt: NOW,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-hb-'));
    level = 'healthy';
  });
  afterEach(() => removeStateDir(dir));

  it('writes the overall level with its staleness, mode 0600, and removes its own file on stop', async () => {
    const w = new HeartbeatWriter({
      store: await openStateStore(dir),
      snapshot,
      clock,
      log: silentLogger,
      periodMs: 15_000,
      staleAfterMs: 60_000,
    });
    await w.beat();
    const path = join(dir, HEARTBEAT_FILE);
    expect(parseHeartbeat(readFileSync(path, 'utf8'))).toEqual({
      v: 1,
      level: 'healthy',
      at: NOW,
      staleAfterMs: 60_000,
      pid: process.pid,
      reasons: [],
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    level = 'unhealthy';
    await w.beat();
    expect(probeHeartbeat(dir, NOW).message).toContain('no successful getUpdates');
    await w.stop();
    expect(existsSync(path)).toBe(false);
  });

  it('writes the lowest component, not the softened overall, so one dead part fails the probe', async () => {
    const component = (name: string, l: HealthLevel) => ({
      name,
      label: name,
      level: l,
      summary: l,
      latencyMs: undefined,
      checkedAt: NOW,
    });
    const w = new HeartbeatWriter({
      store: await openStateStore(dir),
      snapshot: () => ({
        overall: 'degraded',
        reasons: ['Update loop: no successful getUpdates for 140 s'],
        components: [
          ...['a', 'b', 'c', 'd'].map((n) => component(n, 'healthy')),
          component('update-loop', 'unhealthy'),
          { ...component('docker', 'critical'), checkedAt: 0 },
        ],
        checkedAt: NOW,
      }),
      clock,
      log: silentLogger,
      periodMs: 15_000,
      staleAfterMs: 60_000,
    });
    await w.beat();
    // The never-checked component (checkedAt 0) does not count.
    expect(probeHeartbeat(dir, NOW)).toMatchObject({ code: 1 });
    expect(parseHeartbeat(readFileSync(join(dir, HEARTBEAT_FILE), 'utf8'))?.level).toBe(
      'unhealthy',
    );
    await w.stop();
  });

  it("leaves another process's heartbeat alone on stop", async () => {
    const path = join(dir, HEARTBEAT_FILE);
    writeFileSync(path, beat('healthy', 0, { pid: process.pid + 1 }));
    const w = new HeartbeatWriter({
      store: await openStateStore(dir),
      snapshot,
      clock,
      log: silentLogger,
      periodMs: 15_000,
      staleAfterMs: 60_000,
    });
    await w.stop();
    expect(existsSync(path)).toBe(true);
  });

  it('start() beats at once; never again after stop()', async () => {
    const w = new HeartbeatWriter({
      store: await openStateStore(dir),
      snapshot,
      clock,
      log: silentLogger,
      periodMs: 60_000,
      staleAfterMs: 60_000,
    });
    w.start();
    await w.stop();
    w.start();
    // A beat would be written at once (start) or by the period's timer: neither comes.
    await clock.advanceAsync(60_000);
    await clock.advanceAsync(60_000);
    expect(existsSync(join(dir, HEARTBEAT_FILE))).toBe(false);
  });

  it('beats every period through the clock', async () => {
    const store = await openStateStore(dir);
    const w = new HeartbeatWriter({
      store,
      snapshot,
      clock,
      log: silentLogger,
      periodMs: 15_000,
      staleAfterMs: 60_000,
    });
    const at = clock.now();
    w.start();
    await store.flush();
    expect(parseHeartbeat(readFileSync(join(dir, HEARTBEAT_FILE), 'utf8'))?.at).toBe(at);
    await clock.advanceAsync(14_999);
    await store.flush();
    expect(parseHeartbeat(readFileSync(join(dir, HEARTBEAT_FILE), 'utf8'))?.at).toBe(at);
    await clock.advanceAsync(1);
    await store.flush();
    expect(parseHeartbeat(readFileSync(join(dir, HEARTBEAT_FILE), 'utf8'))?.at).toBe(at + 15_000);
    await w.stop();
  });

  it('warns once while the state directory cannot be written', async () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    writeFileSync(join(dir, 'file'), '');
    const w = new HeartbeatWriter({
      store: await openStateStore(join(dir, 'file', 'state')),
      snapshot,
      clock,
      log,
      periodMs: 15_000,
      staleAfterMs: 60_000,
    });
    await w.beat();
    await w.beat();
    await w.stop();
    expect(warnings).toEqual([expect.stringMatching(/cannot write the heartbeat.*--health-check/)]);
  });
});
