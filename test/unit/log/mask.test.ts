import { Writable } from 'node:stream';
import { createLogger, type LogLevel } from '../../../src/log/logger';
import { maskId, maskIp } from '../../../src/log/mask';
import { Redactor } from '../../../src/log/redactor';

function capture(level: LogLevel): { log: ReturnType<typeof createLogger>; out: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return {
    log: createLogger({ level, format: 'json', redactor: new Redactor(), stream }),
    out: () => lines.join(''),
  };
}

describe('id and address masks', () => {
  it('keeps two digits on each side of an id, and the sign', () => {
    expect(maskId(123456789)).toBe('12…89');
    expect(maskId(-1001234567890)).toBe('-10…90');
    expect(maskId('5555')).toBe('…');
    expect(maskId('not-an-id')).toBe('…');
  });

  it('keeps the network part of an address', () => {
    expect(maskIp('203.0.113.77')).toBe('203.0.*.*');
    expect(maskIp('::ffff:203.0.113.77')).toBe('203.0.*.*');
    expect(maskIp('2001:db8:85a3::8a2e:370:7334')).toBe('2001:db8:…');
    expect(maskIp('2001:db8:85a3:1::/64')).toBe('2001:db8:…/64');
    expect(maskIp('garbage')).toBe('…');
  });
});

describe('logger: ids and addresses', () => {
  const meta = {
    user: 123456789,
    chat: -1001234567890,
    ip: '203.0.113.77',
    peer: '::1',
    other: 42,
  };

  it('are shown partially at info level', () => {
    const { log, out } = capture('info');
    log.warn('something happened', meta);
    const line = JSON.parse(out()) as Record<string, unknown>;
    expect(line).toMatchObject({
      user: '12…89',
      chat: '-10…90',
      ip: '203.0.*.*',
      peer: '::…',
      other: 42,
    });
    expect(out()).not.toMatch(/123456789|1001234567890|113\.77/);
  });

  it('are shown in full at debug level', () => {
    const { log, out } = capture('debug');
    log.info('something happened', meta);
    expect(JSON.parse(out())).toMatchObject(meta);
  });
});
