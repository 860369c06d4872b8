import type { DockerPort } from '../adapters/docker/port';
import type { ChartTarget, HistoryService } from '../history/service';
import type { Period } from '../history/tiers';
import type { Req } from '../telegram/request';
import {
  chartCaption,
  chartTitle,
  CHARTS_BUSY,
  containerGoneText,
  HISTORY,
  NO_DATA,
  periodKeyboard,
} from '../views/history';
import type { Feature } from './feature';

export interface HistoryFeatureDeps {
  readonly history: HistoryService;
  readonly docker: DockerPort;
}

/**
 * Chart screens: a metric's history as a photo with a period picker. Opening sends
 * a new photo under the screen; picking a period edits that photo in place.
 */
export function historyFeature(deps: HistoryFeatureDeps): Feature {
  return {
    name: 'history',
    install(router) {
      router.on(HISTORY.host, (req, { metric, period, mode }) =>
        showChart(deps, req, { kind: 'host', metric }, period, mode === 'edit'),
      );
      router.on(HISTORY.container, async (req, { host, name, metric, period, mode }) => {
        const containers = await deps.docker.listContainers(host);
        if (!containers.some((c) => c.name === name))
          return req.toast(containerGoneText(name), true);
        return showChart(
          deps,
          req,
          { kind: 'container', host, name, metric },
          period,
          mode === 'edit',
        );
      });
    },
  };
}

async function showChart(
  deps: HistoryFeatureDeps,
  req: Req,
  target: ChartTarget,
  period: Period,
  edit: boolean,
): Promise<void> {
  const title = chartTitle(target, period);
  const result = await deps.history.chart(target, period, title);
  if (result.kind === 'empty') return req.toast(NO_DATA, true);
  if (result.kind === 'busy') return req.toast(CHARTS_BUSY, true);
  await req.toast();
  const caption = {
    html: chartCaption(title, result.series, result.unit),
    keyboard: periodKeyboard(target, period),
  };
  await (edit ? req.showPhoto(result.png, caption) : req.sendPhoto(result.png, caption));
}
