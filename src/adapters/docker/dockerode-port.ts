import type { Clock } from '../../clock';
import { DockerError, DockerUnavailableError } from '../../errors';
import type { Logger } from '../../log/logger';
import { EngineClient, EngineHttpError } from './engine-client';
import { BoundedLineSplitter, parseEventLine } from './event-lines';
import type { DockerEventsPort, EventSubscription } from './events-port';
import { parseDockerHost, type DockerTlsFiles } from './hosts';
import { arr, obj, str } from './json';
import type { DockerLogFollowPort, LogFollow } from './log-follow-port';
import { FrameDecoder, RawDecoder } from './log-frames';
import { readFollowedLog } from './log-lines';
import {
  containerDetails,
  containerState,
  containerSummary,
  imageDetails,
  imageLayers,
  imageSummary,
} from './mapping';
import type {
  ContainerAction,
  ContainerDetails,
  ContainerLiveStats,
  ContainerSummary,
  DockerHostRef,
  DockerPing,
  DockerPort,
  DockerSummary,
  ImageDetails,
  ImageLayer,
  ImageSummary,
  LogQuery,
  LogText,
} from './port';
import type { CredentialSource } from './registry-auth';
import { cpuPercent, cpuSample, liveStats, type CpuSample } from './stats';
import { ContainerUpdateOps } from './update-ops';
import type { ContainerUpdatePort } from './update-port';

/** Deadlines (ms). Quick calls answer in milliseconds on a healthy engine (perf-probe §3). */
export interface DockerTimeouts {
  /** list / inspect / ping / images. */
  quick: number;
  /** One stats sample; the engine's collector ticks once a second. */
  stats: number;
  logs: number;
  /** stop / restart / remove (the engine waits up to its stop timeout first). */
  action: number;
}

export const DEFAULT_TIMEOUTS: DockerTimeouts = {
  quick: 1800,
  stats: 1500,
  logs: 10_000,
  action: 45_000,
};

export interface DockerodePortOptions {
  hosts: readonly string[];
  tls: DockerTlsFiles | undefined;
  log: Logger;
  clock: Clock;
  /** For SSH_AUTH_SOCK (ssh:// hosts). */
  env: Readonly<Record<string, string | undefined>>;
  timeouts?: DockerTimeouts;
  /** Log every Engine API call at debug level (docker.debug_docker_client). */
  logCalls?: boolean;
  /** Log bytes kept per fetch (the newest). */
  maxLogBytes?: number;
  /** Registry credentials sent with the pulls of image updates. */
  credentials?: CredentialSource;
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
/** Seconds the engine gives a container to stop before SIGKILL (pyTMBot used 10). */
const STOP_SECONDS = 10;
/** Samples kept for CPU % (one per recently viewed container). */
const MAX_CPU_SAMPLES = 512;
/** An older sample would average CPU over minutes; take a fresh pair instead. */
const CPU_SAMPLE_MAX_AGE_MS = 60_000;

const ACTIONS: Record<
  ContainerAction,
  { method: string; path: string; query?: Record<string, number | boolean>; ok?: number[] }
> = {
  start: { method: 'POST', path: 'start', ok: [304] },
  stop: { method: 'POST', path: 'stop', query: { t: STOP_SECONDS }, ok: [304] },
  restart: { method: 'POST', path: 'restart', query: { t: STOP_SECONDS } },
  pause: { method: 'POST', path: 'pause' },
  unpause: { method: 'POST', path: 'unpause' },
  kill: { method: 'POST', path: 'kill' },
  remove: { method: 'DELETE', path: '' },
};

/** The one real {@link DockerPort}: dockerode against every configured host. */
export class DockerodePort implements DockerPort, DockerEventsPort, DockerLogFollowPort {
  readonly hosts: readonly DockerHostRef[];
  /** Pull, re-create, rename, re-tag: the engine calls of safe image updates. */
  readonly updates: ContainerUpdatePort;
  private readonly clients: readonly EngineClient[];
  private readonly timeouts: DockerTimeouts;
  private readonly maxLogBytes: number;
  private readonly samples = new Map<string, CpuSample>();
  private readonly log: Logger;

  constructor(private readonly options: DockerodePortOptions) {
    this.log = options.log;
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    // Bounds memory: a snapshot is kept per log session (see LogSessions).
    this.maxLogBytes = options.maxLogBytes ?? 1024 * 1024;
    this.clients = options.hosts.map(
      (h) =>
        new EngineClient(
          parseDockerHost(h, options.tls),
          options.log,
          options.clock,
          options.env,
          options.logCalls === true,
        ),
    );
    this.hosts = this.clients.map((c, index) => ({ index, label: c.label }));
    this.updates = new ContainerUpdateOps(
      (h) => this.client(h),
      this.timeouts.action,
      options.credentials,
    );
    for (const c of this.clients) {
      if (c.spec.connection.kind === 'tcp' && c.spec.connection.protocol === 'http') {
        this.log.warn(
          `docker host ${c.label} uses plain HTTP: anyone on that network can control the engine; configure docker.tls_*`,
        );
      }
    }
  }

