import { performance } from 'node:perf_hooks';
import { LoopDelayProbe } from '../adapters/system/loop-delay';
import type { Req } from '../telegram/request';
import type { Router } from '../telegram/router';
import { MAIN_MENU } from '../views/keyboards';
import { withChartButton } from '../views/history';
import {
  LOCAL_HOST_ACTION,
  SERVER_ACTION,
  SERVER_MENU,
  serverMenuView,
  serverScreenView,
  type ScreenNav,
  type ServerScreen,
} from '../views/server';
import { aboutView, QUICK_ACTION, quickSubView, type QuickSub } from '../views/server-quick';
import type { View } from '../views/view';
import type { Feature } from './feature';
import { serverReads, type ServerReadDeps } from './server-reads';

export interface ServerDeps extends ServerReadDeps {
  /** Shown on About me. */
  readonly nodeVersion: string;
  /**
   * Remote hosts (docs/fleet.md): shows a host picker for Server / Quick view and resolves true,
   * or false when there is only this host. Its "This host" button is `LOCAL_HOST_ACTION`.
   */
  readonly hostPicker?: () =>
    ((req: Req, target: 'server' | 'quick') => Promise<boolean>) | undefined;
}

/** The screen each Quick view sub-page shows. */
const QUICK_SCREEN: Record<Exclude<QuickSub, 'overview'>, ServerScreen> = {
  memory: 'memory',
  temps: 'sensors',
  cpu: 'cpu',
  disk: 'fs',
};

/** The pages the Server feature answers with, each timed. */
interface ServerPages {
  screen(nav: ScreenNav): Promise<View>;
  quick(sub: QuickSub): Promise<View>;
  about(): View;
}

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
  const reads = serverReads(deps);
  let served = 0;

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

  const pages: ServerPages = {
    screen: (nav) =>
      timed(nav.screen, async () => {
        const view = serverScreenView(nav, await reads.screenBody(nav), system.context());
        return deps.history === undefined ? view : withChartButton(view, nav.screen);
      }),
    quick: (sub) =>
      timed(`quick:${sub}`, async () =>
        sub === 'overview'
          ? reads.overview()
          : quickSubView(sub, await reads.screenBody({ screen: QUICK_SCREEN[sub] })),
      ),
    about: () =>
      aboutView({
        nodeVersion: deps.nodeVersion,
        botUptimeSeconds: (clock.now() - startedAt) / 1000,
      }),
  };

  return {
    name: 'server',
    install: (router) =>
      installServer(
        router,
        pages,
        async (req, target) => (await deps.hostPicker?.()?.(req, target)) ?? false,
      ),
    start() {
      probe?.start();
    },
    stop() {
      const s = probe?.summary();
      if (s !== undefined) {
        log.debug(
          `event loop while running: worst stall ${s.maxStallMs} ms, p99 ${s.p99StallMs} ms, longest stall of its own ${s.maxBusyMs ?? '?'} ms (run-queue waits excluded)`,
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

/** Edits the pressed message; an identical screen gets a toast instead of silence. */
async function show(req: Req, view: View): Promise<void> {
  if ((await req.show(view)) === 'unchanged') await req.toast('Already up to date');
}

/** Shows the remote-host picker and resolves true, or false when there is only this host. */
type HostPicked = (req: Req, target: 'server' | 'quick') => Promise<boolean>;

function installServer(router: Router, pages: ServerPages, picked: HostPicked): void {
  const menu = async (req: Req): Promise<void> => {
    if (await picked(req, 'server')) return;
    await req.reply(serverMenuView());
  };
  router.on(LOCAL_HOST_ACTION, async (req, { target }) => {
    await req.toast();
    await req.reply(target === 'quick' ? await pages.quick('overview') : serverMenuView());
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
      await req.reply(await pages.screen({ screen }));
    });
  }
  router.on(SERVER_ACTION, async (req, nav) => {
    await show(req, await pages.screen(nav));
  });

  router.button(MAIN_MENU.quickView, async (req) => {
    if (await picked(req, 'quick')) return;
    await req.reply(await pages.quick('overview'));
  });
  router.on(QUICK_ACTION, async (req, { sub }) => {
    await show(req, await pages.quick(sub));
  });

  router.button(MAIN_MENU.about, async (req) => {
    await req.reply(pages.about());
  });
}
