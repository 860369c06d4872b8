import type { HostState, RemoteFilesystem, RemoteSnapshot } from './port';

/** The monitor thresholds a remote host is judged by (percent). */
export interface HostThresholds {
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
}

/** The key figures of a host, in percent; undefined when not exported. */
export interface KeyFigures {
  readonly cpu?: number;
  readonly memory?: number;
  /** The fullest file system. */
  readonly disk?: number;
}

/** How full a file system is, in percent; undefined when it reports no size. */
export function usedPercent(f: RemoteFilesystem): number | undefined {
  return f.sizeBytes > 0 ? ((f.sizeBytes - f.availBytes) / f.sizeBytes) * 100 : undefined;
}

export function keyFigures(s: RemoteSnapshot): KeyFigures {
  const mem =
    s.memory !== undefined && s.memory.totalBytes > 0
      ? ((s.memory.totalBytes - s.memory.availableBytes) / s.memory.totalBytes) * 100
      : undefined;
  const disks = s.filesystems.flatMap((f) => usedPercent(f) ?? []);
  return {
    ...(s.cpu?.busyPercent !== undefined ? { cpu: s.cpu.busyPercent } : {}),
    ...(mem !== undefined ? { memory: mem } : {}),
    ...(disks.length > 0 ? { disk: Math.max(...disks) } : {}),
  };
}

/** Which thresholds a snapshot crosses (critical), or comes within `marginPercent` of (warning). */
export function judge(
  s: RemoteSnapshot,
  t: HostThresholds,
  marginPercent: number,
): { state: Exclude<HostState, 'down'>; over: (keyof KeyFigures)[] } {
  const f = keyFigures(s);
  const over: (keyof KeyFigures)[] = [];
  let near = false;
  for (const key of ['cpu', 'memory', 'disk'] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (v >= t[key]) over.push(key);
    else if (v >= t[key] - marginPercent) near = true;
  }
  return { state: over.length > 0 ? 'critical' : near ? 'warning' : 'ok', over };
}

const RANK: Record<HostState, number> = { down: 0, critical: 1, warning: 2, ok: 3 };

/** Worst first, then by name. */
export function byWorst<T extends { state: HostState; name: string }>(a: T, b: T): number {
  return RANK[a.state] - RANK[b.state] || a.name.localeCompare(b.name);
}
