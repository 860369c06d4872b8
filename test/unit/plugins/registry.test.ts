import { recordingLogger } from '../../support/silent-logger';
import { definePlugin, type Plugin } from '../../../src/plugins/plugin';
import {
  builtInPlugins,
  PluginRegistry,
  type RegisteredPlugin,
} from '../../../src/plugins/registry';

const plugin = (name: string) =>
  definePlugin({
    name,
    label: name,
    description: name,
    settings: () => undefined,
    create: () => ({ off: 'test' }),
  });

/** Registers `p`, counting how often its code is loaded. */
function registered(p: Plugin, loads: string[] = []): RegisteredPlugin {
  return {
    name: p.name,
    load: () => {
      loads.push(p.name);
      return Promise.resolve(p);
    },
  };
}

describe('plugin registry', () => {
  it('ships monitor and outline, and their code loads under their names', async () => {
    const reg = builtInPlugins();
    expect(reg.names).toEqual(['monitor', 'outline']);
    const { log, errors } = recordingLogger();
    expect((await reg.load(['outline', 'monitor'], log)).map((p) => p.name)).toEqual([
      'outline',
      'monitor',
    ]);
    expect(errors).toEqual([]);
  });

  it('loads names in the order asked, once each, only those asked, and warns about unknown ones listing the known', async () => {
    const { log, warnings } = recordingLogger();
    const loads: string[] = [];
    const reg = new PluginRegistry(
      ['alpha', 'beta', 'delta'].map((n) => registered(plugin(n), loads)),
    );
    expect((await reg.load(['beta', 'gamma', 'alpha', 'beta'], log)).map((p) => p.name)).toEqual([
      'beta',
      'alpha',
    ]);
    expect(loads).toEqual(['beta', 'alpha']);
    expect(warnings).toEqual([
      "plugin 'gamma' is not available in this build; ignored (known: alpha, beta, delta)",
    ]);
  });

  it('leaves out a plugin whose code cannot load or is another plugin, and loads the rest', async () => {
    const { log, errors } = recordingLogger();
    const reg = new PluginRegistry([
      { name: 'broken', load: () => Promise.reject(new Error('Cannot find module')) },
      { name: 'alias', load: () => Promise.resolve(plugin('other')) },
      registered(plugin('fine')),
    ]);
    expect((await reg.load(['broken', 'alias', 'fine'], log)).map((p) => p.name)).toEqual(['fine']);
    expect(errors).toEqual([
      "plugin 'broken' could not load; the bot runs without it",
      "plugin 'alias' could not load; the bot runs without it",
    ]);
  });

  it('refuses names outside ^[a-z_]+$ and duplicates', () => {
    expect(() => plugin('Bad-1')).toThrow('invalid plugin name');
    expect(() => new PluginRegistry([registered(plugin('a')), registered(plugin('a'))])).toThrow(
      'registered twice',
    );
  });
});
