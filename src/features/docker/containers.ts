import { containerForViewer } from '../../security/redact-container';
import type { ContainerDetails, ContainerLiveStats } from '../../adapters/docker/port';
import type { Timer } from '../../clock';
import type { Action } from '../../telegram/actions';
import type { Router } from '../../telegram/router';
import type { Req } from '../../telegram/request';
import { DOCKER } from '../../views/docker-actions';
import {
  containerDetailsView,
  containerListView,
  networksView,
  runtimeView,
  volumesView,
} from '../../views/docker-containers';
import { statsNote, type StatsNote } from '../../views/docker-format';
import { DOCKER_MENU } from '../../views/docker-menu';
import { updatePolicy } from '../../views/docker-update-actions';
import { clip } from '../../views/html';
import type { DockerScreens } from './screens';

/** Arguments of every button that opens one container's screen. */
interface ContainerArgs {
  readonly host: number;
  readonly id: string;
  readonly page: number;
}

/**
 * Live figures, or why there are none: the history collector's recent sample when
 * there is one, else the engine's, waiting at most the stats budget.
 */
async function liveStats(
  s: DockerScreens,
  host: number,
  c: ContainerDetails,
): Promise<{ stats?: ContainerLiveStats | undefined; note?: StatsNote }> {
  if (c.state !== 'running') return { note: { kind: 'not_running', state: c.state } };
  const recent = s.deps.recentStats?.(host, c.id);
  if (recent !== undefined) return { stats: recent };
  const { docker, clock } = s.deps;
  let timer: Timer | undefined;
  const budget = new Promise<'late'>((r) => {
    timer = clock.setTimeout(() => r('late'), s.deps.statsBudgetMs ?? 2500);
  });
  try {
    const result = await Promise.race([docker.containerStats(host, c.id), budget]);
    if (result === 'late') return { note: { kind: 'late' } };
    return result === undefined ? { note: { kind: 'not_running' } } : { stats: result };
  } catch (err) {
    return { note: { kind: 'failed', error: err } };
  } finally {
    timer?.cancel();
  }
}

/** The details screen: acknowledged early (stats take a moment), admin buttons for admins. */
async function details(s: DockerScreens, req: Req, args: ContainerArgs): Promise<void> {
  const host = s.hostOf(args.host);
  await s.render(
    req,
    DOCKER.container.call(args),
    async () => {
      const c = await s.inspectOrFail(host, args.id);
      const { stats, note } = await liveStats(s, host, c);
      return containerDetailsView({
        ...s.ctx(host),
        container: containerForViewer(c, req.isAdmin),
        stats,
        ...(note !== undefined ? { statsNote: statsNote(note) } : {}),
        page: args.page,
        isAdmin: req.isAdmin,
        now: s.deps.clock.now(),
        charts: s.deps.charts === true,
        updates: s.deps.imageUpdates !== undefined && updatePolicy(c.config.labels) !== 'never',
      });
    },
    '',
  );
}

/** Volumes, networks and runtime: read-only, but privileged (they show configuration). */
function subScreen(
  router: Router,
  s: DockerScreens,
  action: Action<ContainerArgs>,
  audit: string,
  label: string,
  view: typeof volumesView,
): void {
  router.on(action, async (req, args) => {
    const host = s.hostOf(args.host);
    const retry = action.call(args);
    await s.guarded(
      req,
      retry,
      host,
      args.id,
      (c) => ({ label: `${label} ${clip(c.name, 40)}`, audit }),
      (c) =>
        s.render(req, retry, () =>
          Promise.resolve(
            view({ ...s.ctx(host), container: c, page: args.page, now: s.deps.clock.now() }),
          ),
        ),
    );
  });
}

/** The container list, the details screen with live stats, and its admin sub-screens. */
export function installContainers(router: Router, s: DockerScreens): void {
  const list = (req: Req, host: number, page: number): Promise<void> =>
    s.render(req, DOCKER.containers.call({ host, page }), async () =>
      containerListView({
        ...s.ctx(host),
        containers: await s.deps.docker.listContainers(host),
        page,
        now: s.deps.clock.now(),
      }),
    );
  const firstPage = (req: Req): Promise<void> => list(req, s.selected(req), 0);
  router.command('containers', firstPage, 'Docker containers');
  router.button(DOCKER_MENU.containers, firstPage);
  router.on(DOCKER.containers, (req, args) => list(req, s.hostOf(args.host), args.page));
  router.on(DOCKER.container, (req, args) => details(s, req, args));
  subScreen(router, s, DOCKER.volumes, 'container.volumes', 'show volumes of', volumesView);
  subScreen(router, s, DOCKER.networks, 'container.networks', 'show networks of', networksView);
  subScreen(router, s, DOCKER.runtime, 'container.runtime', 'show runtime of', runtimeView);
}
