import type { DockerEventsPort } from '../adapters/docker/events-port';
import type { DockerLogFollowPort } from '../adapters/docker/log-follow-port';
import type { DockerPort } from '../adapters/docker/port';
import type { SystemPort } from '../adapters/system/system-port';
import type { AlertEngine } from '../alerts/engine';
import type { ExpectedChanges } from '../alerts/expected';
import type { Clock } from '../clock';
import type { Config } from '../config/types';
import type { Feature } from '../features/feature';
import type { Component } from '../lifecycle';
import type { UpdateCheckPort } from '../adapters/docker/update-checker';
import type { HistoryService } from '../history/service';
import type { Logger } from '../log/logger';
import type { AuditLog } from '../security/second-factor';
import type { StateStore } from '../state/json-store';
import type { Sender } from '../telegram/sender';

/** What a plugin may use: the shared ports, never the app or the bot. */
export interface PluginPorts {
  readonly system: SystemPort;
  /** With every engine's event stream (alerts) and log follow (log-pattern alerts). */
  readonly docker: DockerPort & DockerEventsPort & DockerLogFollowPort;
  readonly clock: Clock;
  readonly store: StateStore;
  /** Sends and edits its own messages (reports, notices) through the safe sender; alerts go through `alerts`. */
  readonly sender: Pick<Sender, 'send' | 'edit' | 'sendPhoto'>;
  /** The log redactor (bot token, configured secrets), for text quoted from containers. */
  readonly redact: (text: string) => string;
  /** The audit log, for what a plugin does by itself (a restart by a log pattern). */
  readonly audit?: AuditLog;
  /** Metric history (charts, disk forecasts) when it is on. */
  readonly history?: Pick<HistoryService, 'chart' | 'forecast'> | undefined;
  /** The image update checker the Docker screens use (shared registry cache). */
  readonly updates?: UpdateCheckPort;
  /** Where notices go (`chat_id.global_chat_id`). */
  readonly notifyChatIds: readonly number[];
  /**
   * The core's alert engine (lifecycle, persisted state, delivery; src/app-alerts.ts), built at
   * the first call: a plugin that raises alerts asks for it in `create`.
   */
  readonly alerts: () => AlertEngine;
  /** Intended container changes announced by operator actions (image updates), not alerted. */
  readonly expected?: ExpectedChanges;
}

/** What a plugin's factory receives: the ports, its own settings and its own log namespace. */
export interface PluginContext<Settings> extends PluginPorts {
  readonly settings: Settings;
  /** Namespaced with the plugin's name. */
  readonly log: Logger;
}

/**
 * What a plugin's factory returns: its routes (a {@link Feature}) and the parts with a
 * lifecycle, started after the core (in order) and stopped before it; or `off` with a
 * one-line, secret-free reason its settings keep it off (logged as a warning).
 */
export type PluginBuild =
  | { readonly feature: Feature; readonly components?: readonly Component[] }
  | { readonly off: string };

/**
 * The plugin contract. A plugin lives in `src/plugins/<name>/` with its views beside it
 * (`views.ts`) and is listed in `src/plugins/registry.ts`; `--plugins <name>` turns it on.
 * Its components are optional: one that cannot start is shown on the Health screen and the
 * bot runs on without it.
 */
export interface PluginDefinition<Settings> {
  /** `--plugins` name, `^[a-z_]+$`. */
  readonly name: string;
  /** One line for the Plugins screen. */
  readonly description: string;
  /** Its button on the Plugins screen (and the reply-keyboard label that opens it). */
  readonly label: string;
  /** Picks its config section (`plugins_config.<name>` in the YAML). */
  settings(config: Config): Settings;
  /** Builds the plugin; no I/O here: background work starts in a component. */
  create(ctx: PluginContext<Settings>): PluginBuild;
}

/** A registered plugin, its settings type hidden: what the registry and the app hold. */
export interface Plugin {
  readonly name: string;
  readonly description: string;
  readonly label: string;
  build(config: Config, ports: PluginPorts, log: Logger): PluginBuild;
}

const PLUGIN_NAME = /^[a-z_]+$/;

/** Checks a plugin definition and wraps it for the registry. */
export function definePlugin<Settings>(def: PluginDefinition<Settings>): Plugin {
  if (!PLUGIN_NAME.test(def.name)) throw new Error(`invalid plugin name: ${def.name}`);
  return {
    name: def.name,
    description: def.description,
    label: def.label,
    build: (config, ports, log) =>
      def.create({ ...ports, settings: def.settings(config), log: log.child(def.name) }),
  };
}
