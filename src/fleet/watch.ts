import type { AlertEngine } from '../alerts/engine';
import { LOCAL_HOST, type AlertFacts, type AlertRecord } from '../alerts/types';
import type { Clock, Timer } from '../clock';
import type { AlertsConfig } from '../config/types';
import type { Logger } from '../log/logger';
import { keyFigures, usedPercent, type HostThresholds } from './health';
import type { HostStatus, RemoteSnapshot } from './port';

type ThresholdKind = 'cpu' | 'memory' | 'disk';

export interface WatchDeps {
  /** A fresh read of every host (bypassing screen caches). */
  readonly read: () => Promise<readonly HostStatus[]>;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Consecutive failed scrapes before "unreachable". */
  readonly unreachableAfter: number;
  readonly thresholds: HostThresholds;
  /** Debounce and hysteresis per condition, as for this host (`alerts.conditions`). */
  readonly conditions: Pick<AlertsConfig['conditions'], ThresholdKind>;
  /** The core's alert engine: lifecycle, buttons, persistence, delivery. */
  readonly engine: Pick<AlertEngine, 'fire' | 'resolve' | 'find' | 'active'>;
  readonly counted: (severity: string, state: string) => void;
  readonly log: Logger;
}

/** One remote figure compared with its threshold (over when ≥, as the Fleet screen judges). */
interface RemoteReading {
  readonly kind: ThresholdKind;
  /** The alert's target: "CPU", "Memory", "Disk /var". */
  readonly label: string;
  readonly value: number;
  readonly threshold: number;
}

interface HostMemory {
  failures: number;
  /** Consecutive scrapes over the threshold, per reading label. */
  readonly streaks: Map<string, number>;
}

/** Hosts remembered at most; a Prometheus group cannot grow this without bound. */
const MAX_HOSTS = 10_000;

/** The figures a remote host is alerted on: CPU busy, memory in use, each file system. */
export function remoteReadings(s: RemoteSnapshot, t: HostThresholds): RemoteReading[] {
  const f = keyFigures(s);
  const out: RemoteReading[] = [];
  if (f.cpu !== undefined) out.push({ kind: 'cpu', label: 'CPU', value: f.cpu, threshold: t.cpu });
  if (f.memory !== undefined)
    out.push({ kind: 'memory', label: 'Memory', value: f.memory, threshold: t.memory });
  for (const fs of s.filesystems) {
    const used = usedPercent(fs);
    if (used !== undefined)
      out.push({ kind: 'disk', label: `Disk ${fs.mount}`, value: used, threshold: t.disk });
  }
  return out;
}

/**
 * Remote-host alerts through the alert engine: "unreachable" after N failed scrapes in a row
 * (resolved when the host answers again), and the monitor's thresholds on remote figures with
 * the same debounce and hysteresis as this host's. Each alert is named by its host, so Ack,
 * Snooze and Mute act on one host and one rule; the engine's persisted state means a restart
 * neither repeats an open alert nor forgets to resolve it.
 */
export class FleetWatch {
  private readonly hosts = new Map<string, HostMemory>();
  private timer: Timer | undefined;
  private running = false;

  constructor(private readonly deps: WatchDeps) {}

  start(): void {
    this.timer ??= this.deps.clock.setInterval(() => void this.tick(), this.deps.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One round; a round still running makes the next one skip. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const statuses = await this.deps.read();
      for (const s of statuses) this.judgeHost(s);
      // Only a round where every listed host answered says for sure who is gone (a Prometheus
      // group that cannot be read lists its name, not its hosts).
      if (statuses.every((s) => s.state !== 'down'))
        this.forgetGone(new Set(statuses.map((s) => s.name)));
    } catch (err) {
      this.deps.log.warn('fleet: could not read the remote hosts', { error: err });
    } finally {
      this.running = false;
    }
  }

  private memory(name: string): HostMemory {
    let m = this.hosts.get(name);
    if (m === undefined) {
      m = { failures: 0, streaks: new Map() };
      if (this.hosts.size < MAX_HOSTS) this.hosts.set(name, m);
    }
    return m;
  }

  private judgeHost(s: HostStatus): void {
    const { engine } = this.deps;
    const m = this.memory(s.name);
    if (s.state === 'down' || s.snapshot === undefined) {
      m.failures++;
      if (m.failures >= this.deps.unreachableAfter) {
        const facts = { kind: 'host_unreachable' as const, failures: m.failures };
        this.raise(s.name, s.name, { ...facts, reason: s.error ?? 'no answer' });
      }
      return;
    }
    m.failures = 0;
    this.clear('host_unreachable', s.name, s.name);
    const readings = remoteReadings(s.snapshot, this.deps.thresholds);
    for (const r of readings) {
      const rule = this.deps.conditions[r.kind];
      if (r.value >= r.threshold) {
        const streak = (m.streaks.get(r.label) ?? 0) + 1;
        m.streaks.set(r.label, streak);
        if (streak >= rule.debounceChecks)
          this.raise(s.name, r.label, { ...r, value: round(r.value), unit: '%' });
      } else {
        m.streaks.delete(r.label);
        if (r.value < r.threshold - rule.hysteresis) this.clear(r.kind, s.name, r.label);
      }
    }
    // A file system that is gone (unmounted, or no longer exported) resolves quietly.
    if (s.snapshot.filesystems.length === 0) return;
    const labels = new Set(readings.map((r) => r.label));
    for (const a of engine.active())
      if (a.host === s.name && a.facts.kind === 'disk' && !labels.has(a.target))
        this.clear('disk', s.name, a.target, true);
  }

  /**
   * A host no longer configured, or no longer in its Prometheus group: its open alerts resolve
   * quietly (the message is edited, no note) and its memory is dropped.
   */
  private forgetGone(names: ReadonlySet<string>): void {
    for (const a of this.deps.engine.active())
      if (isRemoteAlert(a) && !names.has(a.host)) this.clear(a.facts.kind, a.host, a.target, true);
    for (const name of [...this.hosts.keys()]) if (!names.has(name)) this.hosts.delete(name);
  }

  /** Fires unless an alert of this identity is already open (the engine keeps it across restarts). */
  private raise(host: string, target: string, facts: AlertFacts): void {
    if (this.deps.engine.find(facts.kind, host, target) !== undefined) return;
    const r = this.deps.engine.fire({ host, target, facts });
    this.deps.counted(r.severity, 'firing');
  }

  private clear(kind: AlertFacts['kind'], host: string, target: string, quiet = false): void {
    const open = this.deps.engine.find(kind, host, target);
    if (open !== undefined && this.deps.engine.resolve(kind, host, target, quiet))
      this.deps.counted(open.severity, 'resolved');
  }
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** Raised by this watch: only remote hosts are unreachable, and this host's CPU, memory and disk alerts are the monitor's. */
function isRemoteAlert(a: AlertRecord): boolean {
  const k = a.facts.kind;
  return (
    k === 'host_unreachable' ||
    ((k === 'cpu' || k === 'memory' || k === 'disk') && a.host !== LOCAL_HOST)
  );
}
