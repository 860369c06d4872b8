import { Redactor } from '../../../src/log/redactor';
import {
  logFileName,
  logsView,
  LOG_PAGE_CHARS,
  paginateNewestFirst,
  sanitiseLog,
} from '../../../src/views/docker-logs';
import { visibleText } from '../../../src/views/html';
import { TELEGRAM_LIMITS, type ActionButton } from '../../../src/views/view';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const redactor = new Redactor([TOKEN, 'configured-secret-value']);
const redact = (s: string): string => redactor.redact(s);

describe('sanitiseLog', () => {
  it('strips ANSI colour, cursor, OSC and 8-bit sequences, and other control characters', () => {
    const raw =
      '\x1b[1;31mERROR\x1b[0m \x1b]0;title\x07ok \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x9b2Jz\x00\x07\x08 done\r\nnext\rline';
    expect(sanitiseLog(raw, redact)).toBe('ERROR ok link z done\nnext\nline');
  });

  it('masks the bot token, configured secrets, secret-looking pairs, URL passwords and auth headers', () => {
    const raw = [
      `token leaked ${TOKEN}`,
      'using configured-secret-value here',
      'DB_PASSWORD=hunter2 MODE=prod',
      '{"api_key": "abc123", "user": "ann"}',
      "password: 'p w'",
      'connect postgres://app:s3cr3t@db:5432/x',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
    ].join('\n');
    const out = sanitiseLog(raw, redact);
    expect(out).not.toMatch(/AAHdqTcv|configured-secret-value|hunter2|abc123|p w|s3cr3t|eyJhbGci/);
    expect(out).toContain('MODE=prod');
    expect(out).toContain('"api_key": "[REDACTED]", "user": "ann"');
    expect(out).toContain("password: '[REDACTED]'");
    expect(out).toContain('postgres://app:[REDACTED]@db:5432/x');
  });

  it('replaces lone surrogates and drops bidi overrides that would disguise a line', () => {
    expect(sanitiseLog('a\ud800b \u202eevil\u202c', redact)).toBe('a\ufffdb evil');
  });
});

describe('paginateNewestFirst', () => {
  it('puts the newest lines on page 1, keeps order within a page and never exceeds the page size', () => {
    const text =
      Array.from({ length: 5000 }, (_, i) => `line ${i} lorem ipsum dolor sit amet`).join('\n') +
      '\n';
    const pages = paginateNewestFirst(text);
    expect(pages[0]?.endsWith('line 4999 lorem ipsum dolor sit amet')).toBe(true);
    expect(pages[pages.length - 1]?.startsWith('line 0 ')).toBe(true);
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(LOG_PAGE_CHARS);
    expect(pages.flatMap((p) => p.split('\n'))).toHaveLength(5000);
    const lines = pages[1]?.split('\n') ?? [];
    expect(
      Number(/line (\d+)/.exec(lines[1] ?? '')?.[1]) -
        Number(/line (\d+)/.exec(lines[0] ?? '')?.[1]),
    ).toBe(1);
  });

  it('cuts a 10 000-character line on its page and says by how much', () => {
    const pages = paginateNewestFirst(`short\n${'x'.repeat(10_000)}\n`);
    expect(pages).toEqual([`short\n${'x'.repeat(1000)}… [+9000 chars]`]);
    expect(paginateNewestFirst('')).toEqual([]);
  });
});

describe('logsView', () => {
  const base = {
    host: 0,
    hostLabel: undefined,
    containerId: 'c'.repeat(64),
    name: '<b>web</b>',
    listPage: 2,
    mode: 'tail100' as const,
    session: 'abc123',
    lines: 100,
    clipped: false,
  };

  it('shows a page in <pre>, escaped, within the message limit, with paging for both directions', () => {
    const pages = paginateNewestFirst(
      Array.from({ length: 300 }, (_, i) => `<script>${i}</script> & "q"`).join('\n'),
    );
    const v = logsView({ ...base, pages, page: 1 });
    expect(v.html.value).toContain('<pre>&lt;script&gt;');
    const t = visibleText(v.html.value);
    expect(t.length).toBeLessThan(TELEGRAM_LIMITS.messageText);
    expect(t).toContain(`Page 2/${pages.length} · newest first · 100 line(s)`);
    expect(t).toContain('docker logs <b>web</b>');
    const buttons = (v.keyboard?.kind === 'inline' ? v.keyboard.rows.flat() : []) as ActionButton[];
    expect(buttons.map((b) => b.text)).toEqual([
      '⬅️ Newer',
      'Older ➡️',
      '🔄 Refresh',
      '📎 As file',
      '• 100 lines',
      '500 lines',
      'Last hour',
      '⬅️ Back to <b>web</b>',
    ]);
    expect(buttons[0]?.args).toEqual(['0', base.containerId, '2', 'tail100', 'abc123', '0']);
    expect(buttons[2]?.args).toEqual(['0', base.containerId, '2', 'tail100', '', '0']);
    expect(buttons[5]?.args).toEqual(['0', base.containerId, '2', 'tail500', '', '0']);
  });

  it('says when there is no output and when the oldest part was dropped', () => {
    const t = visibleText(
      logsView({ ...base, pages: [], page: 0, lines: 0, clipped: true }).html.value,
    );
    expect(t).toContain('No log output.');
    expect(t).toContain('oldest part dropped');
  });
});

describe('logFileName', () => {
  it('keeps only safe characters', () => {
    expect(logFileName('web-1')).toBe('web-1-logs.txt');
    expect(logFileName('../../etc/passwd')).toBe('etc_passwd-logs.txt');
    expect(logFileName('контейнер')).toBe('container-logs.txt');
  });
});
