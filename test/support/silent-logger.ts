import type { Logger } from '../../src/log/logger';

/** A logger that drops everything; for unit tests that do not look at logs. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
  child: () => silentLogger,
  isLevelEnabled: () => false,
};

/** A logger that keeps the messages of each level it is asked to record; drops the rest. */
export function recordingLogger(): {
  log: Logger;
  errors: string[];
  warnings: string[];
  infos: string[];
} {
  const errors: string[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const log: Logger = {
    ...silentLogger,
    error: (m) => void errors.push(m),
    warn: (m) => void warnings.push(m),
    info: (m) => void infos.push(m),
  };
  return { log, errors, warnings, infos };
}
