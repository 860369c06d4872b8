/**
 * Regression found by test/unit/fuzz/docker-views.test.ts: a container created with many long
 * --dns-search, --dns-option, --add-host and --link values (plain ASCII) rendered a Networks
 * screen of more than 7 000 characters, because fitSections never drops the first section; and
 * Telegram refuses such a message.
 */
import { networksView } from '../../../src/views/docker-containers';
import { visibleText } from '../../../src/views/html';
import { TELEGRAM_LIMITS } from '../../../src/views/view';
import { parseHtml } from '../../../src/demo/bot-api/html';
import { details, NOW } from './docker-fixtures';

describe('Docker screens at their longest', () => {
  it('a Networks screen whose header alone is too long is cut to fit, as plain text', () => {
    const long = (p: string): string[] =>
      Array.from({ length: 20 }, (_, i) => `${p}${i}-${'a'.repeat(80)}`);
    const base = details('web');
    const c = {
      ...base,
      config: { ...base.config, exposedPorts: long('port') },
      network: {
        ...base.network,
        dns: long('dns'),
        dnsSearch: long('search'),
        dnsOptions: long('opt'),
        extraHosts: long('host'),
        links: long('link'),
      },
    };
    const view = networksView({ host: 0, hostLabel: undefined, container: c, page: 0, now: NOW });
    const text = visibleText(view.html.value);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    expect(() => parseHtml(view.html.value)).not.toThrow();
    expect(text).toContain('Networks of web');
    expect(text).toMatch(/cut to fit Telegram\)$/);
  });
});
