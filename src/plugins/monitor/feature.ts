import type { Feature } from '../../features/feature';
import type { Req } from '../../telegram/request';
import { MONITOR_BUTTON, MONITOR_REFRESH, monitorStatusView } from '../../views/monitor';
import type { Monitor } from './monitor';

/** The plugin's name for `--plugins` and its entry on the Plugins screen. */
export const MONITOR_PLUGIN = {
  name: 'monitor',
  label: MONITOR_BUTTON,
  description: 'alerts on CPU, memory, disk, temperature and Docker events; status screen',
} as const;

/** The monitor plugin: runs the check loop and shows its status screen with a Refresh button. */
export function monitorFeature(deps: { monitor: Monitor }): Feature {
  const { monitor } = deps;
  return {
    name: 'monitor',
    install(router) {
      const open = async (req: Req): Promise<void> => {
        await req.reply(monitorStatusView(monitor.status()));
      };
      router.command('monitor', open, 'Monitoring status');
      router.button(MONITOR_BUTTON, open);
      router.on(MONITOR_REFRESH, async (req) => {
        if ((await req.show(monitorStatusView(monitor.status()))) === 'unchanged')
          await req.toast('Already up to date');
      });
    },
    start() {
      monitor.start();
    },
    stop() {
      return monitor.stop();
    },
  };
}
