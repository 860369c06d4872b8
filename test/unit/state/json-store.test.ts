import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  chmodSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../../src/clock';
import { recordingLogger } from '../../support/silent-logger';
import { JsonStateStore } from '../../../src/state/json-store';
import { openStateStore, removeStateDir } from '../../support/state-store';
import { resolveStateDir } from '../../../src/state/state-dir';

const isCounter = (v: unknown): v is { n: number } => typeof (v as { n?: unknown })?.n === 'number';

describe('JsonStateStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tmbot-state-'))));
  afterEach(() => removeStateDir(dir));

  it('writes atomically with 0600 files in a 0700 directory', async () => {
    const store = await openStateStore(join(dir, 'state'));
    await store.write('a.json', { n: 1 });
    expect(store.read('a.json', isCounter)).toEqual({ n: 1 });
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state', 'a.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'state'))).toEqual(['a.json']);
  });

  it('coalesces concurrent writes to the latest value', async () => {
    const store = await openStateStore(dir);
    const writes = [1, 2, 3, 4, 5].map((n) => store.write('c.json', { n }));
    await Promise.all(writes);
    await store.flush();
    expect(store.read('c.json', isCounter)).toEqual({ n: 5 });
  });

  it('moves a corrupt file aside with a warning and goes on', async () => {
    writeFileSync(join(dir, 'bad.json'), '{not json');
    const { log, warnings } = recordingLogger();
    const store = await openStateStore(dir, log, new ManualClock(1234));
    expect(store.read('bad.json', isCounter)).toBeUndefined();
    expect(readdirSync(dir)).toContain('bad.json.corrupt-1234');
    expect(warnings[0]).toMatch(/moved to/);
  });

  it('falls back to memory with one clear warning when the directory is unusable', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const { log, warnings } = recordingLogger();
    const store = new JsonStateStore(join(file, 'state'), log, systemClock);
    expect(() => store.persistent).toThrow(/before open/);
    await store.open();
    expect(store.persistent).toBe(false);
    await store.write('a.json', { n: 7 });
    expect(store.read('a.json', isCounter)).toEqual({ n: 7 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not usable.*TMBOT_STATE_DIR/);
  });

  it('appends lines with mode 0600', async () => {
    const store = await openStateStore(dir);
    await store.appendLine('audit.jsonl', '{"a":1}');
    await store.appendLine('audit.jsonl', '{"a":2}');
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    expect(statSync(join(dir, 'audit.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('appends in memory too, and reads, rotates and removes text files in both modes', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    for (const store of [
      await openStateStore(join(dir, 'disk')),
      await openStateStore(join(file, 'state')),
    ]) {
      expect(await store.appendLine('log.jsonl', 'é')).toBe(3);
      expect(await store.readText('log.jsonl')).toBe('é\n');
      await store.rotate('log.jsonl', 2);
      expect(await store.readText('log.jsonl')).toBeUndefined();
      await store.appendLine('log.jsonl', 'b');
      await store.rotate('log.jsonl', 2);
      await store.appendLine('log.jsonl', 'c');
      await store.rotate('log.jsonl', 2);
      // The oldest generation ('é') fell off the end.
      expect(
        await Promise.all(
          ['log.jsonl', 'log.jsonl.1', 'log.jsonl.2'].map((n) => store.readText(n)),
        ),
      ).toEqual([undefined, 'c\n', 'b\n']);
      await store.remove('log.jsonl.1');
      await store.remove('log.jsonl.1');
      expect(await store.readText('log.jsonl.1')).toBeUndefined();
    }
  });

  it('tightens an appended file someone made world-readable', async () => {
    writeFileSync(join(dir, 'a.jsonl'), '');
    chmodSync(join(dir, 'a.jsonl'), 0o644);
    const store = await openStateStore(dir);
    await store.appendLine('a.jsonl', 'x');
    expect(statSync(join(dir, 'a.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('warns once while a file cannot be written, and says when it can be again', async () => {
    const { log, warnings, infos } = recordingLogger();
    const store = await openStateStore(dir, log);
    mkdirSync(join(dir, 'x.json')); // a directory where the file should be: rename fails
    await store.write('x.json', { n: 1 });
    await store.write('x.json', { n: 2 });
    expect(warnings).toEqual([expect.stringMatching(/cannot write state file .*x\.json/)]);
    rmSync(join(dir, 'x.json'), { recursive: true });
    await store.write('x.json', { n: 3 });
    expect(infos).toEqual([expect.stringMatching(/x\.json is written again/)]);
    expect(store.read('x.json', isCounter)).toEqual({ n: 3 });
  });

  it('refuses path-like names', async () => {
    const store = await openStateStore(dir);
    expect(() => store.read('../etc/passwd', isCounter)).toThrow(/invalid state file name/);
  });
});

describe('resolveStateDir', () => {
  it('prefers TMBOT_STATE_DIR, then PYTMBOT_STATE_DIR, config, XDG, home', () => {
    expect(resolveStateDir({ TMBOT_STATE_DIR: '/a', PYTMBOT_STATE_DIR: '/b' }, '/c')).toBe('/a');
    expect(resolveStateDir({ PYTMBOT_STATE_DIR: '/b' }, '/c')).toBe('/b');
    expect(resolveStateDir({ HOME: '/home/u' }, '~/st')).toBe('/home/u/st');
    expect(resolveStateDir({ XDG_STATE_HOME: '/x' }, undefined)).toBe('/x/tmbot');
    expect(resolveStateDir({ HOME: '/home/u' }, undefined)).toBe('/home/u/.local/state/tmbot');
  });
});
