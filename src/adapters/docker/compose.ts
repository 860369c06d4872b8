import type { ContainerSummary } from './port';

/** Compose's own labels (docker compose v2 sets them on every container it creates). */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  dependsOn: 'com.docker.compose.depends_on',
} as const;

/** Labels longer than this are hostile or broken: they are cut before any parsing. */
const MAX_LABEL_CHARS = 4096;
/** Most dependencies read from one `depends_on` label. */
const MAX_DEPENDENCIES = 64;

/** One compose project on a host, with its containers sorted by service then name. */
export interface Stack {
  readonly project: string;
  readonly containers: readonly ContainerSummary[];
}

/** Containers grouped by compose project (sorted by name) and the ones outside any project. */
export interface StackGroups {
  readonly stacks: readonly Stack[];
  readonly standalone: readonly ContainerSummary[];
}

/** A label's value, bounded; undefined when absent or empty. */
export function labelOf(
  labels: Readonly<Record<string, string>> | undefined,
  key: string,
): string | undefined {
  const v = labels !== undefined && Object.hasOwn(labels, key) ? labels[key] : undefined;
  return v === undefined || v === '' ? undefined : v.slice(0, MAX_LABEL_CHARS);
}

/** The compose service of a container, or its name when it has no service label. */
export function serviceOf(c: ContainerSummary): string {
  return labelOf(c.labels, COMPOSE_LABELS.service) ?? c.name;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Groups containers into stacks by their compose project label. */
export function groupStacks(containers: readonly ContainerSummary[]): StackGroups {
  const byProject = new Map<string, ContainerSummary[]>();
  const standalone: ContainerSummary[] = [];
  for (const c of containers) {
    const project = labelOf(c.labels, COMPOSE_LABELS.project);
    if (project === undefined) {
      standalone.push(c);
      continue;
    }
    const list = byProject.get(project) ?? [];
    list.push(c);
    byProject.set(project, list);
  }
  const stacks = [...byProject.entries()]
    .sort(([a], [b]) => byName(a, b))
    .map(([project, list]) => ({
      project,
      containers: list.sort((a, b) => byName(serviceOf(a), serviceOf(b)) || byName(a.name, b.name)),
    }));
  return { stacks, standalone: standalone.sort((a, b) => byName(a.name, b.name)) };
}

/**
 * The services a `com.docker.compose.depends_on` label names:
 * "db:service_healthy:false,cache:service_started:true" → ["db", "cache"].
 */
export function parseDependsOn(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.slice(0, MAX_LABEL_CHARS).split(',')) {
    const name = (part.split(':')[0] ?? '').trim();
    if (name !== '' && !out.includes(name)) out.push(name);
    if (out.length >= MAX_DEPENDENCIES) break;
  }
  return out;
}

/**
 * Start order of a stack's containers: every container after the services it
 * depends on. Dependencies on services that are not in the stack are ignored;
 * a dependency cycle is broken at the alphabetically first waiting service, so
 * the order is always complete and the same for the same stack. Stop in reverse.
 */
export function startOrder(containers: readonly ContainerSummary[]): ContainerSummary[] {
  const services = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const s = serviceOf(c);
    services.set(s, [...(services.get(s) ?? []), c]);
  }
  const deps = new Map<string, string[]>();
  for (const [s, list] of services) {
    const named = list.flatMap((c) => parseDependsOn(labelOf(c.labels, COMPOSE_LABELS.dependsOn)));
    deps.set(
      s,
      [...new Set(named)].filter((d) => d !== s && services.has(d)),
    );
  }
  const waiting = [...services.keys()].sort(byName);
  const done = new Set<string>();
  const order: ContainerSummary[] = [];
  while (waiting.length > 0) {
    const ready = waiting.find((s) => (deps.get(s) ?? []).every((d) => done.has(d)));
    // No service is ready: a cycle; take the first waiting one to break it.
    const next = ready ?? waiting[0];
    if (next === undefined) break;
    waiting.splice(waiting.indexOf(next), 1);
    done.add(next);
    order.push(...(services.get(next) ?? []).sort((a, b) => byName(a.name, b.name)));
  }
  return order;
}
