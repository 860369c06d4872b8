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
