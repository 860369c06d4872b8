import type { ContainerDetails, DockerPort } from '../../adapters/docker/port';
import type { ContainerUpdatePort, PullProgress } from '../../adapters/docker/update-port';
import type { ExpectedChanges } from '../../alerts/expected';
import type { Clock } from '../../clock';
import { DockerError, DockerUnavailableError } from '../../errors';
import type { Logger } from '../../log/logger';
import type { UpdateState } from './update-state';

/** Steps of a container replacement, in order. */
export type UpdateStep = 'pull' | 'stop' | 'create' | 'start' | 'verify' | 'cleanup';

/** Why a replacement failed (worded by the views). */
export type UpdateWhy =
  | { readonly kind: 'error'; readonly error: unknown }
  /** `exitCode` undefined: it exited and its restart policy already started it again. */
  | { readonly kind: 'exited'; readonly exitCode: number | undefined }
  | { readonly kind: 'unhealthy'; readonly output: string }
  | { readonly kind: 'timeout'; readonly state: string; readonly health: string };

export type UpdateOutcome =
  | {
      readonly ok: true;
      readonly newId: string;
      readonly oldImageId: string;
      readonly newImageId: string;
      readonly tookMs: number;
    }
  /** The tag already names the image the container runs: nothing was changed. */
  | { readonly ok: 'unchanged'; readonly imageId: string }
  | {
      readonly ok: false;
      readonly failedAt: UpdateStep;
      readonly why: UpdateWhy;
      /** The old container runs again (or was never touched). */
      readonly restored: boolean;
      /** What went wrong while putting the old container back. */
      readonly restoreError?: unknown;
    };

export interface UpdateProgress {
  readonly step: UpdateStep;
  readonly pull?: PullProgress;
}

export interface UpdateRunDeps {
  readonly docker: Pick<DockerPort, 'act' | 'inspectContainer' | 'listContainers' | 'hosts'>;
  readonly ops: ContainerUpdatePort;
  readonly state: UpdateState;
  readonly clock: Clock;
  readonly log: Logger;
  readonly expected: Pick<ExpectedChanges, 'expect' | 'settle'> | undefined;
  /** How long the new container has to be running (and healthy, with a health check). */
  readonly startTimeoutMs: number;
  /** Without a health check, the new container must stay up this long to count as running. */
  readonly minUpMs: number;
}

/** What to run: the tag, pulled first (update) or already pointing at the wanted image (rollback). */
export interface Replacement {
  readonly host: number;
  readonly container: ContainerDetails;
  readonly ref: string;
  readonly pull: boolean;
}

const POLL_MS = 250;
/** Alerts about the containers stay quiet this long after the change is over. */
const QUIET_AFTER_MS = 30_000;
/** Names are ≤ 128 characters; the kept container's suffix must fit. */
const KEPT_SUFFIX = '-tmbot-old';

/** The old container's name while its successor is tried. */
export const keptName = (name: string): string =>
  `${name.slice(0, 128 - KEPT_SUFFIX.length)}${KEPT_SUFFIX}`;

/** What the run has changed so far, for the rollback. */
interface Done {
  stopped: boolean;
  renamed: boolean;
  newId?: string;
}

/**
 * Replaces a container by one with the same configuration on the image `ref` names
 * (after a pull, for an update): stop, keep the old one renamed, create, start, wait
 * for running (and healthy), then remove the old one. Any failure puts the old one
 * back. Alerts are told first, so none of it reads as a crash.
 */
export class UpdateRunner {
  constructor(private readonly deps: UpdateRunDeps) {}

  private label(host: number): string {
    return this.deps.docker.hosts[host]?.label ?? String(host);
  }

  async replace(r: Replacement, progress: (p: UpdateProgress) => void): Promise<UpdateOutcome> {
    const { clock, ops } = this.deps;
    const t0 = clock.now();
    const c = r.container;
    const quiet = [c.name, keptName(c.name), r.ref];
    this.deps.expected?.expect(this.label(r.host), quiet, this.deps.startTimeoutMs + 15 * 60_000);
    try {
      let imageId: string;
      try {
        progress({ step: 'pull' });
        imageId = r.pull
          ? await ops.pullImage(r.host, r.ref, (pull) => progress({ step: 'pull', pull }))
          : ((await ops.imageIdOf(r.host, r.ref)) ?? '');
      } catch (error) {
        return { ok: false, failedAt: 'pull', why: { kind: 'error', error }, restored: true };
      }
      if (imageId === c.imageId) return { ok: 'unchanged', imageId };
      const done: Done = { stopped: false, renamed: false };
      const failed = await this.swap(r, done, progress);
      if (failed !== undefined) return await this.restore(r, done, failed);
      progress({ step: 'cleanup' });
      await ops
        .removeContainer(r.host, c.id)
        .catch((err: unknown) =>
          this.deps.log.warn('could not remove the old container after an update', { error: err }),
        );
      await this.deps.state.clearJournal(this.label(r.host), c.name);
      return {
        ok: true,
        newId: done.newId ?? '',
        oldImageId: c.imageId,
        newImageId: imageId,
        tookMs: clock.now() - t0,
      };
    } finally {
      this.deps.expected?.settle(this.label(r.host), quiet, QUIET_AFTER_MS);
    }
  }

