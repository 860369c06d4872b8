import { EngineHttpError } from '../adapters/docker/engine-client';
import type {
  DockerEvent,
  DockerEventsPort,
  EventStreamProblem,
} from '../adapters/docker/events-port';
import type { DockerPort } from '../adapters/docker/port';
import { DelayedWrite } from '../state/delayed-write';
import type { StateStore } from '../state/json-store';
import { HostWatch, type HostWatchDeps, type KnownContainer } from './docker-host';

/** Where each host's known containers live between runs. */
export const DOCKER_ALERTS_FILE = 'alerts-docker.json';
/** Containers remembered per host. */
const MAX_KNOWN = 5000;
/** A stream that ends sooner than this after opening counts as a failed attempt. */
const MIN_STREAM_MS = 1000;
/**
 * Known containers are saved at most this often: each save copies every one of them, and a crash
 * in between loses nothing that the re-list at the next start does not find again.
 */
const SAVE_DELAY_MS = 1000;

/**
 * An answer saying this engine (or the proxy in front of it) will not stream events: a client
 * error (not a timeout or rate limit), or 501. Other server errors (a 500 while the engine
 * starts, a proxy's 502/503) are retried like a dropped connection.
 */
function refusesStream(status: number): boolean {
  if (status === 408 || status === 429) return false;
  return (status >= 400 && status < 500) || status === 501;
}

/** How a host's event stream is doing, for the status screen. */
export type StreamState = 'connecting' | 'streaming' | 'reconnecting' | 'polling' | 'unavailable';

export interface HostStreamStatus {
  readonly label: string;
  readonly state: StreamState;
  readonly since: number;
  readonly events: number;
  /** Lines thrown away (oversized, not JSON, wrong shape). */
  readonly rejected: number;
}

interface Persisted {
  v: 1;
  hosts: Record<string, Record<string, KnownContainer>>;
}

const isPersisted = (v: unknown): v is Persisted =>
  typeof v === 'object' &&
  v !== null &&
  (v as Persisted).v === 1 &&
  typeof (v as Persisted).hosts === 'object';

const isKnown = (v: unknown): v is KnownContainer =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as KnownContainer).name === 'string' &&
  typeof (v as KnownContainer).state === 'string' &&
  typeof (v as KnownContainer).health === 'string' &&
  typeof (v as KnownContainer).watched === 'boolean';

interface HostRun {
  watch: HostWatch;
  state: StreamState;
  since: number;
  events: number;
  rejected: number;
  lastNano: string | undefined;
  baseline: boolean;
  pollOnly: boolean;
}

/** Something else that follows containers on the same event streams (log-pattern alerts). */
export interface DockerEventObserver {
  event(host: number, e: DockerEvent): void;
  /** After each (re)list of a host: its containers may have changed unseen. */
  sync(host: number): Promise<void>;
}

export type DockerSourceDeps = Omit<HostWatchDeps, 'changed' | 'docker'> & {
  docker: DockerPort & DockerEventsPort;
  store: StateStore;
  observer?: DockerEventObserver;
};

/**
 * Docker alerts for every configured host: subscribes to each engine's event
 * stream, re-subscribes with `since` after a drop, re-lists after every
 * (re)connect (an engine restart loses its event backlog), and polls only when
 * the engine offers no stream.
 */
export class DockerAlertSource {
  private readonly runs: HostRun[];
  private abort: AbortController | undefined;
  private loops: Promise<void>[] = [];
  /** Known containers, saved at most once a second: a burst changes them hundreds of times. */
  private readonly saving: DelayedWrite;

  constructor(private readonly deps: DockerSourceDeps) {
    this.saving = new DelayedWrite(deps.clock, SAVE_DELAY_MS, () =>
      deps.store.write(DOCKER_ALERTS_FILE, this.snapshot()),
    );
    const saved = deps.store.read(DOCKER_ALERTS_FILE, isPersisted);
    this.runs = deps.docker.hosts.map((h) => {
      const watch = new HostWatch(h.index, h.label, {
        ...deps,
        changed: () => this.saving.schedule(),
      });
      const prior = saved?.hosts[h.label];
      if (typeof prior === 'object' && prior !== null)
        for (const [id, k] of Object.entries(prior)) if (isKnown(k)) watch.known.set(id, k);
      return {
        watch,
        state: 'connecting',
        since: deps.clock.now(),
        events: 0,
        rejected: 0,
        lastNano: undefined,
        baseline: prior !== undefined,
        pollOnly: !deps.options.events,
      };
    });
  }

