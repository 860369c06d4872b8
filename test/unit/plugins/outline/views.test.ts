import { visibleText } from '../../../../src/views/html';
import {
  OUTLINE_MENU,
  outlineErrorView,
  outlineInfoView,
  outlineKeysView,
  outlineMenuView,
  outlineTrafficView,
} from '../../../../src/plugins/outline/views';
import { checkView } from '../../../support/telegram-rules';

const HOSTILE = [
  '<b>bold</b>',
  '&amp; <a href="x">',
  '😀'.repeat(300),
  '\u202Eevil',
  'a\nb\nc',
  '\ud800lone',
];

describe('Outline views', () => {
  it('menu offers the three screens and Back', () => {
    const v = outlineMenuView();
    checkView(v);
    expect(v.keyboard).toEqual({
      kind: 'reply',
      rows: [
        [OUTLINE_MENU.info, OUTLINE_MENU.keys, OUTLINE_MENU.traffic],
        ['⬅️ Back to main menu'],
      ],
    });
  });

  it('info shows hostile names literally and clipped', () => {
    for (const name of HOSTILE) {
      const v = outlineInfoView({
        name,
        version: name,
        metricsEnabled: false,
        createdTimestampMs: 0,
      });
      const text = visibleText(checkView(v).text);
      expect(text).toContain('Up and running');
      expect(text).toContain('Metrics sharing: disabled');
      expect(text).toContain('Created: 1970-01-01 00:00 UTC');
    }
    const v = outlineInfoView({ name: '<b>x</b>' });
    expect(checkView(v).text).toContain('<b>x</b>');
    expect(checkView(v).text).toContain('Port for new keys: unknown');
  });

  it('key list: names only, hostile names escaped, long lists end with "… and N more"', () => {
    const few = outlineKeysView([
      { id: '1', name: '<i>Bob</i>' },
      { id: '2', name: '' },
    ]);
    const text = checkView(few).text;
    expect(text).toContain('• <i>Bob</i>');
    expect(text).toContain('• key 2');
    expect(text).toContain('Access keys (2)');
    for (const name of HOSTILE) {
      const many = outlineKeysView(
        Array.from({ length: 500 }, (_, i) => ({ id: String(i), name })),
      );
      const shown = checkView(many).text;
      expect(shown).toMatch(/… and \d+ more/);
    }
    expect(checkView(outlineKeysView([])).text).toContain('No access keys.');
  });

  it('traffic: busiest first, unknown ids named by id, bounded', () => {
    const v = outlineTrafficView(
      [{ id: '0', name: 'Alice' }],
      new Map([
        ['0', 2048],
        ['9', 1_572_864],
      ]),
    );
    const text = checkView(v).text;
    expect(text).toContain('total 1.50 MiB');
    expect(text.indexOf('key 9: 1.50 MiB')).toBeLessThan(text.indexOf('Alice: 2.00 KiB'));
    const keys = Array.from({ length: 2000 }, (_, i) => ({
      id: String(i),
      name: HOSTILE[i % HOSTILE.length]!,
    }));
    const big = outlineTrafficView(keys, new Map(keys.map((k, i) => [k.id, i * 1000])));
    expect(checkView(big).text).toMatch(/… and \d+ more/);
    expect(checkView(outlineTrafficView([], new Map())).text).toContain('No traffic recorded');
  });

  it('error names the reason only', () => {
    expect(checkView(outlineErrorView('connection refused')).text).toBe(
      '⚠️ Outline server not reachable: connection refused',
    );
  });
});

describe('Outline views and line breaks', () => {
  it('a key name with line breaks cannot forge list entries', () => {
    const text = checkView(outlineKeysView([{ id: '1', name: 'a\n• forged\r\nb' }])).text;
    expect(text.split('\n').filter((l) => l.startsWith('•'))).toEqual(['• a • forged b']);
  });
});
