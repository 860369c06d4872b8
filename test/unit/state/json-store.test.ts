import {
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
import { silentLogger, type Logger } from '../../../src/log/logger';
import { JsonStateStore } from '../../../src/state/json-store';
import { resolveStateDir } from '../../../src/state/state-dir';

const isCounter = (v: unknown): v is { n: number } => typeof (v as { n?: unknown })?.n === 'number';

describe('JsonStateStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tmbot-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically with 0600 files in a 0700 directory', async () => {
    const store = new JsonStateStore(join(dir, 'state'), silentLogger);
    await store.write('a.json', { n: 1 });
    expect(store.read('a.json', isCounter)).toEqual({ n: 1 });
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state', 'a.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'state'))).toEqual(['a.json']);
  });

  it('coalesces concurrent writes to the latest value', async () => {
    const store = new JsonStateStore(dir, silentLogger);
    const writes = [1, 2, 3, 4, 5].map((n) => store.write('c.json', { n }));
    await Promise.all(writes);
    await store.flush();
    expect(store.read('c.json', isCounter)).toEqual({ n: 5 });
  });

  it('moves a corrupt file aside with a warning and goes on', () => {
    writeFileSync(join(dir, 'bad.json'), '{not json');
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    const store = new JsonStateStore(dir, log);
    expect(store.read('bad.json', isCounter)).toBeUndefined();
    expect(readdirSync(dir).some((f) => f.startsWith('bad.json.corrupt-'))).toBe(true);
    expect(warnings[0]).toMatch(/moved to/);
  });

  it('falls back to memory with one clear warning when the directory is unusable', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const warnings: string[] = [];
    const store = new JsonStateStore(join(file, 'state'), {
      ...silentLogger,
      warn: (m) => void warnings.push(m),
    });
    expect(store.persistent).toBe(false);
    await store.write('a.json', { n: 7 });
    expect(store.read('a.json', isCounter)).toEqual({ n: 7 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not usable.*TMBOT_STATE_DIR/);
  });

  it('appends lines with mode 0600', async () => {
    const store = new JsonStateStore(dir, silentLogger);
    await store.appendLine('audit.jsonl', '{"a":1}');
    await store.appendLine('audit.jsonl', '{"a":2}');
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    chmodSync(join(dir, 'audit.jsonl'), 0o600);
  });

  it('refuses path-like names', () => {
    const store = new JsonStateStore(dir, silentLogger);
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