  start(): void {
    if (this.abort !== undefined) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loops = this.runs.map((r) => this.loop(r, abort.signal));
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await Promise.all(this.loops);
    for (const r of this.runs) r.watch.stop();
    this.abort = undefined;
    this.loops = [];
    await this.saving.now();
  }

  status(): HostStreamStatus[] {
    return this.runs.map((r) => ({
      label: r.watch.label,
      state: r.state,
      since: r.since,
      events: r.events,
      rejected: r.rejected,
    }));
  }

  private setState(r: HostRun, state: StreamState): void {
    if (r.state === state) return;
    this.deps.log[state === 'unavailable' ? 'warn' : 'info'](
      `docker host ${r.watch.label}: events ${state}`,
    );
    r.state = state;
    r.since = this.deps.clock.now();
  }

  private async loop(r: HostRun, signal: AbortSignal): Promise<void> {
    const { clock, options } = this.deps;
    let failures = 0;
    while (!signal.aborted) {
      try {
        await r.watch.reconcile(r.baseline);
        r.baseline = true;
        this.deps.observer?.sync(r.watch.index).catch((err: unknown) =>
          this.deps.log.warn(`docker host ${r.watch.label}: log watch could not re-list`, {
            error: err,
          }),
        );
        if (r.pollOnly) {
          this.setState(r, 'polling');
          failures = 0;
          await clock.sleep(options.pollIntervalMs, signal);
          continue;
        }
        const opened = clock.now();
        this.setState(r, 'streaming');
        await this.deps.docker.subscribe(r.watch.index, {
          ...(r.lastNano !== undefined
            ? { since: r.lastNano }
            : { since: String(Math.floor(opened / 1000) - 2) }),
          signal,
          onEvent: (e) => this.onEvent(r, e),
          onProblem: (p) => this.onProblem(r, p),
        });
        if (signal.aborted) break;
        this.setState(r, 'reconnecting');
        failures = clock.now() - opened < MIN_STREAM_MS ? failures + 1 : 0;
      } catch (err) {
        if (err instanceof EngineHttpError && refusesStream(err.statusCode)) {
          this.deps.log.warn(
            `docker host ${r.watch.label}: no event stream (${err.message}); polling instead`,
          );
          r.pollOnly = true;
          continue;
        }
        failures++;
        this.setState(r, 'unavailable');
      }
      const wait =
        failures === 0
          ? 0
          : failures <= options.retryAttempts
            ? options.retryIntervalMs
            : options.pollIntervalMs;
      await clock.sleep(wait, signal);
    }
  }

  /**
   * Handles an event as it arrives: its bookkeeping is synchronous (later events see it), and
   * the slow part (inspect, logs) runs in the background with bounded parallelism.
   */
  private onEvent(r: HostRun, e: DockerEvent): void {
    r.events++;
    r.lastNano = e.timeNano;
    this.deps.observer?.event(r.watch.index, e);
    r.watch.handle(e).catch((err: unknown) =>
      this.deps.log.warn(`docker host ${r.watch.label}: could not handle an event`, {
        error: err,
        action: e.action,
      }),
    );
  }

  private onProblem(r: HostRun, p: EventStreamProblem): void {
    r.rejected++;
    // Once per hundred, so a garbage stream cannot flood the log.
    if (r.rejected % 100 === 1)
      this.deps.log.warn(`docker host ${r.watch.label}: event stream line rejected (${p})`);
  }

  private snapshot(): Persisted {
    const hosts: Persisted['hosts'] = {};
    for (const r of this.runs)
      hosts[r.watch.label] = Object.fromEntries([...r.watch.known].slice(-MAX_KNOWN));
    return { v: 1, hosts };
  }
}
