import type { SystemPort } from '../adapters/system/system-port';
import type { Clock } from '../clock';
import type { StateStore } from '../state/json-store';
import type { Logger } from '../log/logger';
import { hostChecker } from './checkers/host';
import { processChecker } from './checkers/process';
import { stateDirChecker } from './checkers/state-dir';
import { telegramChecker, type TelegramPing } from './checkers/telegram';
import { updateLoopChecker, type UpdateLiveness } from './checkers/update-loop';
import { HeartbeatWriter } from './heartbeat';
import { HealthMonitor } from './monitor';
import type { HealthTimings } from './timings';

export interface HealthDeps {
  telegram: TelegramPing;
  /** The update source and how long it may stay silent (see `pollingThresholds`). */
  updates: {
    source: UpdateLiveness;
    what?: string | (() => string);
    degradedAfterMs: number;
    unhealthyAfterMs: number;
  };
  /** The state store: the heartbeat is written there, and its directory is checked. */
  store: StateStore;
  /** Host and process figures for the host and process checks. */
  system: SystemPort;
  clock: Clock;
  log: Logger;
  timings: HealthTimings;
}

/** The monitor with the core checkers, plus the heartbeat; features register more on `monitor`. */
export interface Health {
  readonly monitor: HealthMonitor;
  /** Starts checking; the heartbeat begins once every core check has a first result. */
  start(): void;
  /** Stops checking and removes the heartbeat. */
  stop(): Promise<void>;
}

export function createHealth(deps: HealthDeps): Health {
  const { timings: t, clock, log } = deps;
  const monitor = new HealthMonitor({ clock, log });
  monitor.register(
    telegramChecker({ api: deps.telegram, intervalMs: t.telegramMs, timeoutMs: t.checkTimeoutMs }),
  );
  monitor.register(updateLoopChecker({ ...deps.updates, clock, intervalMs: t.updatesMs }));
  monitor.register(stateDirChecker({ dir: deps.store.dir, intervalMs: t.stateDirMs }));
  monitor.register(hostChecker({ system: deps.system, intervalMs: t.hostMs }));
  monitor.register(processChecker({ system: deps.system, intervalMs: t.processMs }));
  const heartbeat = new HeartbeatWriter({
    store: deps.store,
    snapshot: () => monitor.snapshot(),
    clock,
    log,
    periodMs: t.heartbeatMs,
    staleAfterMs: t.staleAfterMs,
  });
  return {
    monitor,
    start() {
      monitor.start();
      void monitor.ready().then(() => heartbeat.start());
    },
    async stop() {
      monitor.stop();
      await heartbeat.stop();
    },
  };
}
