import type { DockerEvent } from '../adapters/docker/events-port';
import type { DockerPort } from '../adapters/docker/port';
import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import type { AlertEngine } from './engine';
import type { ExpectedChanges } from './expected';
import { isWatched, type NamePattern } from './patterns';
import { signalName, type AlertKind, type ExitFacts } from './types';

/** Docker alert settings (`alerts.docker.*`). */
export interface DockerAlertOptions {
  /** Subscribe to the event stream; false: poll every `pollIntervalMs` instead. */
  readonly events: boolean;
  readonly logLines: number;
  readonly restartLoop: { readonly restarts: number; readonly minutes: number };
  /** A restarted container counts as recovered after running this long. */
  readonly stableMs: number;
  readonly include: readonly NamePattern[];
  readonly exclude: readonly NamePattern[];
  /** Re-subscribing: `retryAttempts` tries `retryIntervalMs` apart, then every `pollIntervalMs`. */
  readonly retryIntervalMs: number;
  readonly retryAttempts: number;
  readonly pollIntervalMs: number;
}

/** What the host watcher remembers about a container (persisted between runs). */
export interface KnownContainer {
  name: string;
  state: string;
  health: string;
  watched: boolean;
  startedAt?: number;
}

export interface HostWatchDeps {
  docker: DockerPort;
  engine: Pick<AlertEngine, 'fire' | 'resolve' | 'find' | 'active'>;
  clock: Clock;
  log: Logger;
  /** The Logs screen's sanitising (control characters out, secrets masked). */
  sanitise: (text: string) => string;
  options: DockerAlertOptions;
  /** Called after `known` changed, to persist it. */
  changed: () => void;
  /** Intended changes (image updates): their events are recorded, not alerted. */
  expected?: Pick<ExpectedChanges, 'isExpected'>;
}

/** A died alert for a container with a restart policy waits this long: a quick loop becomes one loop alert. */
const RESTART_HOLD_MS = 10_000;
/** An `oom` event this recent marks the following `die` as an OOM kill. */
const OOM_WINDOW_MS = 10_000;
const CONTAINER_KINDS: readonly AlertKind[] = [
  'container_died',
  'container_oom',
  'container_unhealthy',
  'restart_loop',
];
/** Engine look-ups (inspect + logs) for died containers at once; more wait their turn. */
const MAX_PARALLEL = 8;
const RUNNING: readonly string[] = ['running', 'restarting', 'paused'];
const STOPPED: readonly string[] = ['exited', 'dead'];

/**
 * Turns one engine's events (and re-lists) into alerts. Handling is idempotent
 * against `known`, so replayed events after a reconnect and a re-list after an
 * engine restart never announce the same thing twice.
 */
