import type { HealthSnapshot } from '../health/types';
import type { Req } from '../telegram/request';
import { MAIN_MENU } from '../views/keyboards';
import { HEALTH_REFRESH, healthView } from '../views/health';
import type { Feature } from './feature';

/** What the Health screen reads: the monitor's latest results, and a bounded re-check. */
export interface HealthSource {
  snapshot(): HealthSnapshot;
  refresh(maxAgeMs: number, waitMs: number): Promise<HealthSnapshot>;
}

export interface HealthFeatureDeps {
  health: HealthSource;
  /** Refresh re-runs checks older than this... */
  refreshMaxAgeMs: number;
  /** ...and shows what it has after this long (slow checks land on the next refresh). */
  refreshWaitMs: number;
}

/** /health, the main-menu Health button and its Refresh button. */
export function healthFeature(deps: HealthFeatureDeps): Feature {
  const show = async (req: Req): Promise<void> => {
    await req.reply(healthView(deps.health.snapshot()));
  };
  return {
    name: 'health',
    install(router) {
      router.command('health', show, 'Bot and host health');
      router.button(MAIN_MENU.health, show);
      router.on(HEALTH_REFRESH, async (req) => {
        const snap = await deps.health.refresh(deps.refreshMaxAgeMs, deps.refreshWaitMs);
        if ((await req.show(healthView(snap))) === 'unchanged')
          await req.toast('Already up to date');
      });
    },
  };
}
