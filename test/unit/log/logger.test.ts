import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log/logger';
import { Redactor } from '../../../src/log/redactor';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines };
}

const TOKEN = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr';
const SALT = 'my-very-secret-salt-value-1234567890';

describe('logger redaction', () => {
  it.each(['json', 'human'] as const)(
    'removes configured secrets and token-shaped strings (%s)',
    (format) => {
      const { stream, lines } = capture();
      const redactor = new Redactor([SALT]);
      const log = createLogger({ level: 'trace', format, redactor, stream }).child('test');
      log.info(`calling https://api.telegram.org/bot${TOKEN}/getMe`);
      log.debug('salt is', { salt: SALT, nested: { again: `x${SALT}y` } });
      log.error('boom', { error: new Error(`failed with ${SALT}`) });
      redactor.add('runtime-webhook-secret-abc');
      log.warn('path /webhook/runtime-webhook-secret-abc/');
      const out = lines.join('');
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain(SALT);
      expect(out).not.toContain('runtime-webhook-secret-abc');
      expect(out).toContain('[REDACTED');
      expect(out).toContain('test');
    },
  );

  it('writes JSON lines in json format and hides stack traces above debug', () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', format: 'json', redactor: new Redactor(), stream });
    log.error('failed', { error: new Error('bad') });
    log.debug('invisible');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as {
      message: string;
      error: { message: string; stack?: string };
    };
    expect(parsed.message).toBe('failed');
    expect(parsed.error.message).toBe('bad');
    expect(parsed.error.stack).toBeUndefined();
  });
});

describe('logger output shape', () => {
  it('colours the level only with --colorize-logs, and only in human format', () => {
    const plain = capture();
    createLogger({
      level: 'info',
      format: 'human',
      redactor: new Redactor([]),
      stream: plain.stream,
    }).warn('w');
    const coloured = capture();
    createLogger({
      level: 'info',
      format: 'human',
      colorize: true,
      redactor: new Redactor([]),
      stream: coloured.stream,
    }).warn('w');
    expect(plain.lines.join('')).not.toContain('\x1b[');
    expect(coloured.lines.join('')).toContain('\x1b[33mwarn \x1b[0m w');
  });

  it('caps long strings, big lists and deep objects in fields (hostile container text cannot bloat a line)', () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', format: 'json', redactor: new Redactor([]), stream });
    log.info('capped', {
      text: 'x'.repeat(10_000),
      list: Array.from({ length: 100 }, (_, i) => i),
      deep: { a: { b: { c: 'hidden' } } },
    });
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line.text).toBe(`${'x'.repeat(512)}… (9488 more chars)`);
    expect(line.list).toEqual([...Array.from({ length: 12 }, (_, i) => i), '… 88 more']);
    expect(line.deep).toEqual({ a: { b: '[object]' } });
    expect(lines.join('').length).toBeLessThan(2000);
  });
});

describe('logger records', () => {
  it('sorts JSON keys, keeps fields beside printf-like text, and never lets a field replace the record', () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', format: 'json', redactor: new Redactor(), stream });
    log
      .child('a')
      .child('b')
      .info('50%d done', { z: 1, a: { y: 2, b: 3 }, level: 'x' });
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.endsWith('\n')).toBe(true);
    expect(line).toMatch(
      /^\{"a":\{"b":3,"y":2\},"level":"info","message":"50%d done","ns":"a:b","timestamp":"[^"]+","z":1\}\n$/,
    );
  });

  it('renders human lines as time, level, [namespace], message and fields, hostile values included', () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', format: 'human', redactor: new Redactor(), stream });
    log.child('docker').info('big', { n: 10n as unknown as number });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} info  \[docker\] big \{"n":"10"\}\n$/);
  });
});
