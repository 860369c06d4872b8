import type { DockerLogFollowPort } from '../adapters/docker/log-follow-port';
import type { DockerPort } from '../adapters/docker/port';
import type { AlertEngine } from '../alerts/engine';
import type { ExpectedChanges } from '../alerts/expected';
import { compileNamePattern } from '../alerts/patterns';
import type { Clock } from '../clock';
import type { LogWatchConfig } from '../config/logwatch';
import type { Logger } from '../log/logger';
import type { AuditLog } from '../security/second-factor';
import { LogWatch } from './watcher';

export interface LogWatchSetup {
  readonly config: LogWatchConfig;
  readonly docker: DockerPort & DockerLogFollowPort;
  readonly engine: Pick<AlertEngine, 'fire' | 'resolve'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sanitise: (text: string) => string;
  readonly audit?: AuditLog | undefined;
  readonly expected?: Pick<ExpectedChanges, 'expect' | 'settle'> | undefined;
}

/** The log-pattern watcher for `alerts.log_patterns`; undefined when none is configured. */
export function createLogWatch(s: LogWatchSetup): LogWatch | undefined {
  const c = s.config;
  if (c.patterns.length === 0) return undefined;
  return new LogWatch({
    docker: s.docker,
    engine: s.engine,
    clock: s.clock,
    log: s.log.child('log-patterns'),
    sanitise: s.sanitise,
    audit: s.audit ?? undefined,
    expected: s.expected,
    rules: c.patterns.map((p) => ({
      name: p.name,
      source: p.source,
      flags: p.flags,
      containers: p.containers.map(compileNamePattern),
      contextLines: p.contextLines,
      rateLimitMs: p.rateLimitMs,
      action: p.action,
      maxRestartsPerHour: p.maxRestartsPerHour,
    })),
    maxLineBytes: c.maxLineBytes,
    matchTimeoutMs: c.matchTimeoutMs,
    maxContainers: c.maxContainers,
  });
}
