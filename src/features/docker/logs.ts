import type { ContainerDetails, LogQuery } from '../../adapters/docker/port';
import type { Router } from '../../telegram/router';
import type { Req } from '../../telegram/request';
import { DOCKER, type LogMode } from '../../views/docker-actions';
import {
  logFileCaptionView,
  logFileSentText,
  logFileName,
  logsView,
  paginateNewestFirst,
  sanitiseLog,
  stripLogTimestamps,
} from '../../views/docker-logs';
import { describeForUser } from '../../views/errors';
import { clip } from '../../views/html';
import { LogSessions, type LogSession } from './log-sessions';
import type { DockerScreens } from './screens';

/** What both log buttons carry besides the container. */
interface LogArgs {
  readonly mode: LogMode;
  readonly session: string;
}

const LOG_QUERY: Record<LogMode, LogQuery> = {
  tail100: { kind: 'tail', lines: 100 },
  tail500: { kind: 'tail', lines: 500 },
  hour: { kind: 'since', seconds: 3600, maxLines: 5000 },
};

/** The snapshot `sessionId` names if it is this user's, else a fresh fetch. */
async function logSession(
  s: DockerScreens,
  sessions: LogSessions,
  req: Req,
  host: number,
  c: ContainerDetails,
  mode: LogMode,
  sessionId: string,
): Promise<LogSession> {
  const match = { userId: req.user.id, host, containerId: c.id, mode };
  const existing = sessionId === '' ? undefined : sessions.get(sessionId, match);
  if (existing !== undefined) return existing;
  // Fetched with timestamps: the "As file" export keeps them, the chat view leaves them out.
  const raw = await s.deps.docker.logs(host, c.id, { ...LOG_QUERY[mode], timestamps: true });
  const text = sanitiseLog(raw.text, s.deps.redact);
  const trimmed = text.replace(/\n$/, '');
  return sessions.add({
    ...match,
    text,
    pages: paginateNewestFirst(stripLogTimestamps(text)),
    lines: trimmed === '' ? 0 : trimmed.split('\n').length,
    clipped: raw.clipped,
  });
}

/** Container logs: paged snapshots in chat and "As file" documents, both behind 2FA. */
export function installLogs(router: Router, s: DockerScreens): void {
  const sessions = new LogSessions(s.deps.clock);
  const logFileDeleteMs = s.deps.logFileDeleteMs ?? 30_000;
  const session = (req: Req, host: number, c: ContainerDetails, args: LogArgs) =>
    logSession(s, sessions, req, host, c, args.mode, args.session);

  router.on(DOCKER.logs, async (req, args) => {
    const host = s.hostOf(args.host);
    const retry = DOCKER.logs.call({ ...args, session: '', logPage: 0 });
    await s.guarded(
      req,
      retry,
      host,
      args.id,
      (c) => ({ label: `show logs of ${clip(c.name, 40)}`, audit: 'container.logs' }),
      (c) =>
        s.render(req, retry, async () => {
          const shown = await session(req, host, c, args);
          return logsView({
            ...s.ctx(host),
            containerId: c.id,
            name: c.name,
            listPage: args.page,
            mode: args.mode,
            session: shown.id,
            pages: shown.pages,
            page: args.session === shown.id ? args.logPage : 0,
            lines: shown.lines,
            clipped: shown.clipped,
          });
        }),
    );
  });

  router.on(DOCKER.logFile, async (req, args) => {
    const host = s.hostOf(args.host);
    await s.guarded(
      req,
      DOCKER.logs.call({ ...args, session: '', logPage: 0 }),
      host,
      args.id,
      (c) => ({ label: `download logs of ${clip(c.name, 40)}`, audit: 'container.logs.file' }),
      async (c) => {
        let shown;
        try {
          shown = await session(req, host, c, args);
        } catch (err) {
          await req.toast(describeForUser(err), true);
          return;
        }
        const sent = await req.sendDocument(
          Buffer.from(shown.text === '' ? '(no log output)\n' : shown.text, 'utf8'),
          logFileName(c.name),
          logFileCaptionView(c.name, args.mode, logFileDeleteMs),
        );
        req.deleteLater(sent.messageId, logFileDeleteMs);
        await req.toast(logFileSentText(logFileDeleteMs));
      },
    );
  });
}
