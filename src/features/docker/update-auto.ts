import type { ContainerDetails, DockerPort } from '../../adapters/docker/port';
import { ALERTS_STATE_FILE, isAlertsDoc, sanitiseDoc } from '../../alerts/state';
import type { Clock, Timer } from '../../clock';
import type { Logger } from '../../log/logger';
import type { AuditLog } from '../../security/second-factor';
import type { StateStore } from '../../state/json-store';
import type { HostContext } from '../../views/docker-containers';
import { canUpdate, type ContainerUpdateStatus } from '../../views/docker-update';
import { UPDATE_LABEL, updatePolicy } from '../../views/docker-update-actions';
import { updateResultView, whyText } from '../../views/docker-update-result';
import type { View } from '../../views/view';
import { applyReplacement, type ApplyDeps } from './update-apply';

/** A maintenance window as the alert engine keeps it. */
export interface MaintenanceWindow {
  readonly startedAt: number;
  readonly until: number;
}

/** How often containers labelled `tmbot.update=auto` are looked at during maintenance. */
export const AUTO_UPDATE_EVERY_MS = 5 * 60_000;
/** The audit's user for unattended updates. */
export const AUTO_USER = 0;

/** What unattended updates need besides the runner. */
export interface AutoUpdateDeps {
  readonly docker: Pick<DockerPort, 'hosts' | 'listContainers' | 'inspectContainer'>;
  readonly apply: ApplyDeps;
  /** What the registry says now about the tag the container was created from. */
  statusOf(host: number, c: ContainerDetails): Promise<ContainerUpdateStatus>;
  /** The maintenance window now, if one is on. */
  maintenance(): MaintenanceWindow | undefined;
  readonly audit: AuditLog;
  /** Sends a message to the admin chats (`chat_id.global_chat_id`). */
  notify(view: View): Promise<void>;
  ctx(host: number): HostContext;
  /** Containers being updated right now ("host/name"), shared with the Update button. */
  readonly busy: Set<string>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly everyMs?: number;
}

/** The maintenance window the alert engine persisted (what `tmbot maintenance status` reads). */
export function persistedMaintenance(
  store: StateStore,
  clock: Clock,
): MaintenanceWindow | undefined {
  const saved = store.read(ALERTS_STATE_FILE, isAlertsDoc);
  const m = saved === undefined ? undefined : sanitiseDoc(saved).maintenance;
  return m !== undefined && m.until > clock.now() ? m : undefined;
}

/**
 * Unattended updates (docs/updates.md): while maintenance is on, every container labelled
 * `tmbot.update=auto` whose tag has an update (and no pin) is updated by the same runner
 * as the Update button — same checks, same rollback — at most once per maintenance
 * window (remembered in the state dir, so a restart inside the window does not repeat
 * it), audited as user 0 and reported to the admin chats.
 */
export class AutoUpdater {
  private timer: Timer | undefined;
  private running = false;

  constructor(private readonly deps: AutoUpdateDeps) {}

  start(): void {
    this.timer ??= this.deps.clock.setInterval(() => {
      void this.tick();
    }, this.deps.everyMs ?? AUTO_UPDATE_EVERY_MS);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One look: the number of containers an update was tried on. */
  async tick(): Promise<number> {
    const m = this.deps.maintenance();
    if (m === undefined) this.deps.log.debug('unattended updates wait for a maintenance window');
    if (m === undefined || this.running) return 0;
    this.running = true;
    let tried = 0;
    try {
      for (const h of this.deps.docker.hosts)
        tried += await this.host(h.index, h.label, m.startedAt);
    } finally {
      this.running = false;
    }
    return tried;
  }

  private async host(host: number, label: string, window: number): Promise<number> {
    const { docker, log, apply } = this.deps;
    const list = await docker.listContainers(host).catch((err: unknown) => {
      log.warn('unattended updates: the engine did not list its containers', {
        host: label,
        error: err,
      });
      return [];
    });
    let tried = 0;
    for (const s of list) {
      if (s.labels?.[UPDATE_LABEL]?.trim().toLowerCase() !== 'auto') continue;
      const key = `${host}/${s.name}`;
      if (apply.state.autoTried(window, label, s.name) || this.deps.busy.has(key)) continue;
      try {
        if (await this.one({ host, label, window }, s.id, key)) tried++;
      } catch (err) {
        log.warn('unattended update of a container failed', { container: s.name, error: err });
      }
    }
    return tried;
  }

  /** Updates one container if it still qualifies; true when an update was tried. */
  private async one(
    where: { host: number; label: string; window: number },
    id: string,
    key: string,
  ): Promise<boolean> {
    const { docker, apply, busy } = this.deps;
    const { host, label } = where;
    const c = await docker.inspectContainer(host, id);
    if (c === undefined || this.deps.maintenance() === undefined) return false;
    const data = {
      policy: updatePolicy(c.config.labels),
      pinned: apply.state.pin(label, c.name),
      status: await this.deps.statusOf(host, c),
    };
    if (data.policy !== 'auto' || !canUpdate(data)) return false;
    // Persisted first: a restart inside the window does not update it again.
    await apply.state.markAutoTried(where.window, label, c.name);
    busy.add(key);
    try {
      await this.update(host, label, c);
    } finally {
      busy.delete(key);
    }
    return true;
  }

  private async update(host: number, label: string, c: ContainerDetails): Promise<void> {
    const { apply, audit, log } = this.deps;
    log.info('unattended update started (maintenance)', { host: label, container: c.name });
    const { outcome, result } = await applyReplacement(
      apply,
      { host, label, container: c },
      'update',
      () => undefined,
    );
    const target = `${this.deps.docker.hosts.length > 1 ? `${label} ` : ''}${c.name} (${c.id.slice(0, 12)})`;
    await audit.record({
      userId: AUTO_USER,
      action: 'container.update',
      target,
      outcome: outcome.ok === false ? 'failed' : 'ok',
      detail: outcome.ok === false ? `auto: ${whyText(outcome.why)}` : 'auto (maintenance)',
    });
    log.info(
      `unattended container update ${outcome.ok === true ? 'done' : outcome.ok === false ? 'failed' : 'unchanged'}`,
      { host: label, container: c.name },
    );
    await this.deps.notify(
      updateResultView({
        ...this.deps.ctx(host),
        name: c.name,
        id: outcome.ok === true ? outcome.newId : c.id,
        page: 0,
        op: 'update',
        image: c.image,
        result,
        unattended: true,
      }),
    );
  }
}
