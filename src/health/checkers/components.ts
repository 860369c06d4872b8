import type { HealthChecker } from '../types';

/**
 * Names the optional parts that could not start (a plugin's loop, a sampler): the bot runs
 * without them, so the level is degraded, never worse. The error itself is in the log only
 * (it may name a URL or a path).
 */
export function componentsChecker(
  failed: () => readonly { readonly name: string }[],
  intervalMs: number,
): HealthChecker {
  return {
    name: 'components',
    label: 'Components',
    intervalMs,
    check() {
      const names = failed().map((f) => f.name);
      return Promise.resolve(
        names.length === 0
          ? { level: 'healthy', summary: 'all started' }
          : { level: 'degraded', summary: `did not start: ${names.join(', ')} (see the log)` },
      );
    },
  };
}
