import { analyseHost, type HostAnalysis, type HostSample } from '../health/analysis';
import type { HealthSnapshot } from '../health/types';
import type { Logger } from '../log/logger';
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
  /** Live host and Docker figures for the analysis under the components. */
  hostSample: () => Promise<HostSample>;
  log: Logger;
}

/** /health, the main-menu Health button and its Refresh button. */
export function healthFeature(deps: HealthFeatureDeps): Feature {
  const analysis = async (): Promise<HostAnalysis | undefined> => {
    try {
      return analyseHost(await deps.hostSample());
    } catch (err) {
      deps.log.warn('host analysis unavailable', { error: err });
      return undefined;
    }
  };
  const show = async (req: Req): Promise<void> => {
    await req.reply(healthView(deps.health.snapshot(), await analysis()));
  };
  return {
    name: 'health',
    install(router) {
      router.command('health', show, 'Bot and host health');
      router.button(MAIN_MENU.health, show);
      router.on(HEALTH_REFRESH, async (req) => {
        const [snap, host] = await Promise.all([
          deps.health.refresh(deps.refreshMaxAgeMs, deps.refreshWaitMs),
          analysis(),
        ]);
        if ((await req.show(healthView(snap, host))) === 'unchanged')
          await req.toast('Already up to date');
      });
    },
  };
}
