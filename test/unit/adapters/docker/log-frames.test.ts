import { FrameDecoder } from '../../../../src/adapters/docker/log-frames';

const frame = (stream: number, text: string): Buffer => {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('FrameDecoder', () => {
  it('splits stdout and stderr frames and keeps their order', () => {
    const d = new FrameDecoder();
    const out = d.push(
      Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]),
    );
    expect(out.map((b) => b.toString())).toEqual(['out 1\n', 'err 1\n', 'out 2\n']);
  });

  it('reassembles frames cut anywhere, including inside the header and inside a UTF-8 character', () => {
    const all = Buffer.concat([frame(1, 'héllo 🚀\n'), frame(2, 'second\n')]);
    for (let cut = 1; cut < all.length; cut++) {
      const d = new FrameDecoder();
      const pieces = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(Buffer.concat(pieces).toString('utf8')).toBe('héllo 🚀\nsecond\n');
    }
  });

  it('holds an incomplete frame back until the rest arrives', () => {
    const d = new FrameDecoder();
    const f = frame(1, 'abcdef');
    expect(d.push(f.subarray(0, 10))).toEqual([]);
    expect(d.push(f.subarray(10)).map(String)).toEqual(['abcdef']);
  });
});
