import type { Logger } from '../log/logger';
import { monitorPlugin } from './monitor/plugin';
import { outlinePlugin } from './outline/plugin';
import type { Plugin } from './plugin';

/**
 * The plugins this build knows, by name. A new plugin is one line here, after
 * `definePlugin(...)` in its own folder (see `src/plugins/plugin.ts`).
 */
export class PluginRegistry {
  private readonly plugins = new Map<string, Plugin>();

  constructor(plugins: readonly Plugin[]) {
    for (const p of plugins) {
      if (this.plugins.has(p.name)) throw new Error(`plugin ${p.name} is registered twice`);
      this.plugins.set(p.name, p);
    }
  }

  /** Known names, in registration order. */
  get names(): string[] {
    return [...this.plugins.keys()];
  }

  get(name: string): Plugin | undefined {
    return this.plugins.get(name);
  }

  /** The plugins `--plugins` asks for, in the order asked; an unknown name is a warning listing the known ones. */
  resolve(requested: readonly string[], log: Logger): Plugin[] {
    const found: Plugin[] = [];
    for (const name of requested) {
      const p = this.plugins.get(name);
      if (p === undefined) {
        log.warn(
          `plugin '${name}' is not available in this build; ignored (known: ${this.names.join(', ')})`,
        );
      } else if (!found.includes(p)) {
        found.push(p);
      }
    }
    return found;
  }
}

/** Every plugin shipped with tmbot. */
export const builtInPlugins = (): PluginRegistry =>
  new PluginRegistry([monitorPlugin, outlinePlugin]);
