import { awaitReachable } from './strict-start';
import type { Feature } from '../feature';
import { installContainers } from './containers';
import { installImages } from './images';
import { installLogs } from './logs';
import { installManage } from './manage';
import { installOverview } from './overview';
import { installStacks } from './stacks';
import { dockerScreens, type DockerFeatureDeps } from './screens';

export type { DockerFeatureDeps } from './screens';

/**
 * The Docker section: overview and host picker, containers (list, details with
 * live stats, volumes / networks / runtime, logs, manage) and images (list,
 * details, history, used by, update checks) and compose stacks. Privileged screens go through the
 * 2FA guard; every screen names its host when several are configured.
 */
export function dockerFeature(deps: DockerFeatureDeps): Feature {
  const screens = dockerScreens(deps);
  return {
    name: 'docker',
    install(router) {
      installOverview(router, screens);
      installContainers(router, screens);
      installLogs(router, screens);
      installManage(router, screens);
      installImages(router, screens);
      installStacks(router, screens);
    },
    async start() {
      if (deps.strictAccess)
        await awaitReachable(
          () => deps.docker.assertReachable(),
          deps.clock,
          deps.log,
          deps.strictWaitMs,
        );
    },
  };
}
