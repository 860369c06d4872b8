import type { Logger } from '../log/logger';
import type { Plugin } from './plugin';

/**
 * A plugin this build knows: its name at once, its code only when `--plugins` asks for it,
 * so a bot without plugins never loads them (docs/performance.md, idle memory).
 */
export interface RegisteredPlugin {
  readonly name: string;
  load(): Promise<Plugin>;
}

/**
 * The plugins this build knows, by name. A new plugin is one line in {@link builtInPlugins},
 * after `definePlugin(...)` in its own folder (see `src/plugins/plugin.ts`).
 */
export class PluginRegistry {
  private readonly plugins = new Map<string, RegisteredPlugin>();

  constructor(plugins: readonly RegisteredPlugin[]) {
    for (const p of plugins) {
      if (this.plugins.has(p.name)) throw new Error(`plugin ${p.name} is registered twice`);
      this.plugins.set(p.name, p);
    }
  }

  /** Known names, in registration order. */
  get names(): string[] {
    return [...this.plugins.keys()];
  }

  /**
   * Loads the plugins `--plugins` asks for, in the order asked, once each. An unknown name is a
   * warning listing the known ones; a plugin whose code cannot load is logged and left out, so
   * the bot starts without it.
   */
  async load(requested: readonly string[], log: Logger): Promise<Plugin[]> {
    const loaded: Plugin[] = [];
    for (const name of new Set(requested)) {
      const entry = this.plugins.get(name);
      if (entry === undefined) {
        log.warn(
          `plugin '${name}' is not available in this build; ignored (known: ${this.names.join(', ')})`,
        );
        continue;
      }
      try {
        const plugin = await entry.load();
        if (plugin.name !== name) throw new Error(`its code is named '${plugin.name}'`);
        loaded.push(plugin);
      } catch (err) {
        log.error(`plugin '${name}' could not load; the bot runs without it`, { error: err });
      }
    }
    return loaded;
  }
}

/** Every plugin shipped with tmbot. */
export const builtInPlugins = (): PluginRegistry =>
  new PluginRegistry([
    { name: 'monitor', load: async () => (await import('./monitor/plugin')).monitorPlugin },
    { name: 'outline', load: async () => (await import('./outline/plugin')).outlinePlugin },
  ]);
