import { performance } from 'node:perf_hooks';
import { LoopDelayProbe } from '../adapters/system/loop-delay';
import type { SystemPort } from '../adapters/system/system-port';
import { withTimeout, type Clock } from '../clock';
import { DockerUnavailableError } from '../errors';
import type { Logger } from '../log/logger';
import type { Req } from '../telegram/request';
import type { Html } from '../views/html';
import { MAIN_MENU } from '../views/keyboards';
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
  SCREEN_TITLES,
  LOCAL_HOST_ACTION,
  SERVER_ACTION,
  SERVER_MENU,
  serverMenuView,
  serverScreenView,
  sensorsBody,
  swapBody,
  topBody,
  unavailableBody,
  uptimeBody,
  usersBody,
  type ScreenNav,
  type ServerScreen,
} from '../views/server';
import {
  aboutView,
  QUICK_ACTION,
  quickSubView,
  quickView,
  type QuickDockerLine,
  type QuickSub,
} from '../views/server-quick';
import type { View } from '../views/view';
import type { Feature } from './feature';

export interface ServerDeps {
  readonly system: SystemPort;
  readonly clock: Clock;
  readonly log: Logger;
  /** Shown on About me. */
  readonly nodeVersion: string;
  /** Docker counts for Quick view; absent when this build has no Docker connection. */
  readonly dockerSummary?: () => Promise<QuickDockerLine>;
  /**
   * Remote hosts (docs/fleet.md): shows a host picker for Server / Quick view and resolves true,
   * or false when there is only this host. Its "This host" button is `LOCAL_HOST_ACTION`.
   */
  readonly hostPicker?: () =>
    ((req: Req, target: 'server' | 'quick') => Promise<boolean>) | undefined;
}

/** Rows in a Top list (pyTMBot's "Top 10"). */
const TOP_LIMIT = 10;
/** Quick view does not wait longer than this for Docker; it says so instead. */
const DOCKER_TIMEOUT_MS = 2000;

/**
 * The Server menu and its screens, Quick view and About me. Every screen is
 * one SystemPort read rendered by a pure view; inline buttons edit the
 * message in place, and a refresh that changes nothing says so in a toast.
 */
export function serverFeature(deps: ServerDeps): Feature {
  const { system, clock, log } = deps;
  const startedAt = clock.now();
  // Only when debugging: the probe's 2 ms timer is cheap but not free.
  const probe = log.isLevelEnabled('debug') ? new LoopDelayProbe(clock) : undefined;
  let served = 0;

  async function safely(what: string, title: string, read: () => Promise<Html>): Promise<Html> {
    try {
      return await read();
    } catch (err) {
      log.warn(`${what} is not available`, { error: err });
      return unavailableBody(title);
    }
  }

  async function screenBody(nav: ScreenNav): Promise<Html> {
    const s: ServerScreen = nav.screen;
    return safely(s, SCREEN_TITLES[s], async () => {
      switch (s) {
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
          return filesystemsBody(await system.filesystems());
        case 'diskio':
          return diskIoBody(await system.diskIo());
        case 'net':
          return networkBody(await system.networkTotals());
        case 'ifaces':
          return interfacesBody(await system.interfaces());
        case 'conns':
          return connectionsBody(await system.connections());
      }
    });
  }

  async function timed(name: string, render: () => Promise<View>): Promise<View> {
    const t0 = performance.now();
    const view = await render();
    served++;
    log.debug('served server screen', {
      screen: name,
      ms: Math.round((performance.now() - t0) * 100) / 100,
    });
    return view;
  }

  const screenView = (nav: ScreenNav): Promise<View> =>
    timed(nav.screen, async () => serverScreenView(nav, await screenBody(nav), system.context()));

  async function dockerLine(): Promise<QuickDockerLine | undefined> {
    if (deps.dockerSummary === undefined) return undefined;
    try {
      return (
        (await withTimeout(deps.clock, deps.dockerSummary(), DOCKER_TIMEOUT_MS)) ?? {
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

  async function quickScreen(sub: QuickSub): Promise<View> {
    return timed(`quick:${sub}`, async () => {
      switch (sub) {
        case 'overview':
          return overview();
        case 'memory':
          return quickSubView(
            sub,
            await safely('memory', SCREEN_TITLES.memory, async () =>
              memoryBody(await system.memory()),
            ),
          );
        case 'temps':
          return quickSubView(
            sub,
            await safely('sensors', SCREEN_TITLES.sensors, async () =>
              sensorsBody(await system.sensors()),
            ),
          );
        case 'cpu':
          return quickSubView(
            sub,
            await safely('CPU', SCREEN_TITLES.cpu, async () => cpuBody(await system.cpu())),
          );
        case 'disk':
          return quickSubView(
            sub,
            await safely('file systems', SCREEN_TITLES.fs, async () =>
              filesystemsBody(await system.filesystems()),
            ),
          );
      }
    });
  }

  /** Edits the pressed message; an identical screen gets a toast instead of silence. */
  async function show(req: Req, view: View): Promise<void> {
    if ((await req.show(view)) === 'unchanged') await req.toast('Already up to date');
  }

  return {
    name: 'server',
    install(router) {
      const picked = async (req: Req, target: 'server' | 'quick'): Promise<boolean> =>
        (await deps.hostPicker?.()?.(req, target)) ?? false;
      const menu = async (req: Req): Promise<void> => {
        if (await picked(req, 'server')) return;
        await req.reply(serverMenuView());
      };
      router.on(LOCAL_HOST_ACTION, async (req, { target }) => {
        await req.toast();
        await req.reply(target === 'quick' ? await quickScreen('overview') : serverMenuView());
      });
      router.command('server', menu, 'Server monitoring');
      router.button(MAIN_MENU.server, menu);

      const screens: [string, ServerScreen][] = [
        [SERVER_MENU.load, 'load'],
        [SERVER_MENU.cpu, 'cpu'],
        [SERVER_MENU.memory, 'memory'],
        [SERVER_MENU.sensors, 'sensors'],
        [SERVER_MENU.process, 'process'],
        [SERVER_MENU.uptime, 'uptime'],
        [SERVER_MENU.filesystem, 'fs'],
        [SERVER_MENU.network, 'net'],
      ];
      for (const [label, screen] of screens) {
        router.button(label, async (req) => {
          await req.reply(await screenView({ screen }));
        });
      }
      router.on(SERVER_ACTION, async (req, nav) => {
        await show(req, await screenView(nav));
      });

      router.button(MAIN_MENU.quickView, async (req) => {
        if (await picked(req, 'quick')) return;
        await req.reply(await quickScreen('overview'));
      });
      router.on(QUICK_ACTION, async (req, { sub }) => {
        await show(req, await quickScreen(sub));
      });

      router.button(MAIN_MENU.about, async (req) => {
        await req.reply(
          aboutView({
            nodeVersion: deps.nodeVersion,
            botUptimeSeconds: (clock.now() - startedAt) / 1000,
          }),
        );
      });
    },
    start() {
      probe?.start();
    },
    stop() {
      const s = probe?.summary();
      if (s !== undefined) {
        log.debug(
          `event loop while running: worst stall ${s.maxStallMs} ms, p99 ${s.p99StallMs} ms, longest busy stretch ${s.maxBusyMs ?? '?'} ms`,
          {
            loopMaxStallMs: s.maxStallMs,
            loopP99StallMs: s.p99StallMs,
            loopMaxBusyMs: s.maxBusyMs,
            loopTicks: s.ticks,
            screensServed: served,
          },
        );
      }
      probe?.stop();
    },
  };
}