export class HostWatch {
  readonly known = new Map<string, KnownContainer>();
  private readonly dies = new Map<string, number[]>();
  private readonly oomAt = new Map<string, number>();
  private readonly held = new Map<string, Timer>();
  private readonly stable = new Map<string, Timer>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly index: number,
    readonly label: string,
    private readonly deps: HostWatchDeps,
  ) {}

  private watched(name: string, labels: Readonly<Record<string, string>>): boolean {
    return isWatched(name, labels, this.deps.options.include, this.deps.options.exclude);
  }

  /** Handles one event (called in order, one at a time). */
  async handle(e: DockerEvent): Promise<void> {
    if (e.type === 'image') {
      // An include list names the containers someone cares about; an image is host-wide and
      // belongs to none of them, so new images are announced only when every container is watched.
      if (this.deps.options.include.length > 0) return;
      if (['pull', 'load', 'import', 'tag'].includes(e.action)) {
        const target = e.attributes.name ?? e.id;
        this.fire({
          target,
          host: this.label,
          facts: { kind: 'image_new', tags: [target] },
          oneShot: true,
        });
      }
      return;
    }
    if (e.type !== 'container') return;
    const name = e.attributes.name ?? e.id.slice(0, 12);
    const k = this.known.get(e.id);
    const watched = k?.watched ?? this.watched(name, e.attributes);
    const action = e.action.startsWith('health_status') ? 'health' : e.action;
    switch (action) {
      case 'create':
        if (k !== undefined) return;
        this.remember(e.id, { name, state: 'created', health: 'none', watched });
        if (watched)
          this.fire({
            target: name,
            host: this.label,
            facts: { kind: 'container_created', image: e.attributes.image ?? '' },
            oneShot: true,
          });
        return;
      case 'start':
        return this.onStart(e.id, name, watched);
      case 'oom':
        this.oomAt.set(e.id, this.deps.clock.now());
        return;
      case 'die':
        if (k !== undefined && STOPPED.includes(k.state)) return;
        this.remember(e.id, { ...(k ?? { health: 'none', watched }), name, state: 'exited' });
        if (!watched) return;
        return this.onDeath(e.id, name, Number.parseInt(e.attributes.exitCode ?? '', 10));
      case 'health':
        return this.onHealth(e.id, name, e.action.split(':')[1]?.trim() ?? '', watched);
      case 'destroy':
        if (k === undefined) return;
        this.known.delete(e.id);
        this.deps.changed();
        return this.onGone(e.id, name, watched);
      case 'rename':
        if (k !== undefined) this.remember(e.id, { ...k, name });
        return;
      default:
        return;
    }
  }

  /** Fires unless an operator action announced this change (see {@link ExpectedChanges}). */
  private fire(alert: Parameters<HostWatchDeps['engine']['fire']>[0]): void {
    if (this.deps.expected?.isExpected(this.label, alert.target) === true) return;
    this.deps.engine.fire(alert);
  }

  private remember(id: string, k: KnownContainer): void {
    this.known.set(id, k);
    this.deps.changed();
  }

  private onStart(id: string, name: string, watched: boolean): void {
    const k = this.known.get(id);
    const now = this.deps.clock.now();
    this.remember(id, {
      ...(k ?? { health: 'none', watched }),
      name,
      state: 'running',
      startedAt: now,
    });
    if (watched) this.scheduleStableCheck(id, name);
  }

  private scheduleStableCheck(id: string, name: string): void {
    this.stable.get(id)?.cancel();
    this.stable.set(
      id,
      this.deps.clock.setTimeout(() => {
        this.stable.delete(id);
        const k = this.known.get(id);
        if (k === undefined || k.state !== 'running') return;
        // Running long enough since its last start: whatever killed it is over.
        for (const kind of ['container_died', 'container_oom', 'restart_loop'] as const)
          this.deps.engine.resolve(kind, this.label, name);
        this.dies.delete(id);
      }, this.deps.options.stableMs),
    );
  }

  /** Bookkeeping at once (so later events see it), the inspect / logs / alert in the background. */
  private onDeath(id: string, name: string, exitCode: number): Promise<void> {
    const { clock, options } = this.deps;
    const now = clock.now();
    this.stable.get(id)?.cancel();
    this.stable.delete(id);
    const oomEvent = now - (this.oomAt.get(id) ?? Number.NEGATIVE_INFINITY) < OOM_WINDOW_MS;
    this.oomAt.delete(id);
    if (exitCode === 0 && !oomEvent) return Promise.resolve();
    const windowMs = options.restartLoop.minutes * 60_000;
    const dies = [...(this.dies.get(id) ?? []).filter((t) => now - t < windowMs), now];
    this.dies.set(id, dies);
    return this.limited(() => this.reportDeath(id, name, exitCode, oomEvent, dies.length));
  }

  /** Runs `task` with at most {@link MAX_PARALLEL} Engine API look-ups in flight (a burst of deaths). */
  private async limited(task: () => Promise<void>): Promise<void> {
    while (this.inFlight >= MAX_PARALLEL) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      await task();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private async reportDeath(
    id: string,
    name: string,
    exitCode: number,
    oomEvent: boolean,
    deaths: number,
  ): Promise<void> {
    const { clock, docker, options } = this.deps;
    const details = await docker.inspectContainer(this.index, id).catch(() => undefined);
    const oom = oomEvent || details?.oomKilled === true;
    const code = Number.isFinite(exitCode) ? exitCode : details?.exitCode;
    if (code === 0 && !oom) return;
    const facts = await this.exitFacts(id, details, code);
    if (deaths >= options.restartLoop.restarts) {
      this.held.get(id)?.cancel();
      this.held.delete(id);
      this.fire({
        target: name,
        host: this.label,
        facts: {
          kind: 'restart_loop',
          restarts: deaths,
          minutes: options.restartLoop.minutes,
          last: facts,
        },
      });
      return;
    }
    const fire = (): void => {
      this.held.delete(id);
      const kind = oom ? 'container_oom' : 'container_died';
      this.fire({ target: name, host: this.label, facts: { kind, ...facts } });
      // Removed while its death was looked up: over as soon as it is told (a resolved line).
      if (!this.known.has(id)) this.deps.engine.resolve(kind, this.label, name, true);
    };
    const policy = details?.limits.restartPolicy ?? '';
    if (policy === '' || policy === 'no' || this.held.has(id)) {
      if (!this.held.has(id)) fire();
      return;
    }
    this.held.set(id, clock.setTimeout(fire, RESTART_HOLD_MS));
  }

  private async exitFacts(
    id: string,
    d: Awaited<ReturnType<DockerPort['inspectContainer']>>,
    exitCode: number | undefined,
  ): Promise<ExitFacts> {
    const { docker, options, sanitise } = this.deps;
    const logs =
      options.logLines > 0
        ? await docker
            .logs(this.index, id, { kind: 'tail', lines: options.logLines })
            .catch(() => undefined)
        : undefined;
    const lines =
      logs === undefined
        ? []
        : sanitise(logs.text)
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(-options.logLines);
    return {
      image: d?.image ?? '',
      exitCode,
      signal: signalName(exitCode),
      ranMs:
        d?.startedAt !== undefined && d.finishedAt !== undefined && d.finishedAt >= d.startedAt
          ? d.finishedAt - d.startedAt
          : undefined,
      restartCount: d?.restartCount ?? 0,
      logLines: lines,
    };
  }

  private async onHealth(
    id: string,
    name: string,
    status: string,
    watched: boolean,
  ): Promise<void> {
    const k = this.known.get(id);
    this.remember(id, { ...(k ?? { state: 'running', watched }), name, health: status });
    if (!watched) return;
    if (status === 'unhealthy') {
      if (this.deps.engine.find('container_unhealthy', this.label, name) !== undefined) return;
      const d = await this.deps.docker.inspectContainer(this.index, id).catch(() => undefined);
      this.fire({
        target: name,
        host: this.label,
        facts: {
          kind: 'container_unhealthy',
          lastOutput: this.deps.sanitise(d?.lastHealthCheck?.output ?? ''),
        },
      });
    } else if (status === 'healthy') {
      this.deps.engine.resolve('container_unhealthy', this.label, name);
    }
  }

  private onGone(id: string, name: string, watched: boolean): void {
    this.held.get(id)?.cancel();
    this.held.delete(id);
    this.stable.get(id)?.cancel();
    this.stable.delete(id);
    this.dies.delete(id);
    for (const kind of CONTAINER_KINDS) this.deps.engine.resolve(kind, this.label, name, true);
    if (watched)
      this.fire({
        target: name,
        host: this.label,
        facts: { kind: 'container_removed' },
        oneShot: true,
      });
  }

  /**
   * Re-lists the engine and announces what changed since `known` (after an engine
   * restart, a daemon restart, or as the polling fallback). `announce` is false for
   * the very first list, which only learns what exists.
   */
  async reconcile(announce: boolean): Promise<void> {
    const { docker, engine } = this.deps;
    const list = await docker.listContainers(this.index);
    const seen = new Set<string>();
    for (const c of list) {
      seen.add(c.id);
      const k = this.known.get(c.id);
      const watched = this.watched(c.name, c.labels ?? {});
      this.known.set(c.id, {
        name: c.name,
        state: c.state,
        health: c.health,
        watched,
        ...(k?.startedAt !== undefined ? { startedAt: k.startedAt } : {}),
      });
      if (!watched) continue;
      if (k === undefined) {
        if (announce)
          this.fire({
            target: c.name,
            host: this.label,
            facts: { kind: 'container_created', image: c.image },
            oneShot: true,
          });
      } else if (RUNNING.includes(k.state) && STOPPED.includes(c.state)) {
        await this.onDeath(c.id, c.name, Number.NaN);
      } else if (c.state === 'running' && k.state !== 'running') {
        this.onStart(c.id, c.name, watched);
      }
      if (c.health === 'unhealthy' && k?.health !== 'unhealthy')
        await this.onHealth(c.id, c.name, 'unhealthy', watched);
      if (c.health !== 'unhealthy') engine.resolve('container_unhealthy', this.label, c.name);
      if (c.state === 'running' && !this.stable.has(c.id) && this.hasOpenExit(c.name))
        this.scheduleStableCheck(c.id, c.name);
    }
    for (const [id, k] of [...this.known]) {
      if (seen.has(id)) continue;
      this.known.delete(id);
      if (announce) this.onGone(id, k.name, k.watched);
    }
    const names = new Set(list.map((c) => c.name));
    for (const a of engine.active()) {
      const kind = a.facts.kind;
      if (a.host === this.label && CONTAINER_KINDS.includes(kind) && !names.has(a.target))
        engine.resolve(kind, this.label, a.target, true);
    }
    this.deps.changed();
  }

  private hasOpenExit(name: string): boolean {
    return (['container_died', 'container_oom', 'restart_loop'] as const).some(
      (k) => this.deps.engine.find(k, this.label, name) !== undefined,
    );
  }

  /** Cancels pending timers (a died alert still held for a possible restart loop is dropped). */
  stop(): void {
    for (const t of this.stable.values()) t.cancel();
    this.stable.clear();
    for (const t of this.held.values()) t.cancel();
    this.held.clear();
  }
}
