import { DockerError } from '../../errors';
import { clonePlan } from './clone';
import { EngineHttpError, type ChunkDecoder, type EngineClient } from './engine-client';
import { BoundedLineSplitter } from './event-lines';
import { parseImageRef } from './image-ref';
import { num, obj, str } from './json';
import { registryAuthHeader, type CredentialSource } from './registry-auth';
import type { ContainerUpdatePort, PullProgress } from './update-port';

const CONTAINER_ID = /^[0-9a-f]{64}$/;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
/** The engine's own rule for container names. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
/** A pull of a large image over a slow link; the progress stream keeps the user informed. */
const PULL_TIMEOUT_MS = 15 * 60_000;
/** Longest progress line kept (real ones are < 1 KiB). */
const MAX_PULL_LINE = 16 * 1024;
/** Layers tracked per pull at most (a hostile stream cannot grow the map). */
const MAX_LAYERS = 1000;
/** What engines (20.10 to 27) and registries say when a pull lacks (valid) credentials. */
const DENIED =
  /unauthorized|authentication required|no basic auth credentials|access.denied|denied:|requested access to the resource is denied|may require 'docker login'/i;

/** Reads the pull's JSON lines: per-layer state, bytes, the last status and any error. */
class PullDecoder implements ChunkDecoder {
  private readonly layers = new Map<string, { done: boolean; bytes: number }>();
  private status = '';
  error: string | undefined;
  private readonly lines = new BoundedLineSplitter(
    (line) => this.line(line),
    () => undefined,
    MAX_PULL_LINE,
  );

  constructor(private readonly onProgress: (p: PullProgress) => void) {}

  push(chunk: Buffer): Buffer[] {
    this.lines.push(chunk);
    return [];
  }

  private line(text: string): void {
    let m: Record<string, unknown>;
    try {
      m = obj(JSON.parse(text));
    } catch {
      return;
    }
    const error = str(m.error) || str(obj(m.errorDetail).message);
    if (error !== '') this.error = error.slice(0, 300);
    const id = str(m.id);
    const status = str(m.status);
    if (/^[0-9a-f]{12}$/.test(id)) {
      const layer = this.layers.get(id) ?? { done: false, bytes: 0 };
      if (/^(Already exists|Pull complete)/.test(status)) layer.done = true;
      if (status === 'Downloading') layer.bytes = num(obj(m.progressDetail).current);
      if (this.layers.has(id) || this.layers.size < MAX_LAYERS) this.layers.set(id, layer);
    } else if (status !== '') {
      this.status = status.slice(0, 200);
    }
    let done = 0;
    let bytes = 0;
    for (const l of this.layers.values()) {
      if (l.done) done++;
      bytes += l.bytes;
    }
    this.onProgress({ layers: this.layers.size, done, bytes, status: this.status });
  }
}

/** The one real {@link ContainerUpdatePort}: Engine API calls through each host's client. */
export class ContainerUpdateOps implements ContainerUpdatePort {
  constructor(
    private readonly client: (host: number) => EngineClient,
    /** Deadline of create / rename / tag / remove calls. */
    private readonly timeoutMs: number,
    /** Credentials sent with a pull from their registry (docker.registry_auth_file). */
    private readonly credentials?: CredentialSource,
  ) {}

  async pullImage(
    host: number,
    ref: string,
    onProgress: (p: PullProgress) => void,
  ): Promise<string> {
    const parsed = parseImageRef(ref);
    if (parsed === undefined) throw new DockerError('bad_image_ref');
    const decoder = new PullDecoder(onProgress);
    const creds = await this.credentials?.forRegistry(parsed.registry);
    const failed = (detail: string): DockerError =>
      DENIED.test(detail)
        ? new DockerError('pull_denied', {
            registry: parsed.registry,
            sentCredentials: creds !== undefined,
            detail,
          })
        : new DockerError('pull_failed', { detail });
    try {
      await this.client(host).stream('/images/create', {
        method: 'POST',
        query: { fromImage: ref.slice(0, ref.length - parsed.tag.length - 1), tag: parsed.tag },
        timeoutMs: PULL_TIMEOUT_MS,
        maxBytes: 1,
        decoder,
        ...(creds !== undefined
          ? { registryAuth: registryAuthHeader(creds, parsed.registry) }
          : {}),
      });
    } catch (err) {
      if (err instanceof EngineHttpError)
        throw failed(err.engineMessage || `HTTP ${err.statusCode}`);
      throw err;
    }
    if (decoder.error !== undefined) throw failed(decoder.error);
    const id = await this.imageIdOf(host, ref);
    if (id === undefined)
      throw new DockerError('pull_failed', { detail: 'the tag is not there after the pull' });
    return id;
  }

