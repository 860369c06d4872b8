import type { Clock } from './clock';
import type { Config } from './config/types';
import type { HealthTimings } from './health/timings';
import type { Logger } from './log/logger';
import type { Redactor } from './log/redactor';
import type { PluginRegistry } from './plugins/registry';
import type { StateStore } from './state/json-store';

/** How the CLI asked the daemon to run (from argv and the environment, by main.ts). */
export interface AppOptions {
  webhook: boolean;
  socketHost: string;
  plugins: readonly string[];
  /** How long /getmyid answers stay in the chat. */
  getMyIdDeleteMs: number;
  /** How long a 2FA QR code photo stays in the chat. */
  qrDeleteMs: number;
  /** Bound on finishing in-flight work at shutdown. */
  shutdownGraceMs: number;
  /** How long "As file" container logs stay in the chat. */
  dockerLogFileDeleteMs: number;
  /** docker.strict_access: how long the start-up ping is retried (TMBOT_DOCKER_STRICT_WAIT_SECONDS). */
  dockerStrictWaitMs: number;
  /** How often unattended image updates look during maintenance (TMBOT_AUTO_UPDATE_EVERY_SECONDS; 5 min). */
  autoUpdateEveryMs?: number;
  /** The process environment parts adapters read (SSH_AUTH_SOCK for ssh:// Docker hosts). */
  env: Readonly<Record<string, string | undefined>>;
  /** Long-poll timeout of getUpdates (Telegram allows up to 50 s). */
  pollTimeoutSeconds: number;
  /** Check intervals, heartbeat period and staleness (docs/health.md). */
  health: HealthTimings;
}

export interface AppDeps {
  config: Config;
  options: AppOptions;
  log: Logger;
  redactor: Redactor;
  clock: Clock;
  store: StateStore;
  /** Where `options.plugins` are looked up (default: the built-in plugins). */
  plugins?: PluginRegistry;
}

export interface App {
  /** Connects to Telegram and starts receiving; resolves once updates flow. */
  start(): Promise<void>;
  /** Stops receiving, finishes in-flight work (bounded), flushes state. */
  stop(reason: string): Promise<void>;
  /** Settles when the update source ends; rejects with FatalTelegramError on 401/409. */
  readonly finished: Promise<void>;
}
