import type { Logger } from '../../../src/log/logger';
import { silentLogger } from '../../support/silent-logger';
import { definePlugin } from '../../../src/plugins/plugin';
import { builtInPlugins, PluginRegistry } from '../../../src/plugins/registry';

const plugin = (name: string) =>
  definePlugin({
    name,
    label: name,
    description: name,
    settings: () => undefined,
    create: () => ({ off: 'test' }),
  });

describe('plugin registry', () => {
  it('ships monitor and outline', () => {
    expect(builtInPlugins().names).toEqual(['monitor', 'outline']);
  });

  it('resolves names in the order asked, once each, and warns about unknown ones listing the known', () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    const reg = new PluginRegistry([plugin('alpha'), plugin('beta')]);
    expect(reg.resolve(['beta', 'gamma', 'alpha', 'beta'], log).map((p) => p.name)).toEqual([
      'beta',
      'alpha',
    ]);
    expect(warnings).toEqual([
      "plugin 'gamma' is not available in this build; ignored (known: alpha, beta)",
    ]);
  });

  it('refuses names outside ^[a-z_]+$ and duplicates', () => {
    expect(() => plugin('Bad-1')).toThrow('invalid plugin name');
    expect(() => new PluginRegistry([plugin('a'), plugin('a')])).toThrow('registered twice');
  });
});
