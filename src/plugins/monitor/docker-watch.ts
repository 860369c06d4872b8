import type { ContainerSummary, DockerPort, HealthStatus } from '../../adapters/docker/port';
import type { Logger } from '../../log/logger';
import type { StateStore } from '../../state/json-store';
import type { Notice } from './notices';
import { DEBOUNCE_CHECKS } from './rules';

/** Where the known containers and images live between runs. */
export const DOCKER_STATE_FILE = 'monitor-docker.json';

interface KnownContainer {
  name: string;
  state: string;
  health: string;
}

/** What survives a restart: the host it describes and the ids seen on it. */
interface DockerState {
  v: 1;
  host: string;
  containers: Record<string, KnownContainer>;
  images: string[];
}

function isDockerState(v: unknown): v is DockerState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<DockerState>;
  if (s.v !== 1 || typeof s.host !== 'string' || !Array.isArray(s.images)) return false;
  if (!s.images.every((i) => typeof i === 'string')) return false;
  if (typeof s.containers !== 'object' || s.containers === null) return false;
  return Object.values(s.containers).every(
    (c: unknown) =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as KnownContainer).name === 'string' &&
      typeof (c as KnownContainer).state === 'string' &&
      typeof (c as KnownContainer).health === 'string',
  );
}

/**
 * Watches the first Docker host between checks: new containers and images,
 * unexpected exits, unhealthy containers and restart loops. The ids it knows
 * are persisted, so a restart of tmbot announces only what changed meanwhile.
 */
export class DockerWatch {
  private known: DockerState | undefined;
  private readonly restarting = new Map<string, number>();
  private current: readonly ContainerSummary[] = [];

  constructor(
    private readonly docker: DockerPort,
    private readonly store: StateStore,
    private readonly log: Logger,
  ) {
    this.known = store.read(DOCKER_STATE_FILE, isDockerState);
  }

  /** Conditions that hold right now (unhealthy, restart loop), for the status screen. */
  active(): Notice[] {
    const out: Notice[] = [];
    for (const c of this.current) {
      if (c.health === 'unhealthy')
        out.push({ kind: 'container-unhealthy', name: c.name, lastOutput: '' });
      if ((this.restarting.get(c.id) ?? 0) >= DEBOUNCE_CHECKS)
        out.push({ kind: 'container-restarting', name: c.name, status: c.status });
    }
    return out;
  }

  /** One pass; rejects when the engine cannot be reached (nothing is changed then). */
  async check(): Promise<Notice[]> {
    const host = this.docker.hosts[0]?.label ?? '';
    const [containers, images] = await Promise.all([
      this.docker.listContainers(0),
      this.docker.listImages(0),
    ]);
    this.current = containers;
    const notices: Notice[] = [];
    const known = this.known?.host === host ? this.known : undefined;
    if (known !== undefined) {
      for (const c of containers) notices.push(...(await this.compare(c, known.containers[c.id])));
      const seenImages = new Set(known.images);
      for (const i of images) {
        if (!seenImages.has(i.id))
          notices.push(await this.newImage(i.id, i.tags, i.size, i.createdAt));
      }
    }
    for (const c of containers) {
      if (c.state === 'restarting') this.restarting.set(c.id, (this.restarting.get(c.id) ?? 0) + 1);
      else this.restarting.delete(c.id);
      if ((this.restarting.get(c.id) ?? 0) === DEBOUNCE_CHECKS)
        notices.push({ kind: 'container-restarting', name: c.name, status: c.status });
    }
    for (const id of [...this.restarting.keys()]) {
      if (!containers.some((c) => c.id === id)) this.restarting.delete(id);
    }
    const next: DockerState = {
      v: 1,
      host,
      containers: Object.fromEntries(
        containers.map((c) => [c.id, { name: c.name, state: c.state, health: c.health }]),
      ),
      images: images.map((i) => i.id).sort(),
    };
    if (JSON.stringify(next) !== JSON.stringify(this.known)) {
      this.known = next;
      await this.store
        .write(DOCKER_STATE_FILE, next)
        .catch((err: unknown) => this.log.warn('could not save known containers', { error: err }));
    }
    return notices;
  }

  private async compare(c: ContainerSummary, prev: KnownContainer | undefined): Promise<Notice[]> {
    if (prev === undefined) {
      const d = await this.docker.inspectContainer(0, c.id).catch(() => undefined);
      return [
        {
          kind: 'container-new',
          container: {
            name: c.name,
            image: c.image,
            status: c.status,
            createdAt: c.createdAt,
            ports: (d?.network.ports ?? []).map((p) =>
              p.host !== undefined ? `${p.host} → ${p.container}` : `${p.container} (exposed)`,
            ),
            networks: (d?.network.networks ?? []).map((n) => n.name),
          },
        },
      ];
    }
    const out: Notice[] = [];
    if (prev.state === 'running' && (c.state === 'exited' || c.state === 'dead')) {
      const d = await this.docker.inspectContainer(0, c.id).catch(() => undefined);
      const exitCode = d?.exitCode;
      const oomKilled = d?.oomKilled ?? false;
      // Exit code 0 is a clean finish (a one-shot job, a graceful stop); anything else is a failure.
      if (c.state === 'dead' || oomKilled || exitCode !== 0) {
        out.push({ kind: 'container-exited', name: c.name, image: c.image, exitCode, oomKilled });
      }
    }
    const health: HealthStatus = c.health;
    if (health === 'unhealthy' && prev.health !== 'unhealthy') {
      const d = await this.docker.inspectContainer(0, c.id).catch(() => undefined);
      out.push({
        kind: 'container-unhealthy',
        name: c.name,
        lastOutput: d?.lastHealthCheck?.output.trim() ?? '',
      });
    } else if (health === 'healthy' && prev.health === 'unhealthy') {
      out.push({ kind: 'container-healthy', name: c.name });
    }
    return out;
  }

  private async newImage(
    id: string,
    tags: readonly string[],
    size: number,
    createdAt: number,
  ): Promise<Notice> {
    const d = await this.docker.inspectImage(0, id).catch(() => undefined);
    return {
      kind: 'image-new',
      image: {
        id,
        tags,
        sizeBytes: size,
        createdAt,
        os: d?.os ?? '',
        architecture: d?.architecture ?? '',
      },
    };
  }
}
