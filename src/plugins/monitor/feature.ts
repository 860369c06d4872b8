import type { Feature } from '../../features/feature';
import { component } from '../../lifecycle';
import type { Req } from '../../telegram/request';
import { definePlugin } from '../plugin';
import { Monitor } from './monitor';
import { MONITOR_BUTTON, MONITOR_REFRESH, monitorStatusView } from './views';

/** The monitor plugin's status screen with a Refresh button (the check loop is its component). */
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
  };
}

/** `--plugins monitor`: alerts on host thresholds and Docker events, and a status screen. */
export const monitorPlugin = definePlugin({
  name: 'monitor',
  label: MONITOR_BUTTON,
  description: 'alerts on CPU, memory, disk, temperature and Docker events; status screen',
  settings: (config) => config.plugins.monitor,
  create(ctx) {
    const monitor = new Monitor({
      config: ctx.settings,
      system: ctx.system,
      docker: ctx.docker,
      sender: ctx.sender,
      chatIds: ctx.notifyChatIds,
      store: ctx.store,
      clock: ctx.clock,
      log: ctx.log,
    });
    return {
      feature: monitorFeature({ monitor }),
      components: [
        component('monitor', {
          required: false,
          start: () => monitor.start(),
          stop: () => monitor.stop(),
        }),
      ],
    };
  },
});
