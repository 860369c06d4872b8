import type { AlertEngine } from '../../alerts/engine';
import type { AlertTarget } from '../../alerts/types';
import { component, type Component } from '../../lifecycle';
import { createLogWatch } from '../../logwatch/setup';
import type { LogWatch } from '../../logwatch/watcher';
import { createReports } from '../../report/setup';
import type { MonitorPluginDeps } from './plugin';

/**
 * What rides on the alert engine besides its own sources: log-pattern alerts (fed by the
 * Docker event source, so only with monitor_docker) and scheduled reports to the alert chats.
 */
export function monitorExtras(
  deps: MonitorPluginDeps,
  engine: AlertEngine,
  targets: readonly AlertTarget[],
): { logWatch: LogWatch | undefined; components: Component[] } {
  if (!deps.monitor.monitorDocker && deps.alerts.logWatch.patterns.length > 0)
    deps.log.warn(
      'alerts.log_patterns are set but plugins_config.monitor.monitor_docker is false: no log is watched',
    );
  const logWatch = deps.monitor.monitorDocker
    ? createLogWatch({ ...deps, config: deps.alerts.logWatch, engine })
    : undefined;
  const reports =
    deps.report !== undefined
      ? createReports({ ...deps, config: deps.report, engine, targets })
      : undefined;
  const optional = (
    name: string,
    p: { start(): void; stop(): unknown } | undefined,
  ): Component[] =>
    p === undefined
      ? []
      : [
          component(name, {
            required: false,
            start: () => p.start(),
            stop: async () => {
              await p.stop();
            },
          }),
        ];
  // Started before the Docker event source, whose first re-list opens the followed logs.
  return {
    logWatch,
    components: [...optional('log-patterns', logWatch), ...optional('reports', reports)],
  };
}