  private client(host: number): EngineClient {
    const c = this.clients[host];
    if (c === undefined) throw new DockerError('host_gone');
    return c;
  }

  private get(
    host: number,
    path: string,
    query?: Record<string, string | number | boolean>,
  ): Promise<unknown> {
    return this.client(host).request('GET', path, {
      timeoutMs: this.timeouts.quick,
      ...(query ? { query } : {}),
    });
  }

  /** GET that maps 404 to undefined. */
  private async find(host: number, path: string): Promise<unknown> {
    try {
      return await this.get(host, path);
    } catch (err) {
      if (err instanceof EngineHttpError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async ping(host: number): Promise<DockerPing> {
    const label = this.client(host).label;
    const t0 = this.options.clock.now();
    try {
      const version = obj(await this.get(host, '/version'));
      return {
        ok: true,
        host: label,
        latencyMs: this.options.clock.now() - t0,
        version: str(version.Version) || '?',
        apiVersion: str(version.ApiVersion) || '?',
      };
    } catch (err) {
      const cause =
        err instanceof DockerUnavailableError
          ? (err.cause as { code?: unknown } | undefined)
          : undefined;
      return {
        ok: false,
        host: label,
        reason: err instanceof DockerUnavailableError ? err.reason : (err as Error).message,
        ...(typeof cause?.code === 'string' ? { code: cause.code } : {}),
        ...(err instanceof EngineHttpError ? { statusCode: err.statusCode } : {}),
      };
    }
  }

  async summary(host: number): Promise<DockerSummary> {
    const [containers, images] = await Promise.all([
      this.get(host, '/containers/json', { all: true }),
      this.get(host, '/images/json'),
    ]);
    const list = arr(containers);
    return {
      running: list.filter((c) => containerState(obj(c).State) === 'running').length,
      total: list.length,
      images: arr(images).length,
    };
  }

  async listContainers(host: number): Promise<ContainerSummary[]> {
    return arr(await this.get(host, '/containers/json', { all: true })).map(containerSummary);
  }

  async inspectContainer(host: number, id: string): Promise<ContainerDetails | undefined> {
    const raw = await this.find(host, `/containers/${containerId(id)}/json`);
    return raw === undefined ? undefined : containerDetails(raw);
  }

  async containerStats(host: number, id: string): Promise<ContainerLiveStats | undefined> {
    const key = `${host}/${containerId(id)}`;
    const sample = async (): Promise<unknown> => {
      try {
        return await this.client(host).request('GET', `/containers/${id}/stats`, {
          query: { stream: false, 'one-shot': true },
          timeoutMs: this.timeouts.stats,
        });
      } catch (err) {
        if (err instanceof EngineHttpError && (err.statusCode === 404 || err.statusCode === 409))
          return undefined;
        throw err;
      }
    };
    const first = await sample();
    if (
      first === undefined ||
      obj(first).read === undefined ||
      str(obj(first).read).startsWith('0001-')
    )
      return undefined;
    let latest = first;
    let current = cpuSample(first, this.options.clock.now());
    let previous = this.samples.get(key);
    if (previous === undefined || current.at - previous.at > CPU_SAMPLE_MAX_AGE_MS) {
      // One-shot samples carry no previous CPU reading: take a second one (the engine's next tick, ~1 s).
      const second = await sample().catch((err: unknown) => {
        this.log.debug('second stats sample failed', { error: err });
        return undefined;
      });
      if (second === undefined) {
        this.remember(key, current);
        return liveStats(first, undefined);
      }
      previous = current;
      latest = second;
      current = cpuSample(second, this.options.clock.now());
    }
    this.remember(key, current);
    return liveStats(latest, cpuPercent(previous, current));
  }

  private remember(key: string, sample: CpuSample): void {
    this.samples.delete(key);
    this.samples.set(key, sample);
    if (this.samples.size > MAX_CPU_SAMPLES) {
      const oldest = this.samples.keys().next().value;
      if (oldest !== undefined) this.samples.delete(oldest);
    }
  }

  async logs(host: number, id: string, query: LogQuery): Promise<LogText> {
    const info = await this.find(host, `/containers/${containerId(id)}/json`);
    if (info === undefined) throw new DockerError('container_gone');
    const tty = obj(obj(info).Config).Tty === true;
    const params: Record<string, string | number | boolean> =
      query.kind === 'tail'
        ? { stdout: true, stderr: true, tail: query.lines }
        : {
            stdout: true,
            stderr: true,
            since: Math.floor(this.options.clock.now() / 1000) - query.seconds,
            tail: query.maxLines,
          };
    if (query.timestamps === true) params['timestamps'] = true;
    try {
      const { pieces, clipped } = await this.client(host).stream(`/containers/${id}/logs`, {
        query: params,
        timeoutMs: this.timeouts.logs,
        maxBytes: this.maxLogBytes,
        decoder: tty ? new RawDecoder() : new FrameDecoder(),
      });
      return { text: Buffer.concat(pieces).toString('utf8'), clipped };
    } catch (err) {
      if (err instanceof EngineHttpError) {
        // e.g. a logging driver that cannot be read back ("configured logging driver does not support reading").
        throw new DockerError('logs_unreadable', {
          detail: err.engineMessage || `HTTP ${err.statusCode}`,
        });
      }
      throw err;
    }
  }

  async act(host: number, id: string, action: ContainerAction): Promise<void> {
    const spec = ACTIONS[action];
    const path = `/containers/${containerId(id)}${spec.path === '' ? '' : `/${spec.path}`}`;
    try {
      await this.client(host).request(spec.method, path, {
        timeoutMs:
          action === 'stop' || action === 'restart' || action === 'remove'
            ? this.timeouts.action
            : this.timeouts.quick * 5,
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.ok ? { okStatuses: spec.ok } : {}),
      });
    } catch (err) {
      if (err instanceof EngineHttpError) {
        if (err.statusCode === 404) throw new DockerError('container_gone');
        throw new DockerError('refused', {
          action,
          detail: err.engineMessage || `HTTP ${err.statusCode}`,
        });
      }
      throw err;
    }
  }

  async listImages(host: number): Promise<ImageSummary[]> {
    // shared-size: the engine also reports the bytes each image shares with others.
    return arr(await this.get(host, '/images/json', { 'shared-size': 1 })).map(imageSummary);
  }

  async inspectImage(host: number, id: string): Promise<ImageDetails | undefined> {
    const raw = await this.find(host, `/images/${imageId(id)}/json`);
    return raw === undefined ? undefined : imageDetails(raw);
  }

  async imageHistory(host: number, id: string): Promise<ImageLayer[]> {
    const raw = await this.find(host, `/images/${imageId(id)}/history`);
    if (raw === undefined) throw new DockerError('image_gone');
    return imageLayers(raw);
  }

  async subscribe(host: number, sub: EventSubscription): Promise<void> {
    const query: Record<string, string> = {
      filters: JSON.stringify({ type: ['container', 'image'] }),
      ...(sub.since !== undefined ? { since: sub.since } : {}),
    };
    const res = await this.client(host).openStream(
      '/events',
      query,
      this.timeouts.quick,
      sub.signal,
    );
    const lines = new BoundedLineSplitter(
      (line) => {
        const e = parseEventLine(line);
        if (typeof e === 'string') sub.onProblem(e);
        else sub.onEvent(e);
      },
      () => sub.onProblem('oversized-line'),
    );
    await new Promise<void>((resolve) => {
      res.on('data', (chunk: Buffer) => lines.push(chunk));
      // The stream ends when the engine stops or the signal aborts; both mean "reconnect or stop".
      res.on('end', resolve);
      res.on('close', resolve);
      res.on('error', () => resolve());
    });
  }

  async followLogs(host: number, id: string, follow: LogFollow): Promise<void> {
    const info = await this.find(host, `/containers/${containerId(id)}/json`);
    if (info === undefined) throw new DockerError('container_gone');
    const query: Record<string, string> = { follow: '1', stdout: '1', stderr: '1' };
    if (follow.since !== undefined) query['since'] = String(Math.floor(follow.since));
    else query['tail'] = '0';
    const res = await this.client(host).openStream(
      `/containers/${id}/logs`,
      query,
      this.timeouts.quick,
      follow.signal,
    );
    await readFollowedLog(res, obj(obj(info).Config).Tty === true, follow);
  }

  async assertReachable(): Promise<void> {
    for (const h of this.hosts) {
      const p = await this.ping(h.index);
      if (!p.ok) throw new DockerUnavailableError(p.host, p.reason);
      this.log.info(`docker host ${p.host}: engine ${p.version} (API ${p.apiVersion})`);
    }
  }
}

function containerId(id: string): string {
  if (!CONTAINER_ID.test(id)) throw new DockerError('bad_container_id');
  return id;
}

function imageId(id: string): string {
  if (!IMAGE_ID.test(id)) throw new DockerError('bad_image_id');
  return id;
}
