import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUtmp, readUtmp, UTMP_MAX_BYTES } from '../../../../src/adapters/system/utmp';

interface Rec {
  type?: number;
  line?: string | Buffer;
  user?: string | Buffer;
  host?: string;
  seconds?: number;
  micros?: number;
}

/** One glibc `struct utmp` record (384 bytes, little-endian), as login(1) writes it. */
function record(r: Rec): Buffer {
  const b = Buffer.alloc(384);
  b.writeInt16LE(r.type ?? 7, 0);
  b.writeInt32LE(4242, 4);
  const put = (v: string | Buffer | undefined, at: number, size: number): void => {
    if (v !== undefined) (typeof v === 'string' ? Buffer.from(v) : v).copy(b, at, 0, size);
  };
  put(r.line, 8, 32);
  put(r.user, 44, 32);
  put(r.host, 76, 256);
  b.writeInt32LE(r.seconds ?? 1_767_225_600, 340);
  b.writeInt32LE(r.micros ?? 250_000, 344);
  return b;
}

describe('parseUtmp', () => {
  it('lists login sessions with terminal, remote host and login time (UTC seconds)', () => {
    const buf = Buffer.concat([
      record({ type: 2, user: 'reboot', line: '~' }), // BOOT_TIME
      record({ user: 'ann', line: 'pts/0', host: '10.0.0.9' }),
      record({ type: 8, user: 'bob', line: 'pts/1' }), // DEAD_PROCESS: logged out
      record({ user: 'carl', line: 'tty1', seconds: 1_700_000_000, micros: 999_999 }),
    ]);
    expect(parseUtmp(buf)).toEqual([
      { name: 'ann', tty: 'pts/0', host: '10.0.0.9', since: 1_767_225_600_250 },
      { name: 'carl', tty: 'tty1', host: '', since: 1_700_000_000_999 },
    ]);
  });

  it('survives hostile records: full fields without NUL, invalid UTF-8, no time, a torn tail', () => {
    const buf = Buffer.concat([
      record({ user: 'x'.repeat(40), line: Buffer.alloc(32, 0x41), seconds: 0 }),
      record({ user: Buffer.from([0xff, 0xfe, 0x41]), seconds: -5 }),
      record({ user: '' }),
      record({ user: 'torn' }).subarray(0, 200),
    ]);
    expect(parseUtmp(buf)).toEqual([
      { name: 'x'.repeat(32), tty: 'A'.repeat(32), host: '', since: undefined },
      { name: '\ufffd\ufffdA', tty: '', host: '', since: undefined },
    ]);
  });
});

describe('readUtmp', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tmbot-utmp-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file; nobody when it does not exist (a container without the host utmp)', async () => {
    const path = join(dir, 'utmp');
    expect(await readUtmp(path)).toEqual([]);
    writeFileSync(path, Buffer.concat([record({ user: 'ann', line: 'pts/0' })]));
    expect((await readUtmp(path)).map((u) => u.name)).toEqual(['ann']);
  });

  it(`reads at most ${UTMP_MAX_BYTES} bytes of an oversized file`, async () => {
    const path = join(dir, 'utmp');
    const perMiB = Math.floor(UTMP_MAX_BYTES / 384);
    const one = record({ user: 'u', line: 'pts/9' });
    writeFileSync(path, Buffer.concat(Array.from({ length: perMiB + 50 }, () => one)));
    expect(await readUtmp(path)).toHaveLength(perMiB);
  });

  it('reports a utmp it cannot read (a directory) as an error, not as nobody', async () => {
    await expect(readUtmp(dir)).rejects.toThrow();
  });
});
