/** How loud an alert is: critical always notifies, warning is silent in quiet hours, info is always silent. */
export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** Every kind of alert a source can raise; config keys use the same names with underscores. */
export const ALERT_KINDS = [
  'container_died',
  'container_oom',
  'container_unhealthy',
  'restart_loop',
  'container_created',
  'container_removed',
  'image_new',
  'cpu',
  'memory',
  'disk',
  'temperature',
  'swap',
  'load',
  'fan',
  'log_pattern',
  'host_unreachable',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Facts about a container that stopped, for the died / OOM alert. */
export interface ExitFacts {
  readonly image: string;
  readonly exitCode: number | undefined;
  /** SIGKILL for 137 (128 + 9) and so on; undefined below 129 or for an unknown number. */
  readonly signal: string | undefined;
  /** How long it ran before stopping, when the engine knows. */
  readonly ranMs: number | undefined;
  readonly restartCount: number;
  /** The last log lines, already sanitised (control characters gone, secrets masked). */
  readonly logLines: readonly string[];
}

/** What a source reports; the views turn it into words. */
export type AlertFacts =
  | ({ readonly kind: 'container_died' | 'container_oom' } & ExitFacts)
  | { readonly kind: 'container_unhealthy'; readonly lastOutput: string }
  | {
      readonly kind: 'restart_loop';
      readonly restarts: number;
      readonly minutes: number;
      readonly last: ExitFacts | undefined;
    }
  | { readonly kind: 'container_created'; readonly image: string }
  | { readonly kind: 'container_removed' }
  | { readonly kind: 'image_new'; readonly tags: readonly string[] }
  | LogPatternFacts
  | {
      /** A remote fleet host whose metrics could not be read `failures` times in a row. */
      readonly kind: 'host_unreachable';
      readonly failures: number;
      /** Why (user-safe: never a URL or a credential). */
      readonly reason: string;
    }
  | {
      readonly kind: 'cpu' | 'memory' | 'disk' | 'temperature' | 'swap' | 'load' | 'fan';
      readonly label: string;
      readonly value: number;
      readonly threshold: number;
      readonly unit: string;
      /** Busiest processes, for CPU and memory alerts when the system answered. */
      readonly top?: readonly ProcessLine[];
    };

/** A watched container printed a line matching a configured log pattern. */
export interface LogPatternFacts {
  readonly kind: 'log_pattern';
  readonly container: string;
  /** The pattern's name from config. */
  readonly pattern: string;
  /** Context lines and the matching line last, redacted. */
  readonly lines: readonly string[];
  /** Matching lines seen since the alert fired (this one included). */
  readonly count: number;
  /** The restart action's outcome, when the pattern has one. */
  readonly action?: 'restarted' | 'restart-failed' | 'budget-spent';
  /** The pattern was cut off by the time bound on this line (and paused for the container). */
  readonly cutOff?: boolean;
}

/** One row of the busiest processes quoted in a CPU or memory alert. */
export interface ProcessLine {
  readonly name: string;
  readonly pid: number;
  readonly cpuPercent: number;
  readonly memPercent: number;
}

/** An alert as a source raises it. */
export interface AlertInput {
  /** The watched thing: a container name, "Disk /", "cpu". */
  readonly target: string;
  /** The Docker host label or "local" for host conditions. */
  readonly host: string;
  readonly facts: AlertFacts;
  /** One-shot news (created, removed, new image): sent once, nothing to resolve. */
  readonly oneShot?: boolean;
}

export type AlertState = 'firing' | 'acked' | 'snoozed' | 'muted' | 'resolved';

/** One alert's whole life, persisted in the state dir. */
export interface AlertRecord {
  /** Short random id used in button arguments. */
  readonly id: string;
  /** kind + host + target: the alert's identity; one active alert per key. */
  readonly key: string;
  readonly host: string;
  readonly target: string;
  readonly severity: Severity;
  facts: AlertFacts;
  state: AlertState;
  readonly firedAt: number;
  resolvedAt?: number;
  snoozedUntil?: number;
  /** Who acknowledged, snoozed or muted it. */
  by?: number;
  /** The state it was in when it resolved (a short resolution is sent unless it was acked or muted). */
  resolvedFrom?: AlertState;
  /** Resolved because its target went away: the message is edited, no separate note is sent. */
  quietResolve?: boolean;
  /** At least one message about it reached a chat. */
  sent: boolean;
  readonly oneShot: boolean;
  /** Recorded while maintenance was on (reported in its summary instead). */
  duringMaintenance?: boolean;
}

/** A mute rule: this kind for this target on this host, until removed. */
export interface MuteRule {
  readonly id: string;
  readonly kind: AlertKind;
  readonly host: string;
  readonly target: string;
  readonly createdAt: number;
  readonly by: number;
}

/** Where alerts go: a chat, and optionally a forum topic in it. */
export interface AlertTarget {
  readonly chatId: number;
  readonly threadId?: number;
}

/** A message the engine sent, so it can be edited when its alerts change. */
export interface SentAlertMessage {
  readonly chatId: number;
  readonly messageId: number;
  readonly alertIds: readonly string[];
  readonly sentAt: number;
}

/** The identity of an alert: the same kind, host and target are one alert. */
export function alertKey(kind: AlertKind, host: string, target: string): string {
  return JSON.stringify([kind, host, target]);
}

/** How alerts about the machine tmbot runs on name their host. */
export const LOCAL_HOST = 'this host';

/** Signal names for exit codes 128 + n (Linux numbering). */
const SIGNALS: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

/** The signal that ended a process with this exit code (137 → SIGKILL), if any. */
export function signalName(exitCode: number | undefined): string | undefined {
  if (exitCode === undefined || exitCode <= 128 || exitCode > 128 + 64) return undefined;
  return SIGNALS[exitCode - 128] ?? `signal ${exitCode - 128}`;
}