  /** Stop, rename, create, start, verify; the failed step and why, or undefined when all went well. */
  private async swap(
    r: Replacement,
    done: Done,
    progress: (p: UpdateProgress) => void,
  ): Promise<{ step: UpdateStep; why: UpdateWhy } | undefined> {
    const { docker, ops, state, clock } = this.deps;
    const c = r.container;
    const wasRunning = ['running', 'restarting', 'paused'].includes(c.state);
    const journal = {
      host: this.label(r.host),
      name: c.name,
      oldId: c.id,
      keptAs: keptName(c.name),
      wasRunning,
      at: clock.now(),
    };
    let step: UpdateStep = 'stop';
    try {
      await state.setJournal(journal);
      progress({ step });
      if (wasRunning) await docker.act(r.host, c.id, 'stop');
      done.stopped = true;
      await ops.renameContainer(r.host, c.id, journal.keptAs);
      done.renamed = true;
      step = 'create';
      progress({ step });
      done.newId = await ops.cloneContainer(r.host, c.id, { name: c.name, image: r.ref });
      await state.setJournal({ ...journal, newId: done.newId });
      if (!wasRunning) return undefined;
      step = 'start';
      progress({ step });
      await docker.act(r.host, done.newId, 'start');
      step = 'verify';
      progress({ step });
      const why = await this.verify(r.host, done.newId);
      return why === undefined ? undefined : { step, why };
    } catch (error) {
      return { step, why: { kind: 'error', error } };
    }
  }

  /**
   * Waits until the new container is running — healthy, with a health check; up for
   * `minUpMs` without one — within `startTimeoutMs`. Undefined when it is.
   */
  private async verify(host: number, id: string): Promise<UpdateWhy | undefined> {
    const { docker, clock, startTimeoutMs, minUpMs } = this.deps;
    const deadline = clock.now() + startTimeoutMs;
    let upSince: number | undefined;
    let last: ContainerDetails | undefined;
    for (;;) {
      // A busy engine may miss one quick deadline: that is no verdict on the new container.
      const seen = await docker.inspectContainer(host, id).then(
        (c) => ({ c }),
        (error: unknown) => ({ error }),
      );
      if ('error' in seen) {
        if (!(seen.error instanceof DockerUnavailableError) || clock.now() >= deadline)
          return { kind: 'error', error: seen.error };
        await clock.sleep(POLL_MS);
        continue;
      }
      last = seen.c;
      if (last === undefined) return { kind: 'error', error: new DockerError('container_gone') };
      if (['exited', 'dead', 'restarting'].includes(last.state))
        return { kind: 'exited', exitCode: last.exitCode };
      // A new container starts with no restarts: any means it exited in between two looks.
      if (last.restartCount > 0) return { kind: 'exited', exitCode: undefined };
      if (last.health === 'unhealthy')
        return { kind: 'unhealthy', output: last.lastHealthCheck?.output ?? '' };
      const now = clock.now();
      if (last.state === 'running') {
        upSince ??= now;
        if (last.health === 'healthy' || (last.health === 'none' && now - upSince >= minUpMs))
          return undefined;
      } else upSince = undefined;
      if (now >= deadline) return { kind: 'timeout', state: last.state, health: last.health };
      await clock.sleep(POLL_MS);
    }
  }

  /** Puts the old container back: new one removed, old one renamed back and started. */
  private async restore(
    r: Replacement,
    done: Done,
    failed: { step: UpdateStep; why: UpdateWhy },
  ): Promise<UpdateOutcome> {
    const { docker, ops, state, log } = this.deps;
    const c = r.container;
    const base = { ok: false as const, failedAt: failed.step, why: failed.why };
    try {
      if (done.newId !== undefined) await ops.removeContainer(r.host, done.newId);
      if (done.renamed) await ops.renameContainer(r.host, c.id, c.name);
      const wasRunning = ['running', 'restarting', 'paused'].includes(c.state);
      if (done.stopped && wasRunning) await docker.act(r.host, c.id, 'start');
      await state.clearJournal(this.label(r.host), c.name);
      log.warn('image update rolled back', { container: c.name, step: failed.step });
      return { ...base, restored: true };
    } catch (restoreError) {
      log.error('could not put the old container back after a failed update', {
        container: c.name,
        error: restoreError,
      });
      return { ...base, restored: false, restoreError };
    }
  }

  /**
   * Finishes what a crash interrupted: every journalled update is rolled back (the old
   * container renamed back and started, the new one removed). Hosts that do not answer
   * keep their journal for the next start.
   */
  async recover(): Promise<number> {
    const { docker, ops, state, log } = this.deps;
    let recovered = 0;
    for (const j of state.journals()) {
      const host = docker.hosts.findIndex((h) => h.label === j.host);
      try {
        const old = host < 0 ? undefined : await docker.inspectContainer(host, j.oldId);
        if (host >= 0 && old !== undefined) {
          const quiet = [j.name, j.keptAs];
          this.deps.expected?.expect(j.host, quiet, QUIET_AFTER_MS);
          // Created but not yet journalled: the successor is found by the name it took.
          const successor =
            j.newId ??
            (await docker.listContainers(host)).find((x) => x.name === j.name && x.id !== j.oldId)
              ?.id;
          if (successor !== undefined) await ops.removeContainer(host, successor);
          if (old.name !== j.name) await ops.renameContainer(host, j.oldId, j.name);
          if (j.wasRunning) await docker.act(host, j.oldId, 'start');
          // The pull may have moved the tag: it names what the container runs again.
          await ops.tagImage(host, old.imageId, old.image).catch(() => undefined);
          log.warn('an interrupted image update was rolled back', { container: j.name });
          recovered++;
        }
        await state.clearJournal(j.host, j.name);
      } catch (err) {
        log.warn('could not roll back an interrupted image update yet', {
          container: j.name,
          error: err,
        });
      }
    }
    return recovered;
  }
}
