import type { DockerPort } from '../../adapters/docker/port';
import type { SystemPort } from '../../adapters/system/system-port';
import type { Clock } from '../../clock';
import type { MonitorConfig } from '../../config/types';
import type { Logger } from '../../log/logger';
import type { StateStore } from '../../state/json-store';
import type { Sender } from '../../telegram/sender';
import { foldedView, noticeView, type MonitorStatus } from './views';
import type { View } from '../../views/view';
import { DockerWatch } from './docker-watch';
import type { Notice } from './notices';
import { DEBOUNCE_CHECKS, HYSTERESIS_POINTS, readings, type Reading } from './rules';

export interface MonitorDeps {
  config: MonitorConfig;
  system: SystemPort;
  /** Watched only when `config.monitorDocker`. */
  docker: DockerPort;
  sender: Pick<Sender, 'send'>;
  /** Where alerts go (global_chat_id). */
  chatIds: readonly number[];
  store: StateStore;
  clock: Clock;
  log: Logger;
}

interface Condition {
  streak: number;
  /** When the alert fired; undefined while not alerting. */
  since: number | undefined;
  last: Reading;
}

/** Held notices kept in full; beyond this only the count grows (the summary says how many). */
const HELD_MAX = 200;
const TOP_PROCESSES = 5;

/**
 * The monitor plugin's engine: one `check()` reads the host (and Docker),
 * turns threshold crossings into notices with debounce and hysteresis, and
 * delivers them within the notification budget; notices over budget are held
 * and later sent folded into one summary, never dropped.
 */