  async cloneContainer(
    host: number,
    sourceId: string,
    target: { readonly name: string; readonly image: string },
  ): Promise<string> {
    if (!CONTAINER_NAME.test(target.name))
      throw new DockerError('refused', { action: 'create', detail: 'bad name' });
    if (parseImageRef(target.image) === undefined) throw new DockerError('bad_image_ref');
    const c = this.client(host);
    const inspect = await this.find(host, `/containers/${containerId(sourceId)}/json`);
    if (inspect === undefined) throw new DockerError('container_gone');
    const oldImageId = str(obj(inspect).Image);
    const oldImage = IMAGE_ID.test(oldImageId)
      ? await this.find(host, `/images/${oldImageId}/json`)
      : undefined;
    const plan = clonePlan(inspect, oldImage ?? {}, target.image);
    const created = await this.call('create', () =>
      c.request('POST', '/containers/create', {
        query: { name: target.name },
        body: plan.body,
        timeoutMs: this.timeoutMs,
      }),
    );
    const id = str(obj(created).Id);
    if (!CONTAINER_ID.test(id))
      throw new DockerError('refused', { action: 'create', detail: 'no id in the answer' });
    try {
      for (const n of plan.extraNetworks)
        await this.call('connect', () =>
          c.request('POST', `/networks/${encodeURIComponent(n.name)}/connect`, {
            body: { Container: id, EndpointConfig: n.endpoint },
            timeoutMs: this.timeoutMs,
          }),
        );
    } catch (err) {
      await this.removeContainer(host, id).catch(() => undefined);
      throw err;
    }
    return id;
  }

  async renameContainer(host: number, id: string, name: string): Promise<void> {
    if (!CONTAINER_NAME.test(name))
      throw new DockerError('refused', { action: 'rename', detail: 'bad name' });
    await this.call('rename', () =>
      this.client(host).request('POST', `/containers/${containerId(id)}/rename`, {
        query: { name },
        timeoutMs: this.timeoutMs,
      }),
    );
  }

  async removeContainer(host: number, id: string): Promise<void> {
    try {
      await this.call('remove', () =>
        this.client(host).request('DELETE', `/containers/${containerId(id)}`, {
          query: { force: true },
          timeoutMs: this.timeoutMs,
        }),
      );
    } catch (err) {
      if (err instanceof DockerError && err.kind === 'container_gone') return;
      throw err;
    }
  }

  async tagImage(host: number, imageId: string, ref: string): Promise<void> {
    const parsed = parseImageRef(ref);
    if (parsed === undefined) throw new DockerError('bad_image_ref');
    if (!IMAGE_ID.test(imageId)) throw new DockerError('bad_image_id');
    try {
      await this.client(host).request('POST', `/images/${imageId}/tag`, {
        query: { repo: ref.slice(0, ref.length - parsed.tag.length - 1), tag: parsed.tag },
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      if (err instanceof EngineHttpError && err.statusCode === 404)
        throw new DockerError('image_gone');
      throw err;
    }
  }

  async imageIdOf(host: number, ref: string): Promise<string | undefined> {
    if (parseImageRef(ref) === undefined) throw new DockerError('bad_image_ref');
    const raw = await this.find(host, `/images/${ref}/json`);
    const id = str(obj(raw).Id);
    return IMAGE_ID.test(id) ? id : undefined;
  }

  /** GET that maps 404 to undefined. */
  private async find(host: number, path: string): Promise<unknown> {
    try {
      return await this.client(host).request('GET', path, { timeoutMs: this.timeoutMs });
    } catch (err) {
      if (err instanceof EngineHttpError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Runs an engine call; 404 means the container is gone, other refusals carry the engine's reason. */
  private async call(action: string, run: () => Promise<unknown>): Promise<unknown> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof EngineHttpError) {
        if (err.statusCode === 404 && action !== 'create' && action !== 'connect')
          throw new DockerError('container_gone');
        throw new DockerError('refused', {
          action,
          detail: err.engineMessage || `HTTP ${err.statusCode}`,
        });
      }
      throw err;
    }
  }
}

function containerId(id: string): string {
  if (!CONTAINER_ID.test(id)) throw new DockerError('bad_container_id');
  return id;
}
