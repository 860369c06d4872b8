import type { DockerPort } from '../adapters/docker/port';
import type { UpdateCheckPort } from '../adapters/docker/update-checker';
import type { ProcessRow, SystemPort } from '../adapters/system/system-port';
import type { PastAlert } from '../alerts/state';
import type { AlertRecord } from '../alerts/types';
import { withTimeout, type Clock } from '../clock';
import type { Forecast } from '../history/forecast';
import type { HistoryService } from '../history/service';
import type { ReportKind } from './scheduler';

/** One Docker host in a report. */
export interface HostFacts {
  readonly label: string;
  /** Why the engine could not be asked; the counts are then 0. */
  readonly error?: string;
  readonly running: number;
  readonly total: number;
  /** Containers (re)started within the period, with their restart count. */
  readonly restarted: readonly { readonly name: string; readonly restarts: number }[];
}

export interface DiskFacts {
  readonly mount: string;
  readonly usedPct: number;
  /** The week's trend (the day's when a week is not recorded yet), when history has one. */
  readonly forecast?: Forecast;
}

/** Everything one report says; the view turns it into words. */
export interface ReportData {
  readonly kind: ReportKind;
  readonly fromMs: number;
  readonly toMs: number;
  readonly timeZone: string;
  readonly uptimeSeconds?: number;
  readonly hosts: readonly HostFacts[];
  readonly alerts: {
    /** Alerts fired in the period that the engine still holds (named in the report). */
    readonly fired: readonly AlertRecord[];
    /** Alerts fired in the period, the ones no longer held included. */
    readonly firedCount: number;
    readonly resolved: number;
    readonly open: number;
  };
  readonly disks: readonly DiskFacts[];
  /** Image tags with a newer digest; undefined when updates were not checked. */
  readonly updates?: readonly string[];
  readonly topCpu: readonly ProcessRow[];
  readonly topMemory: readonly ProcessRow[];
}

/** The system reads a report makes. */
export type ReportSystem = Pick<SystemPort, 'uptime' | 'topProcesses' | 'filesystems'>;
/** The Docker reads a report makes. */
export type ReportDocker = Pick<
  DockerPort,
  'hosts' | 'listContainers' | 'inspectContainer' | 'listImages'
>;

export interface ReportSources {
  readonly system: ReportSystem;
  readonly docker: ReportDocker;
  /** Every alert the engine still holds (resolved ones for 48 h). */
  readonly alerts: () => readonly AlertRecord[];
  /** Resolved alerts the engine no longer holds, [firedAt, resolvedAt] (kept 8 days). */
  readonly pastAlerts: () => readonly PastAlert[];
  readonly history?: Pick<HistoryService, 'forecast'>;
  readonly updates?: UpdateCheckPort;
  readonly clock: Clock;
  readonly timeZone: string;
}

/** Each part of a report gets this long; a part that does not answer is left out. */
const PART_MS = 15_000;
/** Containers inspected per host for their start time and restarts. */
const MAX_INSPECT = 60;
const TOP = 3;

async function part<T>(clock: Clock, p: Promise<T>): Promise<T | undefined> {
  return withTimeout(clock, p, PART_MS).catch(() => undefined);
}

async function hostFacts(
  docker: ReportDocker,
  host: number,
  fromMs: number,
): Promise<Omit<HostFacts, 'label'>> {
  const list = await docker.listContainers(host);
  const running = list.filter((c) => c.state === 'running');
  const restarted: { name: string; restarts: number }[] = [];
  for (const c of running.slice(0, MAX_INSPECT)) {
    const d = await docker.inspectContainer(host, c.id).catch(() => undefined);
    // Started in the period but created before it: it was restarted (by hand or its policy).
    if (d?.startedAt !== undefined && d.startedAt >= fromMs && c.createdAt < fromMs)
      restarted.push({ name: c.name, restarts: d.restartCount });
  }
  return { running: running.length, total: list.length, restarted };
}

/** Tags of the images containers use that have a newer digest in their registry. */
async function updatesOf(s: ReportSources): Promise<string[]> {
  if (s.updates === undefined) return [];
  const tags = new Set<string>();
  for (const h of s.docker.hosts) {
    const [imgs, containers] = await Promise.all([
      s.docker.listImages(h.index),
      s.docker.listContainers(h.index),
    ]);
    const used = new Set(containers.map((c) => c.imageId));
    const results = await s.updates.check(imgs.filter((i) => used.has(i.id)));
    for (const r of results) if (r.status.kind === 'update') tags.add(r.tag);
  }
  return [...tags].sort();
}

/** Gathers a report's facts; every part is bounded in time and optional. */
export async function collectReport(
  s: ReportSources,
  kind: ReportKind,
  fromMs: number,
  toMs: number,
): Promise<ReportData> {
  const { clock } = s;
  const [uptime, top, filesystems, updates, ...hosts] = await Promise.all([
    part(clock, s.system.uptime()),
    part(clock, s.system.topProcesses(TOP)),
    part(clock, s.system.filesystems()),
    s.updates !== undefined ? part(clock, updatesOf(s)) : Promise.resolve(undefined),
    ...s.docker.hosts.map(async (h): Promise<HostFacts> => {
      try {
        const f = await withTimeout(clock, hostFacts(s.docker, h.index, fromMs), PART_MS);
        return f === undefined
          ? { label: h.label, error: 'no answer in time', running: 0, total: 0, restarted: [] }
          : { label: h.label, ...f };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return { label: h.label, error: reason.slice(0, 200), running: 0, total: 0, restarted: [] };
      }
    }),
  ]);
  const all = s.alerts();
  const past = s.pastAlerts();
  const inPeriod = (t: number | undefined): boolean => t !== undefined && t >= fromMs && t <= toMs;
  const fired = all.filter((a) => inPeriod(a.firedAt));
  return {
    kind,
    fromMs,
    toMs,
    timeZone: s.timeZone,
    ...(uptime !== undefined ? { uptimeSeconds: uptime.seconds } : {}),
    hosts,
    alerts: {
      fired,
      firedCount: fired.length + past.filter(([f]) => inPeriod(f)).length,
      resolved:
        all.filter((a) => a.state === 'resolved' && inPeriod(a.resolvedAt)).length +
        past.filter(([, r]) => inPeriod(r)).length,
      open: all.filter((a) => a.state !== 'resolved' && !a.oneShot).length,
    },
    disks: (filesystems ?? []).flatMap((f): DiskFacts[] => {
      if (f.sizeBytes === undefined || f.usedBytes === undefined || f.sizeBytes <= 0) return [];
      const fc = s.history?.forecast(f.mountPoint, f.sizeBytes);
      const forecast = fc?.week ?? fc?.day;
      return [
        {
          mount: f.mountPoint,
          usedPct: (f.usedBytes / f.sizeBytes) * 100,
          ...(forecast !== undefined ? { forecast } : {}),
        },
      ];
    }),
    ...(updates !== undefined ? { updates } : {}),
    topCpu: top?.byCpu.slice(0, TOP) ?? [],
    topMemory: top?.byMemory.slice(0, TOP) ?? [],
  };
}
