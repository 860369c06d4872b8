import YAML from 'yaml';
import { mainMenuExtras } from '../../../src/app-parts';
import { parseConfig } from '../../../src/config/load';
import { FLEET_BUTTON } from '../../../src/views/keyboards';
import { backToMainView, unknownTextView, welcomeView } from '../../../src/views/menu';
import { visibleText } from '../../../src/views/html';
import type { View } from '../../../src/views/view';

const TOKEN = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr';

function config(extra: Record<string, unknown>) {
  return parseConfig({
    text: YAML.stringify({
      bot_token: { prod_token: TOKEN },
      access_control: { allowed_user_ids: [1] },
      ...extra,
    }),
    origin: 'pytmbot.yaml',
    env: {},
    mode: 'prod',
  }).config;
}

const labels = (v: View): string[] => (v.keyboard?.kind === 'reply' ? v.keyboard.rows.flat() : []);

describe('the main menu', () => {
  it('gets a Fleet button when remote hosts are configured, and only then', () => {
    const withHosts = mainMenuExtras(
      config({
        hosts: [{ name: 'web-1', node_exporter: { url: 'http://127.0.0.1:9100/metrics' } }],
      }),
    );
    expect(withHosts).toEqual([FLEET_BUTTON]);
    expect(mainMenuExtras(config({}))).toEqual([]);
    // The receiver or /metrics alone have no screen to open.
    expect(mainMenuExtras(config({ fleet: { metrics: { enabled: true } } }))).toEqual([]);

    for (const view of [
      welcomeView('Ann', withHosts),
      backToMainView('Ann', withHosts),
      unknownTextView(withHosts),
    ]) {
      expect(labels(view)).toContain('🌐 Fleet');
      expect(labels(view)).toHaveLength(7);
    }
    expect(visibleText(welcomeView('Ann', withHosts).html.value)).toContain(
      '🌐 Fleet — your other hosts',
    );
    expect(labels(welcomeView('Ann'))).not.toContain('🌐 Fleet');
    expect(visibleText(welcomeView('Ann').html.value)).not.toContain('Fleet');
  });
});
