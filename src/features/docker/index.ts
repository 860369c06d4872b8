import { awaitReachable } from './strict-start';
import type { Feature } from '../feature';
import { installContainers } from './containers';
import { installImages } from './images';
import { installLogs } from './logs';
import { installManage } from './manage';
import { installOverview } from './overview';
import { installStacks } from './stacks';
import { installUpdates } from './update';
import type { AutoUpdater } from './update-auto';
import { dockerScreens, type DockerFeatureDeps } from './screens';

export type { DockerFeatureDeps } from './screens';

/**
 * The Docker section: overview and host picker, containers (list, details with
 * live stats, volumes / networks / runtime, logs, manage) and images (list,
 * details, history, used by, update checks), compose stacks and safe image updates. Privileged screens go through the
 * 2FA guard; every screen names its host when several are configured.
 */
export function dockerFeature(deps: DockerFeatureDeps): Feature {
  const screens = dockerScreens(deps);
  let recover: (() => Promise<number>) | undefined;
  let auto: AutoUpdater | undefined;
  return {
    name: 'docker',
    install(router) {
      installOverview(router, screens);
      installContainers(router, screens);
      installLogs(router, screens);
      installManage(router, screens);
      installImages(router, screens);
      installStacks(router, screens);
      if (deps.imageUpdates !== undefined) {
        const updates = installUpdates(router, screens, deps.imageUpdates);
        recover = () => updates.recover();
        auto = updates.auto;
      }
    },
    async start() {
      if (deps.strictAccess)
        await awaitReachable(
          () => deps.docker.assertReachable(),
          deps.clock,
          deps.log,
          deps.strictWaitMs,
        );
      // An update a crash interrupted is rolled back in the background: start-up never waits on it.
      recover?.().catch((err: unknown) =>
        deps.log.warn('could not check for interrupted image updates', { error: err }),
      );
      auto?.start();
    },
    stop() {
      auto?.stop();
    },
  };
}
