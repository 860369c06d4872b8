import type { DockerPort, DockerSummary } from './port';

/**
 * Quick view's Docker line: counts, or the failure that stopped them (worded by
 * `dockerReasonText` in views/errors). Never throws.
 */
export type DockerQuickSummary =
  | ({ readonly ok: true; readonly host: string } & DockerSummary)
  | { readonly ok: false; readonly host: string; readonly error: unknown };

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
    return { ok: false, host: label, error: err };
  }
}

/** A host as the health checks see it: a short name and a ping that throws on failure. */
export interface DockerHealthTarget {
  readonly name: string;
  ping(): Promise<void>;
}

/** "local" for a unix socket, the host name otherwise. */
function shortName(label: string): string {
  if (label.startsWith('unix://')) return 'local';
  try {
    return new URL(label).hostname.replace(/^\[(.*)\]$/, '$1') || label;
  } catch {
    return label;
  }
}

/**
 * One health target per host, named so people recognise it ("local", "nas"; made
 * unique with -2, -3 when needed). A failed ping throws an error carrying the
 * system code or HTTP status only, which is what the health check classifies.
 */
export function dockerHealthTargets(docker: DockerPort): DockerHealthTarget[] {
  const seen = new Map<string, number>();
  return docker.hosts.map((h) => {
    const base = shortName(h.label);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return {
      name: n === 1 ? base : `${base}-${n}`,
      async ping() {
        const p = await docker.ping(h.index);
        if (!p.ok) {
          throw Object.assign(new Error('Docker ping failed'), {
            ...(p.code !== undefined ? { code: p.code } : {}),
            ...(p.statusCode !== undefined ? { statusCode: p.statusCode } : {}),
          });
        }
      },
    };
  });
}
