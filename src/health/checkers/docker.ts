import { performance } from 'node:perf_hooks';
import type { CheckOutcome, HealthChecker } from '../types';

/** One Docker host as the health check sees it (the DockerPort's hosts satisfy this). */
export interface DockerPingTarget {
  /** Short host name shown to people ("local", "nas"). */
  readonly name: string;
  ping(): Promise<void>;
}

export interface DockerCheckerOptions {
  intervalMs: number;
  timeoutMs: number;
  /** docker.strict_access: Docker is required, so unreachable is unhealthy instead of degraded. */
  required: boolean;
  /** Pings slower than this are degraded. */
  slowMs?: number;
}

const HINTS: Record<string, string> = {
  EACCES:
    'permission denied on the socket: give tmbot the socket group (--group-add / SupplementaryGroups)',
  ENOENT: 'no socket there: mount /var/run/docker.sock or fix docker.host',
  ECONNREFUSED: 'connection refused: is the Docker daemon running?',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host name not found',
};

/** A failed ping as a level and a line built from the error's code only (messages may hold URLs). */
export function classifyDockerError(err: unknown, required: boolean): CheckOutcome {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const level = required ? 'unhealthy' : 'degraded';
  if (code !== undefined && HINTS[code] !== undefined)
    return { level, summary: `unreachable: ${HINTS[code]}` };
  if (status === 403)
    return { level, summary: 'the socket proxy refused /_ping (403): allow PING' };
  if (status !== undefined) return { level, summary: `the engine answered ${status}` };
  return {
    level,
    summary:
      code !== undefined && /^[A-Z0-9_]{2,40}$/.test(code)
        ? `unreachable (${code})`
        : 'unreachable',
  };
}

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 40);
  return s === '' ? 'host' : s;
}

/** One checker per Docker host (`docker.<name>`): a /_ping round trip. */
export function dockerCheckers(
  hosts: readonly DockerPingTarget[],
  options: DockerCheckerOptions,
): HealthChecker[] {
  const slowMs = options.slowMs ?? 2000;
  return hosts.map((host) => ({
    name: `docker.${slug(host.name)}`,
    label: hosts.length === 1 ? 'Docker' : `Docker ${host.name}`,
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    async check(): Promise<CheckOutcome> {
      const started = performance.now();
      try {
        await host.ping();
      } catch (err) {
        return classifyDockerError(err, options.required);
      }
      const latencyMs = Math.round(performance.now() - started);
      return latencyMs > slowMs
        ? { level: 'degraded', summary: `ping is slow (over ${slowMs} ms)`, latencyMs }
        : { level: 'healthy', summary: 'engine answers', latencyMs };
    },
  }));
}
