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
} from '../../views/docker-logs';
import { describeForUser } from '../../views/errors';
import { clip } from '../../views/html';
import { LogSessions, type LogSession } from './log-sessions';
import type { DockerScreens } from './screens';

const LOG_QUERY: Record<LogMode, LogQuery> = {
  tail100: { kind: 'tail', lines: 100 },
  tail500: { kind: 'tail', lines: 500 },
  hour: { kind: 'since', seconds: 3600, maxLines: 5000 },
};

/** Container logs: paged snapshots in chat and "As file" documents, both behind 2FA. */
export function installLogs(router: Router, s: DockerScreens): void {
  const { docker, clock } = s.deps;
  const sessions = new LogSessions(clock);
  const logFileDeleteMs = s.deps.logFileDeleteMs ?? 30_000;

  /** The snapshot `sessionId` names if it is this user's, else a fresh fetch. */
  async function logSession(
    req: Req,
    host: number,
    c: ContainerDetails,
    mode: LogMode,
    sessionId: string,
  ): Promise<LogSession> {
    const match = { userId: req.user.id, host, containerId: c.id, mode };
    const existing = sessionId === '' ? undefined : sessions.get(sessionId, match);
    if (existing !== undefined) return existing;
    const raw = await docker.logs(host, c.id, LOG_QUERY[mode]);
    const text = sanitiseLog(raw.text, s.deps.redact);
    const trimmed = text.replace(/\n$/, '');
    return sessions.add({
      ...match,
      text,
      pages: paginateNewestFirst(text),
      lines: trimmed === '' ? 0 : trimmed.split('\n').length,
      clipped: raw.clipped,
    });
  }

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
          const session = await logSession(req, host, c, args.mode, args.session);
          return logsView({
            ...s.ctx(host),
            containerId: c.id,
            name: c.name,
            listPage: args.page,
            mode: args.mode,
            session: session.id,
            pages: session.pages,
            page: args.session === session.id ? args.logPage : 0,
            lines: session.lines,
            clipped: session.clipped,
          });
        }),
    );
  });

  router.on(DOCKER.logFile, async (req, args) => {
    const host = s.hostOf(args.host);
    const retry = DOCKER.logs.call({ ...args, session: '', logPage: 0 });
    await s.guarded(
      req,
      retry,
      host,
      args.id,
      (c) => ({ label: `download logs of ${clip(c.name, 40)}`, audit: 'container.logs.file' }),
      async (c) => {
        let session;
        try {
          session = await logSession(req, host, c, args.mode, args.session);
        } catch (err) {
          await req.toast(describeForUser(err), true);
          return;
        }
        const sent = await req.sendDocument(
          Buffer.from(session.text === '' ? '(no log output)\n' : session.text, 'utf8'),
          logFileName(c.name),
          logFileCaptionView(c.name, args.mode, logFileDeleteMs),
        );
        req.deleteLater(sent.messageId, logFileDeleteMs);
        await req.toast(logFileSentText(logFileDeleteMs));
      },
    );
  });
}
