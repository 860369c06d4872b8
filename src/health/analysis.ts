/**
 * Host analysis for the Health screen (pyTMBot's health score): a 0–100 score, the dominant
 * pressure, CPU/RAM levels at 70 % / 85 %, the Docker running/stopped picture and what to do.
 * Pure: the numbers come from SystemPort and DockerPort.
 */

export type Pressure = 'CPU' | 'memory' | 'disk' | 'I/O';
export type PressureLevel = 'normal' | 'elevated' | 'critical';

/** Elevated from 70 %, critical from 85 % (pyTMBot's CPU/RAM levels). */
export const PRESSURE_LEVELS = { elevated: 70, critical: 85 } as const;
/** I/O wait is a share of CPU time: this many percent already means the disks hold work up. */
const IOWAIT_FULL_SCALE = 25;

export interface HostSample {
  readonly cpuPercent: number | undefined;
  readonly iowaitPercent: number | undefined;
  readonly memoryPercent: number | undefined;
  /** The fullest filesystem. */
  readonly disk: { readonly mount: string; readonly percent: number } | undefined;
  readonly load1: number | undefined;
  readonly cores: number;
  readonly docker: { readonly running: number; readonly total: number } | undefined;
}

export interface HostAnalysis {
  readonly score: number;
  readonly dominant: { readonly pressure: Pressure; readonly percent: number } | undefined;
  readonly levels: Readonly<Record<Pressure, PressureLevel | undefined>>;
  readonly docker:
    | {
        readonly running: number;
        readonly stopped: number;
        readonly runningShare: number;
        readonly perCore: number;
      }
    | undefined;
  readonly recommendations: readonly string[];
}

export function pressureLevel(percent: number | undefined): PressureLevel | undefined {
  if (percent === undefined || !Number.isFinite(percent)) return undefined;
  if (percent >= PRESSURE_LEVELS.critical) return 'critical';
  return percent >= PRESSURE_LEVELS.elevated ? 'elevated' : 'normal';
}

const clampPercent = (n: number | undefined): number | undefined =>
  n === undefined || !Number.isFinite(n) ? undefined : Math.min(100, Math.max(0, n));

const WEIGHTS: Readonly<Record<Pressure, number>> = {
  CPU: 0.3,
  memory: 0.3,
  disk: 0.25,
  'I/O': 0.15,
};
const LEVEL_PENALTY: Readonly<Record<PressureLevel, number>> = {
  normal: 0,
  elevated: 5,
  critical: 15,
};

export function analyseHost(s: HostSample): HostAnalysis {
  const io = clampPercent(s.iowaitPercent);
  const pressures: Record<Pressure, number | undefined> = {
    CPU: clampPercent(s.cpuPercent),
    memory: clampPercent(s.memoryPercent),
    disk: clampPercent(s.disk?.percent),
    'I/O': io === undefined ? undefined : Math.min(100, (io / IOWAIT_FULL_SCALE) * 100),
  };
  const known = (Object.keys(pressures) as Pressure[]).flatMap((p) => {
    const v = pressures[p];
    return v === undefined ? [] : [{ pressure: p, percent: v }];
  });
  const levels = {
    CPU: pressureLevel(pressures.CPU),
    memory: pressureLevel(pressures.memory),
    disk: pressureLevel(pressures.disk),
    'I/O': pressureLevel(pressures['I/O']),
  };
  const weight = known.reduce((sum, k) => sum + WEIGHTS[k.pressure], 0);
  const load =
    weight > 0 ? known.reduce((sum, k) => sum + WEIGHTS[k.pressure] * k.percent, 0) / weight : 0;
  const penalty = known.reduce((sum, k) => sum + LEVEL_PENALTY[levels[k.pressure] ?? 'normal'], 0);
  const score = Math.round(Math.min(100, Math.max(0, 100 - load * 0.5 - penalty)));
  const dominant = known.reduce<(typeof known)[number] | undefined>(
    (top, k) => (top === undefined || k.percent > top.percent ? k : top),
    undefined,
  );
  const docker =
    s.docker === undefined
      ? undefined
      : {
          running: s.docker.running,
          stopped: Math.max(0, s.docker.total - s.docker.running),
          runningShare: s.docker.total > 0 ? s.docker.running / s.docker.total : 1,
          perCore: s.docker.running / Math.max(1, s.cores),
        };
  return { score, dominant, levels, docker, recommendations: recommend(s, levels, docker) };
}

function recommend(
  s: HostSample,
  levels: HostAnalysis['levels'],
  docker: HostAnalysis['docker'],
): string[] {
  const out: string[] = [];
  if (levels.CPU === 'critical')
    out.push('CPU is saturated: look at Server → Top processes and the busiest containers.');
  else if (levels.CPU === 'elevated') out.push('CPU is busy: watch it, and the load average.');
  if (levels.memory === 'critical')
    out.push(
      'Memory is nearly full: restart or limit the largest processes/containers, or add swap.',
    );
  else if (levels.memory === 'elevated')
    out.push('Memory use is high: check for leaks in long-running services.');
  if (s.disk !== undefined && levels.disk !== 'normal' && levels.disk !== undefined)
    out.push(
      `${s.disk.mount} is ${Math.round(s.disk.percent)}% full: prune unused Docker images and old logs.`,
    );
  if (levels['I/O'] === 'critical' || levels['I/O'] === 'elevated')
    out.push(
      'Processes wait on the disks (I/O wait): look for heavy writers, backups or swapping.',
    );
  if (s.load1 !== undefined && s.load1 > s.cores * 1.5)
    out.push(`Load ${s.load1.toFixed(2)} is over 1.5× the ${s.cores} cores: work is queueing.`);
  if (docker !== undefined && docker.stopped > 0 && docker.stopped >= docker.running)
    out.push(
      `${docker.stopped} containers are stopped: remove those no longer needed (docker container prune).`,
    );
  return out;
}
