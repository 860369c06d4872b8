import type { Router } from '../../telegram/router';
import type { Req } from '../../telegram/request';
import { DOCKER } from '../../views/docker-actions';
import { DOCKER_MENU, dockerOverviewView, type HostOverview } from '../../views/docker-menu';
import { describeForUser } from '../../views/errors';
import { MAIN_MENU } from '../../views/keyboards';
import type { DockerScreens } from './screens';

/** The Docker overview (/docker, the menu button) and, with several hosts, the host picker. */
export function installOverview(router: Router, s: DockerScreens): void {
  const { docker } = s.deps;

  const overviews = (): Promise<HostOverview[]> =>
    Promise.all(
      docker.hosts.map(async (h) => {
        try {
          return { index: h.index, label: h.label, summary: await docker.summary(h.index) };
        } catch (err) {
          return {
            index: h.index,
            label: h.label,
            summary: undefined,
            error: describeForUser(err),
          };
        }
      }),
    );

  const overviewReply = async (req: Req): Promise<void> => {
    await req.reply(
      dockerOverviewView({ hosts: await overviews(), current: s.selected(req), keyboard: 'reply' }),
    );
  };

  router.command('docker', overviewReply, 'Docker overview');
  router.button(MAIN_MENU.docker, overviewReply);
  if (s.several) {
    router.button(DOCKER_MENU.hosts, async (req) => {
      await req.show(
        dockerOverviewView({
          hosts: await overviews(),
          current: s.selected(req),
          keyboard: 'inline',
        }),
      );
    });
  }
  router.on(DOCKER.overview, async (req, args) => {
    const host = s.hostOf(args.host);
    s.select(req, host);
    await s.render(req, undefined, async () =>
      dockerOverviewView({ hosts: await overviews(), current: host, keyboard: 'inline' }),
    );
  });
}
