import type { UpdateCheckPort } from '../adapters/docker/update-checker';
import type { AlertEngine } from '../alerts/engine';
import type { AlertTarget } from '../alerts/types';
import type { Clock } from '../clock';
import type { ReportConfig } from '../config/report';
import type { HistoryService } from '../history/service';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import type { Sender } from '../telegram/sender';
import { TELEGRAM_LIMITS } from '../views/view';
import { visibleText } from '../views/html';
import { collectReport, type ReportDocker, type ReportSystem } from './collect';
import { ReportScheduler, type ReportKind } from './scheduler';
import { reportChartCaption, reportView } from './view';

export interface ReportSetup {
  readonly config: ReportConfig;
  readonly system: ReportSystem;
  readonly docker: ReportDocker;
  readonly engine: Pick<AlertEngine, 'records' | 'pastAlerts'>;
  readonly history?: Pick<HistoryService, 'forecast' | 'chart'> | undefined;
  readonly updates?: UpdateCheckPort | undefined;
  readonly sender: Pick<Sender, 'send' | 'sendPhoto'>;
  /** The alert routing's chats (and forum topic). */
  readonly targets: readonly AlertTarget[];
  readonly clock: Clock;
  readonly store: StateStore;
  readonly log: Logger;
}

/** The report scheduler for `report:`; undefined when no schedule is set. */
export function createReports(s: ReportSetup): ReportScheduler | undefined {
  if (s.config.daily === undefined && s.config.weekly === undefined) return undefined;
  const log = s.log.child('reports');
  return new ReportScheduler({
    config: s.config,
    clock: s.clock,
    store: s.store,
    log,
    send: (kind, fromMs, toMs) => sendReport(s, kind, fromMs, toMs),
  });
}

/** Builds the report and sends it to every alert chat; rejects when none got it. */
async function sendReport(
  s: ReportSetup,
  kind: ReportKind,
  fromMs: number,
  toMs: number,
): Promise<void> {
  const data = await collectReport(
    {
      system: s.system,
      docker: s.docker,
      alerts: () => s.engine.records(),
      pastAlerts: () => s.engine.pastAlerts(),
      ...(s.history !== undefined ? { history: s.history } : {}),
      ...(s.updates !== undefined ? { updates: s.updates } : {}),
      clock: s.clock,
      timeZone: s.config.timeZone,
    },
    kind,
    fromMs,
    toMs,
  );
  const view = reportView(data);
  const chart = await s.history
    ?.chart({ kind: 'host', metric: 'cpu' }, kind === 'daily' ? '24h' : '7d', 'CPU')
    .catch(() => undefined);
  const png = chart?.kind === 'chart' ? chart.png : undefined;
  const asCaption =
    png !== undefined && visibleText(view.html.value).length <= TELEGRAM_LIMITS.caption;
  let delivered = 0;
  for (const t of s.targets) {
    const options = { silent: true, ...(t.threadId !== undefined ? { threadId: t.threadId } : {}) };
    try {
      if (png !== undefined && asCaption) await s.sender.sendPhoto(t.chatId, png, view, options);
      else {
        await s.sender.send(t.chatId, view, options);
        if (png !== undefined)
          await s.sender.sendPhoto(t.chatId, png, reportChartCaption(kind), options);
      }
      delivered++;
    } catch (err) {
      s.log.warn(`could not send the ${kind} report`, { error: err, chatId: t.chatId });
    }
  }
  if (delivered === 0 && s.targets.length > 0)
    throw new Error(`no chat received the ${kind} report`);
}
