import { FrameDemuxer, LineCutter } from '../../../../src/adapters/docker/log-lines';

const frame = (stream: 1 | 2, text: string): Buffer => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

describe('followed log lines', () => {
  it('cuts a long line at the bound and drops the rest up to its newline', () => {
    const lines: [string, boolean][] = [];
    const c = new LineCutter(8, (l, cut) => lines.push([l, cut]));
    c.push(Buffer.from('short\nthis line is far too long'));
    c.push(Buffer.from(' and goes on\r\nnext\n'));
    c.push(Buffer.from('tail'));
    c.end();
    expect(lines).toEqual([
      ['short', false],
      ['this lin', true],
      ['next', false],
      ['tail', false],
    ]);
  });

  it('demultiplexes stdout and stderr across chunk boundaries', () => {
    const got: [string, string][] = [];
    const d = new FrameDemuxer((stream, bytes) => got.push([stream, bytes.toString()]));
    const all = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    for (let i = 0; i < all.length; i += 5) d.push(all.subarray(i, i + 5));
    const joined = (s: string): string =>
      got
        .filter(([k]) => k === s)
        .map(([, t]) => t)
        .join('');
    expect(joined('stdout')).toBe('out 1\nout 2\n');
    expect(joined('stderr')).toBe('err 1\n');
  });

  it('passes a frame that claims gigabytes through as its bytes come, never buffering it', () => {
    let seen = 0;
    const d = new FrameDemuxer((_s, bytes) => {
      seen += bytes.length;
    });
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(0xffffffff, 4);
    d.push(header);
    for (let i = 0; i < 100; i++) d.push(Buffer.alloc(64 * 1024, 0x61));
    expect(seen).toBe(100 * 64 * 1024);
  });
});
