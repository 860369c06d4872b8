/** Pure parsers for the cgroup files that bound this process (v2 and v1). */

/**
 * Where the memory limit of the cgroup in `cgroups` (a /proc/<pid>/cgroup) may be read,
 * relative to the root, most specific first: cgroup v2 `memory.max`, then v1 `memory.limit_in_bytes`.
 */
export function cgroupMemoryLimitFiles(cgroups: string): string[] {
  let v2: string | undefined;
  let v1: string | undefined;
  // Lines are `id:controllers:path`; v2 has id 0 and no controllers.
  for (const line of cgroups.split('\n')) {
    const [id, controllers = '', ...rest] = line.split(':');
    const path = rest.join(':');
    if (!path.startsWith('/')) continue;
    if (id === '0' && controllers === '') v2 = path;
    else if (controllers.split(',').includes('memory')) v1 = path;
  }
  return [
    ...(v2 !== undefined
      ? [`sys/fs/cgroup${v2 === '/' ? '' : v2}/memory.max`, 'sys/fs/cgroup/memory.max']
      : []),
    ...(v1 !== undefined
      ? [
          `sys/fs/cgroup/memory${v1 === '/' ? '' : v1}/memory.limit_in_bytes`,
          'sys/fs/cgroup/memory/memory.limit_in_bytes',
        ]
      : []),
  ];
}

/** v1 writes "no limit" as a page-rounded 2^63; anything this large is none. */
const NO_MEMORY_LIMIT = 2 ** 60;

/** A cgroup memory limit file → bytes; "max" (v2) or the v1 near-2^63 figure mean no limit. */
export function parseMemoryLimit(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isFinite(n) && n > 0 && n < NO_MEMORY_LIMIT ? n : undefined;
}
