import type { DockerAlertSource } from '../../alerts/docker-source';
import { parseDuration } from '../../alerts/duration';
import type { AlertEngine } from '../../alerts/engine';
import type { Clock } from '../../clock';
import type { Feature } from '../../features/feature';
import type { Req } from '../../telegram/request';
import {
  maintenanceReplyView,
  type MaintenanceReply,
  MONITOR_BUTTON,
  MONITOR_REFRESH,
  monitorStatusView,
} from './views';
import type { Monitor } from './monitor';

export interface MonitorFeatureDeps {
  engine: AlertEngine;
  monitor: Monitor;
  source: DockerAlertSource | undefined;
  intervalSeconds: number;
  clock: Clock;
}

/** Monitoring: the status screen and /maintenance (alert buttons and the mutes screen are the core's: features/alerts.ts). */
export function monitorFeature(deps: MonitorFeatureDeps): Feature {
  const { engine, monitor, source, clock } = deps;
  const status = () => {
    const m = monitor.status();
    return monitorStatusView({
      now: clock.now(),
      checkedAt: m.checkedAt,
      intervalSeconds: deps.intervalSeconds,
      readings: m.readings,
      active: engine.active(),
      mutes: engine.mutes().length,
      maintenance: engine.maintenance(),
      held: engine.heldCount(),
      streams: source?.status(),
    });
  };
  return {
    name: 'monitor',
    install(router) {
      const open = async (req: Req): Promise<void> => {
        await req.reply(status());
      };
      router.command('monitor', open, 'Monitoring status');
      router.button(MONITOR_BUTTON, open);
      router.on(MONITOR_REFRESH, async (req) => {
        if ((await req.show(status())) === 'unchanged') await req.toast('Already up to date');
      });
      router.command(
        'maintenance',
        async (req, args) => {
          await req.reply(maintenanceReplyView(maintenance(engine, req, args[0])));
        },
        'Maintenance mode: /maintenance 30m | off',
      );
    },
  };
}

/** `/maintenance [30m|off|status]` (admins only). */
function maintenance(engine: AlertEngine, req: Req, arg: string | undefined): MaintenanceReply {
  if (!req.isAdmin) return { kind: 'admin-only' };
  const word = (arg ?? 'status').toLowerCase();
  if (word === 'status') {
    const m = engine.maintenance();
    return m === undefined ? { kind: 'off' } : { kind: 'on', until: m.until };
  }
  if (word === 'off') return { kind: engine.maintenanceOff() ? 'ended' : 'off' };
  const ms = parseDuration(word);
  if (ms === undefined) return { kind: 'usage' };
  return { kind: 'on', until: engine.maintenanceOn(ms, `user ${req.user.id}`).until };
}
