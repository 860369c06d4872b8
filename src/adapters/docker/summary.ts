import { describeForUser } from '../../errors';
import type { DockerPing, DockerPort, DockerSummary } from './port';

/** Quick view's Docker line: counts, or why there are none. Never throws. */
export type DockerQuickSummary =
  | ({ readonly ok: true; readonly host: string } & DockerSummary)
  | { readonly ok: false; readonly host: string; readonly reason: string };

/**
 * Running / total containers and images of one host (default: the first), counted
 * as the Docker screens count them. Two list calls, milliseconds on a healthy
 * engine, at most the adapter's quick deadline (1.8 s) on a broken one.
 */
export async function dockerQuickSummary(
  docker: DockerPort,
  host = 0,
): Promise<DockerQuickSummary> {
  const label = docker.hosts[host]?.label ?? `host ${host}`;
  try {
    return { ok: true, host: label, ...(await docker.summary(host)) };
  } catch (err) {
    return { ok: false, host: label, reason: describeForUser(err) };
  }
}

/** Every configured host's ping, concurrently, in config order (health screen). */
export function pingAllHosts(docker: DockerPort): Promise<DockerPing[]> {
  return Promise.all(docker.hosts.map((h) => docker.ping(h.index)));
}
