import type { FilesystemUsage, SystemPort } from '../adapters/system/system-port';
import type { HistoryService } from '../history/service';
import { withTimeout, type Clock } from '../clock';
import { DockerUnavailableError } from '../errors';
import type { Html } from '../views/html';
import { SCREEN_TITLES, unavailableBody, type ScreenNav, type ServerScreen } from '../views/server';
import {
  connectionsBody,
  coresBody,
  cpuBody,
  cpuTimesBody,
  diskIoBody,
  fansBody,
  filesystemsBody,
  interfacesBody,
  loadBody,
  memoryBody,
  networkBody,
  processBody,
  sensorsBody,
  swapBody,
  topBody,
  uptimeBody,
  usersBody,
} from '../views/server-bodies';
import { quickView, type QuickDockerLine } from '../views/server-quick';
import type { View } from '../views/view';
import type { Logger } from '../log/logger';
import { forecastLine, withForecasts } from '../views/history';

/** Rows in a Top list (pyTMBot's "Top 10"). */
const TOP_LIMIT = 10;
/** Quick view does not wait longer than this for Docker; it says so instead. */
const DOCKER_TIMEOUT_MS = 2000;

/** What the Server screens read: one SystemPort read each, a failed read shown as "not available". */
export interface ServerReads {
  screenBody(nav: ScreenNav): Promise<Html>;
  /** Quick view's overview: every reading at once, each allowed to fail alone. */
  overview(): Promise<View>;
}

/** What the reads need: the host, the clock, a logger, and Docker counts when Docker is configured. */
export interface ServerReadDeps {
  readonly system: SystemPort;
  readonly clock: Clock;
  readonly log: Logger;
  /** Charts and disk forecasts; absent when history is off. */
  readonly history?: Pick<HistoryService, 'forecast'>;
  /** Docker counts for Quick view; absent when this build has no Docker connection. */
  readonly dockerSummary?: () => Promise<QuickDockerLine>;
}

export function serverReads(deps: ServerReadDeps): ServerReads {
  const { system, clock, log } = deps;

  async function screenBody(nav: ScreenNav): Promise<Html> {
    const s: ServerScreen = nav.screen;
    try {
      return await readBody(deps, nav);
    } catch (err) {
      log.warn(`${s} is not available`, { error: err });
      return unavailableBody(SCREEN_TITLES[s], err);
    }
  }

  async function dockerLine(): Promise<QuickDockerLine | undefined> {
    if (deps.dockerSummary === undefined) return undefined;
    try {
      return (
        (await withTimeout(clock, deps.dockerSummary(), DOCKER_TIMEOUT_MS)) ?? {
          unavailable: `no answer within ${DOCKER_TIMEOUT_MS / 1000} s`,
        }
      );
    } catch (err) {
      log.warn('Docker summary failed', { error: err });
      return {
        unavailable: err instanceof DockerUnavailableError ? err.message : 'error; see the bot log',
      };
    }
  }

  async function overview(): Promise<View> {
    const settled = <T>(p: Promise<T>, what: string): Promise<T | undefined> =>
      p.catch((err: unknown) => {
        log.warn(`${what} is not available`, { error: err });
        return undefined;
      });
    const [uptime, load, cpu, memory, processes, docker] = await Promise.all([
      settled(system.uptime(), 'uptime'),
      settled(system.loadAverage(), 'load average'),
      settled(system.cpu(), 'CPU'),
      settled(system.memory(), 'memory'),
      settled(system.processes(), 'processes'),
      dockerLine(),
    ]);
    return quickView({ uptime, load, cpu, memory, processes, docker, context: system.context() });
  }

  return { screenBody, overview };
}

/** One SystemPort read, rendered. */
async function readBody(deps: ServerReadDeps, nav: ScreenNav): Promise<Html> {
  const { system, clock } = deps;
  switch (nav.screen) {
    case 'load':
      return loadBody(await system.loadAverage());
    case 'cpu':
      return cpuBody(await system.cpu());
    case 'cores':
      return coresBody(await system.cpu());
    case 'times':
      return cpuTimesBody(await system.cpu());
    case 'top':
      return topBody(await system.topProcesses(TOP_LIMIT), nav.top?.sort ?? 'cpu');
    case 'memory':
      return memoryBody(await system.memory());
    case 'swap':
      return swapBody(await system.memory());
    case 'sensors':
      return sensorsBody(await system.sensors());
    case 'fans':
      return fansBody(await system.sensors());
    case 'process':
      return processBody(await system.processes());
    case 'uptime':
      return uptimeBody(await system.uptime());
    case 'users':
      return usersBody(await system.users(), clock.now());
    case 'fs':
      return fsBody(await system.filesystems(), deps.history);
    case 'diskio':
      return diskIoBody(await system.diskIo());
    case 'net':
      return networkBody(await system.networkTotals());
    case 'ifaces':
      return interfacesBody(await system.interfaces());
    case 'conns':
      return connectionsBody(await system.connections());
  }
}

/** The File system screen, with "full in ~N days" per disk when history is kept. */
function fsBody(list: readonly FilesystemUsage[], history: ServerReadDeps['history']): Html {
  if (history === undefined) return filesystemsBody(list);
  const lines = list.map((f) =>
    f.sizeBytes === undefined
      ? undefined
      : forecastLine(f.mountPoint, history.forecast(f.mountPoint, f.sizeBytes)),
  );
  return withForecasts(filesystemsBody(list), lines);
}
