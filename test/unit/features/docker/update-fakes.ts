import type { ContainerAction, ContainerDetails } from '../../../../src/adapters/docker/port';
import type {
  ContainerUpdatePort,
  PullProgress,
} from '../../../../src/adapters/docker/update-port';
import { DockerError, DockerUnavailableError } from '../../../../src/errors';

/** In-memory engine shared by the update runner's and the unattended updater's tests. */
export const HOST = 'unix:///run/a.sock';
export const REF = 'registry.example/app:1';
export const OLD_IMAGE = `sha256:${'1'.repeat(64)}`;
export const NEW_IMAGE = `sha256:${'2'.repeat(64)}`;

/** How a container of an image behaves once started. */
export type Behaviour = 'runs' | 'exits' | 'restarted' | 'unhealthy' | 'never-healthy';

/** An engine in memory: containers by id, a registry tag, and a log of every call. */
export class FakeEngine implements ContainerUpdatePort {
  readonly hosts = [{ index: 0, label: HOST }];
  readonly calls: string[] = [];
  readonly containers = new Map<string, ContainerDetails>();
  behaviour = new Map<string, Behaviour>([[NEW_IMAGE, 'runs']]);
  healthCheck = false;
  pullFails = false;
  remoteImage = NEW_IMAGE;
  private seq = 0;

  add(c: ContainerDetails): void {
    this.containers.set(c.id, c);
  }
  byName(name: string): ContainerDetails | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  /** Inspects of a started new container that miss their deadline (a busy engine). */
  slowInspects = 0;
  inspectContainer(_h: number, id: string): Promise<ContainerDetails | undefined> {
    const c = this.containers.get(id);
    if (c?.id.startsWith('new') === true && c.state === 'running' && this.slowInspects > 0) {
      this.slowInspects--;
      return Promise.reject(new DockerUnavailableError(HOST, 'no answer within 1.8 s'));
    }
    return Promise.resolve(c);
  }
  listContainers() {
    return Promise.resolve(
      [...this.containers.values()].map((c) => ({
        ...c,
        status: '',
        labels: Object.fromEntries(c.config.labels.map((l) => [l.key, l.value])),
      })),
    );
  }
  /** Every image a container runs, listed under the tag the containers follow. */
  listImages() {
    const ids = new Set([...this.containers.values()].map((c) => c.imageId));
    return Promise.resolve(
      [...ids].map((id) => ({ id, tags: [REF], digests: [], size: 1, createdAt: 0 })),
    );
  }
  act(_h: number, id: string, action: ContainerAction): Promise<void> {
    this.calls.push(`${action} ${this.containers.get(id)?.name ?? id}`);
    const c = this.containers.get(id);
    if (c === undefined) return Promise.reject(new DockerError('container_gone'));
    if (action === 'stop') this.containers.set(id, { ...c, state: 'exited' });
    if (action === 'start') {
      const b = this.behaviour.get(c.imageId) ?? 'runs';
      const health =
        b === 'unhealthy'
          ? 'unhealthy'
          : this.healthCheck || b === 'never-healthy'
            ? 'starting'
            : 'none';
      this.containers.set(id, {
        ...c,
        state: b === 'exits' ? 'exited' : 'running',
        restartCount: b === 'restarted' ? 1 : 0,
        exitCode: b === 'exits' ? 3 : 0,
        health: c.id.startsWith('new') && this.healthCheck && b === 'runs' ? 'healthy' : health,
      });
    }
    return Promise.resolve();
  }
  pullImage(_h: number, ref: string, onProgress: (p: PullProgress) => void): Promise<string> {
    this.calls.push(`pull ${ref}`);
    if (this.pullFails)
      return Promise.reject(new DockerError('pull_failed', { detail: 'manifest unknown' }));
    onProgress({ layers: 2, done: 2, bytes: 1024, status: 'Downloaded newer image' });
    return Promise.resolve(this.remoteImage);
  }
  cloneContainer(
    _h: number,
    sourceId: string,
    t: { name: string; image: string },
  ): Promise<string> {
    this.calls.push(`create ${t.name}`);
    const source = this.containers.get(sourceId);
    if (source === undefined) return Promise.reject(new DockerError('container_gone'));
    const id = `new${String(++this.seq)}`.padEnd(64, '0');
    this.add({
      ...source,
      id,
      name: t.name,
      imageId: this.remoteImage,
      state: 'created',
      health: 'none',
    });
    return Promise.resolve(id);
  }
  renameContainer(_h: number, id: string, name: string): Promise<void> {
    this.calls.push(`rename ${this.containers.get(id)?.name ?? id} → ${name}`);
    const c = this.containers.get(id);
    if (c === undefined) return Promise.reject(new DockerError('container_gone'));
    this.containers.set(id, { ...c, name });
    return Promise.resolve();
  }
  removeContainer(_h: number, id: string): Promise<void> {
    this.calls.push(`remove ${this.containers.get(id)?.name ?? id}`);
    this.containers.delete(id);
    return Promise.resolve();
  }
  tagImage(): Promise<void> {
    return Promise.resolve();
  }
  imageIdOf(): Promise<string | undefined> {
    return Promise.resolve(this.remoteImage);
  }
}
