import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock';
import { type Logger } from '../../../src/log/logger';
import { silentLogger } from '../../support/silent-logger';
import { JsonlAuditLog, parseAuditLine } from '../../../src/security/audit-log';
import { openStateStore, removeStateDir } from '../../support/state-store';

describe('JsonlAuditLog', () => {
  let dir: string;
  const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tmbot-audit-'))));
  afterEach(() => removeStateDir(dir));

  it('appends one JSON line per entry (time, user, action, target, outcome) in a 0600 file', async () => {
    const audit = new JsonlAuditLog({ store: await openStateStore(dir), clock, log: silentLogger });
    await audit.record({
      userId: 1001,
      action: 'container.restart',
      target: 'local/nginx',
      outcome: 'ok',
    });
    await audit.record({
      userId: 1002,
      action: 'totp.qrcode',
      outcome: 'denied',
      detail: 'not an admin',
    });
    const file = join(dir, 'audit.jsonl');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        time: '2026-01-02T03:04:05.000Z',
        userId: 1001,
        action: 'container.restart',
        target: 'local/nginx',
        outcome: 'ok',
      },
      {
        time: '2026-01-02T03:04:05.000Z',
        userId: 1002,
        action: 'totp.qrcode',
        outcome: 'denied',
        detail: 'not an admin',
      },
    ]);
  });

  it('tightens a file someone made world-readable', async () => {
    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    await new JsonlAuditLog({ store: await openStateStore(dir), clock, log: silentLogger }).record({
      userId: 1,
      action: 'a',
      outcome: 'ok',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rotates by size and keeps a bounded number of files', async () => {
    const audit = new JsonlAuditLog({
      store: await openStateStore(dir),
      clock,
      log: silentLogger,
      maxBytes: 400,
      keep: 2,
    });
    for (let i = 0; i < 60; i++)
      await audit.record({ userId: i, action: 'x.y', target: 't'.repeat(20), outcome: 'ok' });
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['audit.jsonl.1', 'audit.jsonl.2']));
    expect(files.filter((f) => !/^audit\.jsonl(\.[12])?$/.test(f))).toEqual([]);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThan(400 + 200);
    // The newest entries survive, across the rotated file, oldest first.
    const recent = await audit.recent(5);
    expect(recent.map((r) => r.userId)).toEqual([55, 56, 57, 58, 59]);
  });

  it('returns the last entries across a rotation boundary', async () => {
    const audit = new JsonlAuditLog({
      store: await openStateStore(dir),
      clock,
      log: silentLogger,
      maxBytes: 300,
      keep: 3,
    });
    for (let i = 0; i < 12; i++) await audit.record({ userId: i, action: 'a', outcome: 'ok' });
    expect((await audit.recent(20)).map((r) => r.userId)).toEqual([...Array(12).keys()]);
  });

  it('clips hostile fields and skips malformed lines when reading', async () => {
    const audit = new JsonlAuditLog({ store: await openStateStore(dir), clock, log: silentLogger });
    await audit.record({ userId: 1, action: 'a', target: 'n'.repeat(5000), outcome: 'ok' });
    writeFileSync(
      join(dir, 'audit.jsonl'),
      readFileSync(join(dir, 'audit.jsonl'), 'utf8') + 'not json\n{"time":1}\n',
      { mode: 0o600 },
    );
    await audit.record({ userId: 2, action: 'b', outcome: 'failed' });
    const recent = await audit.recent(20);
    expect(recent.map((r) => r.userId)).toEqual([1, 2]);
    expect(recent[0]!.target!.length).toBeLessThanOrEqual(200);
    expect(
      parseAuditLine('{"time":"t","userId":1,"action":"a","outcome":"maybe"}'),
    ).toBeUndefined();
  });

  it('keeps entries in memory when the state dir is not writable', async () => {
    writeFileSync(join(dir, 'file'), '');
    const store = await openStateStore(join(dir, 'file', 'state'));
    expect(store.persistent).toBe(false);
    const audit = new JsonlAuditLog({ store, clock, log: silentLogger });
    await audit.record({ userId: 1, action: 'a', outcome: 'ok' });
    expect(await audit.recent(20)).toEqual([
      { time: '2026-01-02T03:04:05.000Z', userId: 1, action: 'a', outcome: 'ok' },
    ]);
  });

  it('logs a disk failure instead of throwing', async () => {
    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (m) => void errors.push(m) };
    const store = await openStateStore(join(dir, 'state'));
    rmSync(join(dir, 'state'), { recursive: true });
    const audit = new JsonlAuditLog({ store, clock, log });
    await expect(audit.record({ userId: 1, action: 'a', outcome: 'ok' })).resolves.toBeUndefined();
    expect(errors).toEqual(['cannot write the audit log']);
  });
});