export class Monitor {
  private readonly conditions = new Map<string, Condition>();
  private readonly dockerWatch: DockerWatch | undefined;
  private dockerState: MonitorStatus['docker'];
  private checkedAt: number | undefined;
  private windowStart = Number.NEGATIVE_INFINITY;
  private sentInWindow = 0;
  private held: Notice[] = [];
  private heldCount = 0;
  private dockerFailing = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: MonitorDeps) {
    this.dockerWatch = deps.config.monitorDocker
      ? new DockerWatch(deps.docker, deps.store, deps.log)
      : undefined;
    this.dockerState = this.dockerWatch === undefined ? 'off' : 'unavailable';
  }

  /** Starts checking every `check_interval` seconds (first check at once). */
  start(): void {
    if (this.abort !== undefined) return;
    if (this.deps.chatIds.length === 0)
      this.deps.log.warn('monitor: no global_chat_id is configured; alerts have nowhere to go');
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal);
  }

  /** Stops the loop and waits for a check in progress. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = undefined;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.check();
      } catch (err) {
        this.deps.log.warn('monitor check failed', { error: err });
      }
      await this.deps.clock.sleep(this.deps.config.checkIntervalSeconds * 1000, signal);
    }
  }

  /** One check: read, evaluate, deliver. */
  async check(): Promise<void> {
    const { system, config, clock } = this.deps;
    const [cpu, memory, filesystems, sensors] = await Promise.allSettled([
      system.cpu(),
      system.memory(),
      system.filesystems(),
      system.sensors(),
    ]);
    const readKinds = new Set<Reading['kind']>();
    if (cpu.status === 'fulfilled') readKinds.add('cpu');
    if (memory.status === 'fulfilled') readKinds.add('memory');
    if (filesystems.status === 'fulfilled') readKinds.add('disk');
    if (sensors.status === 'fulfilled') readKinds.add('temperature');
    const sample = readings(config.thresholds, {
      ...(cpu.status === 'fulfilled' ? { cpu: cpu.value.usage.total } : {}),
      ...(memory.status === 'fulfilled' ? { memory: memory.value } : {}),
      ...(filesystems.status === 'fulfilled' ? { filesystems: filesystems.value } : {}),
      ...(sensors.status === 'fulfilled' ? { temperatures: sensors.value.temperatures } : {}),
    });
    const notices = await this.evaluate(sample, readKinds, clock.now());
    if (this.dockerWatch !== undefined) notices.push(...(await this.checkDocker(this.dockerWatch)));
    this.checkedAt = clock.now();
    await this.deliver(notices);
  }

  private async evaluate(
    sample: readonly Reading[],
    readKinds: ReadonlySet<Reading['kind']>,
    now: number,
  ): Promise<Notice[]> {
    const notices: Notice[] = [];
    const seen = new Set<string>();
    for (const r of sample) {
      seen.add(r.key);
      const c = this.conditions.get(r.key) ?? { streak: 0, since: undefined, last: r };
      c.last = r;
      this.conditions.set(r.key, c);
      if (r.value > r.threshold) {
        c.streak++;
        if (c.since === undefined && c.streak >= DEBOUNCE_CHECKS) {
          c.since = now;
          notices.push(await this.alert(r));
        }
      } else {
        c.streak = 0;
        if (c.since !== undefined && r.value < r.threshold - HYSTERESIS_POINTS) {
          notices.push({ kind: 'resolved', reading: r, durationMs: now - c.since, gone: false });
          c.since = undefined;
        }
      }
    }
    for (const [key, c] of [...this.conditions]) {
      // A metric that failed to read this time says nothing about its sensors or disks.
      if (seen.has(key) || !readKinds.has(c.last.kind)) continue;
      if (c.since !== undefined)
        notices.push({ kind: 'resolved', reading: c.last, durationMs: now - c.since, gone: true });
      this.conditions.delete(key);
    }
    return notices;
  }

  private async alert(r: Reading): Promise<Notice> {
    if (r.kind !== 'cpu' && r.kind !== 'memory') return { kind: 'alert', reading: r };
    const top = await this.deps.system.topProcesses(TOP_PROCESSES).catch(() => undefined);
    if (top === undefined) return { kind: 'alert', reading: r };
    return { kind: 'alert', reading: r, top: r.kind === 'cpu' ? top.byCpu : top.byMemory };
  }

  private async checkDocker(watch: DockerWatch): Promise<Notice[]> {
    try {
      const notices = await watch.check();
      if (this.dockerFailing) this.deps.log.info('monitor: Docker engine reachable again');
      this.dockerFailing = false;
      this.dockerState = 'ok';
      return notices;
    } catch (err) {
      if (!this.dockerFailing)
        this.deps.log.warn('monitor: cannot read Docker; will keep trying', { error: err });
      this.dockerFailing = true;
      this.dockerState = 'unavailable';
      return [];
    }
  }

  /** Sends within the budget; the rest is held and goes out later as one summary. */
  private async deliver(notices: readonly Notice[]): Promise<void> {
    const { config, clock } = this.deps;
    const now = clock.now();
    const windowMs = config.resetNotificationMinutes * 60_000;
    if (now >= this.windowStart + windowMs) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.heldCount > 0 && this.sentInWindow < config.maxNotifications) {
      const folded = foldedView(this.held, this.heldCount, config.resetNotificationMinutes);
      this.held = [];
      this.heldCount = 0;
      this.sentInWindow++;
      await this.send(folded);
    }
    for (const n of notices) {
      if (this.sentInWindow < config.maxNotifications) {
        this.sentInWindow++;
        await this.send(noticeView(n));
      } else {
        this.heldCount++;
        if (this.held.length < HELD_MAX) this.held.push(n);
      }
    }
  }

  private async send(view: View): Promise<void> {
    for (const chatId of this.deps.chatIds) {
      await this.deps.sender
        .send(chatId, view)
        .catch((err: unknown) =>
          this.deps.log.warn('monitor: could not send an alert', { error: err, chatId }),
        );
    }
  }

  /** The latest readings and alerts, for the status screen. */
  status(): MonitorStatus {
    const conditions = [...this.conditions.values()];
    return {
      checkedAt: this.checkedAt,
      intervalSeconds: this.deps.config.checkIntervalSeconds,
      readings: conditions.map((c) => c.last),
      active: conditions.flatMap((c) =>
        c.since !== undefined ? [{ reading: c.last, since: c.since }] : [],
      ),
      held: this.heldCount,
      docker: this.dockerState,
      dockerActive: this.dockerWatch?.active() ?? [],
    };
  }
}
