import {
  BoundedLineSplitter,
  MAX_EVENT_LINE_BYTES,
  parseEventLine,
} from '../../../../src/adapters/docker/event-lines';

const line = JSON.stringify({
  Type: 'container',
  Action: 'die',
  Actor: { ID: 'a'.repeat(64), Attributes: { name: 'web', exitCode: '137', n: 5 } },
  time: 1_767_225_600,
  timeNano: 1_767_225_600_123_456_789,
});

describe('event stream lines', () => {
  it('splits lines across chunk boundaries', () => {
    const lines: string[] = [];
    const s = new BoundedLineSplitter(
      (l) => lines.push(l),
      () => undefined,
    );
    const data = Buffer.from(`${line}\n${line}\n`);
    for (let i = 0; i < data.length; i += 7) s.push(data.subarray(i, i + 7));
    expect(lines).toEqual([line, line]);
  });

  it('drops a 100 MB line as it streams, without holding it, and goes on', () => {
    const lines: string[] = [];
    let oversized = 0;
    const s = new BoundedLineSplitter(
      (l) => lines.push(l),
      () => oversized++,
    );
    const mb = Buffer.alloc(1024 * 1024, 0x61);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 100; i++) s.push(mb);
    // Memory held by the splitter stays within one line's bound plus one chunk.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(
      MAX_EVENT_LINE_BYTES + 4 * mb.length,
    );
    s.push(Buffer.from(`tail\n${line}\n`));
    expect(oversized).toBe(1);
    expect(lines).toEqual([line]);
  });

  it('parses a real event shape and rejects garbage with a reason', () => {
    const e = parseEventLine(line);
    expect(e).toMatchObject({
      type: 'container',
      action: 'die',
      attributes: { name: 'web', exitCode: '137' },
    });
    expect(typeof e === 'object' && e.timeNano.startsWith('1767225600.')).toBe(true);
    expect(parseEventLine('{not json')).toBe('not-json');
    expect(parseEventLine('[1,2,3]')).toBe('bad-shape');
    expect(parseEventLine('{"Type":"container"}')).toBe('bad-shape');
    expect(parseEventLine('\u0000\u0001')).toBe('not-json');
  });
});
