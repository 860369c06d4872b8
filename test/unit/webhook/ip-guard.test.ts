import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import type { JsonStateStore } from '../../../src/state/json-store';
import { openStateStore, removeStateDir } from '../../support/state-store';
import { DEFAULT_IP_GUARD, IpGuard, type IpGuardOptions } from '../../../src/webhook/ip-guard';

describe('IpGuard', () => {
  let dir: string;
  let store: JsonStateStore;
  let clock: ManualClock;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tmbot-ipguard-'));
    store = await openStateStore(dir);
    clock = new ManualClock();
  });
  afterEach(async () => {
    // Saves run in the background: let them land before the directory goes.
    await removeStateDir(dir);
  });

  const guard = (options: Partial<IpGuardOptions> = {}): IpGuard =>
    new IpGuard({ ...DEFAULT_IP_GUARD, ...options }, { clock, store, log: silentLogger });

  it('allows 10 requests per 10 s per address, refilled over the window', () => {
    const g = guard();
    for (let i = 0; i < 10; i++) expect(g.take('10.0.0.1', 'main')).toBe(true);
    expect(g.take('10.0.0.1', 'main')).toBe(false);
    expect(g.take('10.0.0.2', 'main')).toBe(true);
    clock.advance(1000);
    expect(g.take('10.0.0.1', 'main')).toBe(true);
    expect(g.take('10.0.0.1', 'main')).toBe(false);
    clock.advance(10_000);
    for (let i = 0; i < 10; i++) expect(g.take('10.0.0.1', 'main')).toBe(true);
    expect(g.take('10.0.0.1', 'main')).toBe(false);
  });

  it('keeps a separate, smaller budget for unknown paths', () => {
    const g = guard();
    for (let i = 0; i < 5; i++) expect(g.take('10.0.0.1', 'unknown')).toBe(true);
    expect(g.take('10.0.0.1', 'unknown')).toBe(false);
    expect(g.take('10.0.0.1', 'main')).toBe(true);
  });

  it('bans after the threshold of rejections inside the window, for the ban time', () => {
    const g = guard({ banThreshold: 5, banWindowMs: 60_000, banMs: 3_600_000 });
    for (let i = 0; i < 4; i++) expect(g.strike('10.0.0.9')).toBe(false);
    expect(g.isBanned('10.0.0.9')).toBe(false);
    expect(g.strike('10.0.0.9')).toBe(true);
    expect(g.isBanned('10.0.0.9')).toBe(true);
    expect(g.isBanned('10.0.0.8')).toBe(false);
    clock.advance(3_600_000 - 1);
    expect(g.isBanned('10.0.0.9')).toBe(true);
    clock.advance(1);
    expect(g.isBanned('10.0.0.9')).toBe(false);
  });

  it('forgets strikes older than the ban window', () => {
    const g = guard({ banThreshold: 3, banWindowMs: 60_000 });
    g.strike('10.0.0.9');
    g.strike('10.0.0.9');
    clock.advance(60_000);
    expect(g.strike('10.0.0.9')).toBe(false);
    expect(g.strike('10.0.0.9')).toBe(false);
    expect(g.strike('10.0.0.9')).toBe(true);
  });

  it('a client hammering past the limit does get banned (pyTMBot never did)', () => {
    const g = guard();
    let banned = false;
    for (let i = 0; i < 200 && !banned; i++) {
      if (!g.take('10.0.0.7', 'main')) banned = g.strike('10.0.0.7');
    }
    expect(banned).toBe(true);
  });

  it('keeps bans across a restart through the state dir, and releases them after the TTL', async () => {
    const g = guard({ banThreshold: 1, banMs: 3_600_000 });
    g.strike('10.0.0.9');
    g.strike('2001:db8:1:2::/64');
    await store.flush();
    const file = join(dir, 'webhook-bans.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1 });

    clock.advance(1_800_000);
    const restarted = new IpGuard(
      { ...DEFAULT_IP_GUARD, banMs: 3_600_000 },
      { clock, store: await openStateStore(dir), log: silentLogger },
    );
    expect(restarted.isBanned('10.0.0.9')).toBe(true);
    expect(restarted.isBanned('2001:db8:1:2::/64')).toBe(true);
    clock.advance(1_800_000);
    expect(restarted.isBanned('10.0.0.9')).toBe(false);

    const afterTtl = new IpGuard(DEFAULT_IP_GUARD, {
      clock,
      store: await openStateStore(dir),
      log: silentLogger,
    });
    expect(afterTtl.banCount).toBe(0);
  });

  it('ignores a tampered ban file instead of trusting it', () => {
    writeFileSync(
      join(dir, 'webhook-bans.json'),
      JSON.stringify({ version: 1, bans: [['<script>', 9e15]] }),
    );
    const g = guard();
    expect(g.banCount).toBe(0);
  });

  it('tracks a bounded number of addresses however many there are', () => {
    const g = guard({ maxTracked: 100 });
    for (let i = 0; i < 10_000; i++) g.take(`10.0.${i >> 8}.${i & 255}`, 'main');
    expect(g.tracked).toBe(100);
  });

  it('forgets the least recently seen address first', () => {
    const g = guard({ maxTracked: 2, limit: 1 });
    expect(g.take('10.0.0.1', 'main')).toBe(true);
    expect(g.take('10.0.0.2', 'main')).toBe(true);
    expect(g.take('10.0.0.1', 'main')).toBe(false); // seen again: now the most recent
    g.take('10.0.0.3', 'main'); // evicts 10.0.0.2
    expect(g.take('10.0.0.1', 'main')).toBe(false);
    expect(g.take('10.0.0.2', 'main')).toBe(true);
  });

  it('holds a bounded number of bans, oldest out', () => {
    const g = guard({ banThreshold: 1, maxBans: 3 });
    for (let i = 1; i <= 5; i++) g.strike(`10.0.0.${i}`);
    expect(g.banCount).toBe(3);
    expect(g.isBanned('10.0.0.1')).toBe(false);
    expect(g.isBanned('10.0.0.5')).toBe(true);
  });
});
