import type {
  ContainerAction,
  ContainerDetails,
  DockerPort,
  LogQuery,
} from '../adapters/docker/port';
import { CONTAINER_ACTIONS } from '../adapters/docker/port';
import type { UpdateCheckPort } from '../adapters/docker/update-checker';
import type { Clock } from '../clock';
import {
  describeForUser,
  DockerUnavailableError,
  ForbiddenError,
  TmbotError,
  UserInputError,
} from '../errors';
import type { Logger } from '../log/logger';
import { containerForViewer, imageForViewer } from '../security/redact-container';
import type { PrivilegedAction, SecondFactor } from '../security/second-factor';
import type { Handler, Req } from '../telegram/request';
import { DOCKER_ACTION as A, LOG_MODES, type LogMode } from '../views/docker-actions';
import {
  containerDetailsView,
  containerListView,
  networksView,
  runtimeView,
  volumesView,
  type HostContext,
} from '../views/docker-containers';
import { shortId } from '../views/docker-format';
import {
  imageDetailsView,
  imageHistoryView,
  imageListView,
  imageUsedByView,
  updatesView,
} from '../views/docker-images';
import {
  logFileName,
  LOG_MODE_LABEL,
  logsView,
  paginateNewestFirst,
  sanitiseLog,
} from '../views/docker-logs';
import {
  actionResultView,
  confirmView,
  DESTRUCTIVE,
  manageView,
  actionsFor,
} from '../views/docker-manage';
import {
  dockerErrorView,
  dockerOverviewView,
  DOCKER_MENU,
  type HostOverview,
} from '../views/docker-menu';
import { clip, html } from '../views/html';
import { MAIN_MENU } from '../views/keyboards';
import type { View } from '../views/view';
import { LogSessions } from './docker-log-sessions';
import type { Feature } from './feature';

export interface DockerFeatureDeps {
  docker: DockerPort;
  updates: UpdateCheckPort;
  secondFactor: SecondFactor;
  clock: Clock;
  log: Logger;
  /** Removes the bot token and configured secrets from text (the log redactor). */
  redact: (text: string) => string;
  /** docker.strict_access: refuse to start when an engine does not answer. */
  strictAccess: boolean;
  /** How long "As file" log documents stay in the chat. */
  logFileDeleteMs?: number;
  /** Longest wait for live stats on the details screen. */
  statsBudgetMs?: number;
}

const LOG_QUERY: Record<LogMode, LogQuery> = {
  tail100: { kind: 'tail', lines: 100 },
  tail500: { kind: 'tail', lines: 500 },
  hour: { kind: 'since', seconds: 3600, maxLines: 5000 },
};

/** Work that takes longer than this is acknowledged before its result is shown. */
const ACK_AFTER_MS = 300;
/** How long the read-back after an action waits for the engine to show the expected state. */
const READ_BACK_MS = 5000;
const READ_BACK_STEP_MS = 100;
const MAX_PAGE = 10_000;

const EXPECTED: Record<ContainerAction, (c: ContainerDetails | undefined) => boolean> = {
  start: (c) => c?.state === 'running' || c?.state === 'restarting' || c?.state === 'exited',
  restart: (c) => c?.state === 'running' || c?.state === 'restarting',
  unpause: (c) => c?.state === 'running',
  pause: (c) => c?.state === 'paused',
  stop: (c) => c !== undefined && c.state !== 'running' && c.state !== 'paused',
  kill: (c) => c !== undefined && c.state !== 'running' && c.state !== 'paused',
  remove: (c) => c === undefined,
};

interface Retry {
  action: string;
  args: readonly string[];
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The Docker section: overview and host picker, containers (list, details with
 * live stats, volumes / networks / runtime, logs, manage) and images (list,
 * details, history, used by, update checks). Privileged screens go through the
 * 2FA guard; every screen names its host when several are configured.
 */
export function dockerFeature(deps: DockerFeatureDeps): Feature {
  const { docker, clock } = deps;
  const log = deps.log;
  const several = docker.hosts.length > 1;
  const currentHost = new Map<number, number>();
  const sessions = new LogSessions(clock);
  const busy = new Set<string>();
  const logFileDeleteMs = deps.logFileDeleteMs ?? 30_000;
  const statsBudgetMs = deps.statsBudgetMs ?? 2500;

  const ctx = (host: number): HostContext => ({
    host,
    hostLabel: several ? docker.hosts[host]?.label : undefined,
  });

  function hostArg(v: string | undefined): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n >= docker.hosts.length)
      throw new UserInputError('That Docker host is no longer configured.');
    return n;
  }
  const pageArg = (v: string | undefined): number => {
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 && n <= MAX_PAGE ? n : 0;
  };
  const modeArg = (v: string | undefined): LogMode =>
    (LOG_MODES as readonly string[]).includes(v ?? '') ? (v as LogMode) : 'tail100';
  function opArg(v: string | undefined): ContainerAction {
    if (!(CONTAINER_ACTIONS as readonly string[]).includes(v ?? ''))
      throw new UserInputError('Unknown container action.');
    return v as ContainerAction;
  }
  const selected = (req: Req): number => {
    const h = currentHost.get(req.user.id) ?? 0;
    return h < docker.hosts.length ? h : 0;
  };

  /** The user-safe text of a failure; unexpected errors are logged and described generically. */
  function failure(err: unknown, retry: Retry | undefined): View {
    const safe =
      err instanceof TmbotError &&
      (err.code === 'E_DOCKER_UNAVAILABLE' ||
        err instanceof UserInputError ||
        err instanceof ForbiddenError);
    if (!safe) log.error('docker screen failed', { error: err });
    return dockerErrorView(
      describeForUser(err),
      err instanceof DockerUnavailableError ? retry : undefined,
    );
  }

  /**
   * Builds a screen and shows it (edit in place for buttons). Failures become the
   * screen, so an early acknowledgement never swallows them. `ack` answers the
   * button at once for slow screens. `rethrow` passes a failure on after showing it,
   * so the 2FA guard audits a failed action as failed.
   */
  async function render(
    req: Req,
    retry: Retry | undefined,
    build: () => Promise<View>,
    ack?: string,
    rethrow = false,
  ): Promise<void> {
    // A message ("Asking the registries…") is shown at once. A silent acknowledgement waits
    // ACK_AFTER_MS: slow work still stops the spinner early, fast work keeps the answer for its
    // outcome, so an unchanged refresh can say "Already up to date".
    if (ack !== undefined && ack !== '' && req.isCallback) await req.toast(ack);
    const early =
      ack === '' && req.isCallback
        ? setTimeout(() => {
            req.toast().catch(() => undefined);
          }, ACK_AFTER_MS)
        : undefined;
    let view: View;
    let failed: Error | undefined;
    try {
      view = await build();
    } catch (err) {
      view = failure(err, retry);
      failed = err instanceof Error ? err : new Error(String(err));
    } finally {
      clearTimeout(early);
    }
    if ((await req.show(view)) === 'unchanged') await req.toast('Already up to date');
    if (rethrow && failed !== undefined) throw failed;
  }

  async function inspectOrFail(host: number, id: string): Promise<ContainerDetails> {
    const c = await docker.inspectContainer(host, id);
    if (c === undefined)
      throw new UserInputError('This container no longer exists. Open the list again.');
    return c;
  }

  const target = (host: number, c: { id: string; name: string }): string =>
    `${several ? `${docker.hosts[host]?.label ?? host} ` : ''}${c.name} (${shortId(c.id)})`;

  /** Inspects, then runs `perform` behind the 2FA guard; failures before the guard become the screen. */
  async function guarded(
    req: Req,
    retry: Retry,
    host: number,
    id: string,
    what: (c: ContainerDetails) => Omit<PrivilegedAction, 'action' | 'args' | 'target'>,
    perform: (c: ContainerDetails) => Promise<void>,
  ): Promise<void> {
    let c: ContainerDetails;
    try {
      c = await inspectOrFail(host, id);
    } catch (err) {
      await req.show(failure(err, retry));
      return;
    }
    await deps.secondFactor.requireSecondFactor(
      req,
      { ...what(c), action: retry.action, args: retry.args, target: target(host, c) },
      () => perform(c),
    );
  }

  // ---- overview ------------------------------------------------------------------------------

  async function overviews(): Promise<HostOverview[]> {
    return Promise.all(
      docker.hosts.map(async (h) => {
        try {
          return { index: h.index, label: h.label, summary: await docker.summary(h.index) };
        } catch (err) {
          return {
            index: h.index,
            label: h.label,
            summary: undefined,
            error: describeForUser(err),
          };
        }
      }),
    );
  }

  const overviewReply: Handler = async (req) => {
    await req.reply(
      dockerOverviewView({ hosts: await overviews(), current: selected(req), keyboard: 'reply' }),
    );
  };

  const hostPicker: Handler = async (req) => {
    await req.show(
      dockerOverviewView({ hosts: await overviews(), current: selected(req), keyboard: 'inline' }),
    );
  };

  const overviewAction: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    currentHost.set(req.user.id, host);
    await render(req, undefined, async () =>
      dockerOverviewView({ hosts: await overviews(), current: host, keyboard: 'inline' }),
    );
  };

  // ---- containers ----------------------------------------------------------------------------

  const containers = (req: Req, host: number, page: number): Promise<void> =>
    render(req, { action: A.containers, args: [String(host), String(page)] }, async () =>
      containerListView({
        ...ctx(host),
        containers: await docker.listContainers(host),
        page,
        now: clock.now(),
      }),
    );

  async function liveStats(
    host: number,
    c: ContainerDetails,
  ): Promise<{ stats?: Awaited<ReturnType<DockerPort['containerStats']>>; note?: string }> {
    if (c.state !== 'running') return { note: `not running (${c.state})` };
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), statsBudgetMs)));
    try {
      const result = await Promise.race([docker.containerStats(host, c.id), budget]);
      if (result === 'late')
        return { note: 'live figures did not arrive in time; refresh to try again' };
      return result === undefined ? { note: 'not running' } : { stats: result };
    } catch (err) {
      return { note: `live figures unavailable: ${describeForUser(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  const details: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const page = pageArg(args[2]);
    await render(
      req,
      { action: A.container, args: [String(host), id, String(page)] },
      async () => {
        const c = await inspectOrFail(host, id);
        const { stats, note } = await liveStats(host, c);
        return containerDetailsView({
          ...ctx(host),
          container: containerForViewer(c, req.isAdmin),
          stats,
          ...(note !== undefined ? { statsNote: note } : {}),
          page,
          isAdmin: req.isAdmin,
          now: clock.now(),
        });
      },
      '',
    );
  };

  const subScreen =
    (action: string, audit: string, label: string, view: typeof volumesView): Handler =>
    async (req, args) => {
      const host = hostArg(args[0]);
      const id = args[1] ?? '';
      const page = pageArg(args[2]);
      const retry = { action, args: [String(host), id, String(page)] };
      await guarded(
        req,
        retry,
        host,
        id,
        (c) => ({ label: `${label} ${clip(c.name, 40)}`, audit }),
        (c) =>
          render(req, retry, () =>
            Promise.resolve(view({ ...ctx(host), container: c, page, now: clock.now() })),
          ),
      );
    };

  // ---- logs ----------------------------------------------------------------------------------

  async function logSession(
    req: Req,
    host: number,
    c: ContainerDetails,
    mode: LogMode,
    sessionId: string,
  ) {
    const match = { userId: req.user.id, host, containerId: c.id, mode };
    const existing = sessionId === '' ? undefined : sessions.get(sessionId, match);
    if (existing !== undefined) return existing;
    const raw = await docker.logs(host, c.id, LOG_QUERY[mode]);
    const text = sanitiseLog(raw.text, deps.redact);
    const trimmed = text.replace(/\n$/, '');
    return sessions.add({
      ...match,
      text,
      pages: paginateNewestFirst(text),
      lines: trimmed === '' ? 0 : trimmed.split('\n').length,
      clipped: raw.clipped,
    });
  }

  /** The arguments both log buttons carry: host, container, list page, mode, session. */
  function logArgs(args: readonly string[]): {
    host: number;
    id: string;
    listPage: number;
    mode: LogMode;
    sessionId: string;
    retry: Retry;
  } {
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const listPage = pageArg(args[2]);
    const mode = modeArg(args[3]);
    const retry = { action: A.logs, args: [String(host), id, String(listPage), mode, '', '0'] };
    return { host, id, listPage, mode, sessionId: args[4] ?? '', retry };
  }

  const logs: Handler = async (req, args) => {
    const { host, id, listPage, mode, sessionId, retry } = logArgs(args);
    const logPage = pageArg(args[5]);
    await guarded(
      req,
      retry,
      host,
      id,
      (c) => ({ label: `show logs of ${clip(c.name, 40)}`, audit: 'container.logs' }),
      (c) =>
        render(req, retry, async () => {
          const s = await logSession(req, host, c, mode, sessionId);
          return logsView({
            host,
            hostLabel: ctx(host).hostLabel,
            containerId: c.id,
            name: c.name,
            listPage,
            mode,
            session: s.id,
            pages: s.pages,
            page: sessionId === s.id ? logPage : 0,
            lines: s.lines,
            clipped: s.clipped,
          });
        }),
    );
  };

  const logFile: Handler = async (req, args) => {
    const { host, id, mode, sessionId, retry } = logArgs(args);
    await guarded(
      req,
      retry,
      host,
      id,
      (c) => ({ label: `download logs of ${clip(c.name, 40)}`, audit: 'container.logs.file' }),
      async (c) => {
        let s;
        try {
          s = await logSession(req, host, c, mode, sessionId);
        } catch (err) {
          await req.toast(describeForUser(err), true);
          return;
        }
        const seconds = Math.round(logFileDeleteMs / 1000);
        const sent = await req.sendDocument(
          Buffer.from(s.text === '' ? '(no log output)\n' : s.text, 'utf8'),
          logFileName(c.name),
          {
            html: html`📎 Logs of <b>${clip(c.name, 64)}</b> · ${LOG_MODE_LABEL[mode]} · secrets masked. Deleted in ${seconds} s.`,
          },
        );
        req.deleteLater(sent.messageId, logFileDeleteMs);
        await req.toast(`Sent. Auto-delete in ${seconds} s.`);
      },
    );
  };

  // ---- manage --------------------------------------------------------------------------------

  const manage: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const page = pageArg(args[2]);
    const retry = { action: A.manage, args: [String(host), id, String(page)] };
    await guarded(
      req,
      retry,
      host,
      id,
      (c) => ({ label: `manage ${clip(c.name, 40)}`, audit: 'container.manage' }),
      (c) =>
        render(req, retry, () => Promise.resolve(manageView({ ...ctx(host), container: c, page }))),
    );
  };

  const confirm: Handler = async (req, args) => {
    if (!req.isAdmin) throw new ForbiddenError('Only admins can manage containers.');
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const page = pageArg(args[2]);
    const action = opArg(args[3]);
    await render(req, { action: A.confirm, args: [...args] }, async () => {
      const c = await inspectOrFail(host, id);
      return actionsFor(c.state).includes(action)
        ? confirmView({ ...ctx(host), container: c, page, action })
        : manageView({ ...ctx(host), container: c, page });
    });
  };

  async function readBack(
    host: number,
    id: string,
    action: ContainerAction,
  ): Promise<ContainerDetails | undefined> {
    const deadline = clock.now() + READ_BACK_MS;
    for (;;) {
      const c = await docker.inspectContainer(host, id);
      if (EXPECTED[action](c) || clock.now() >= deadline) return c;
      await delay(READ_BACK_STEP_MS);
    }
  }

  const perform: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const page = pageArg(args[2]);
    const action = opArg(args[3]);
    const retry = { action: A.manage, args: [String(host), id, String(page)] };
    await guarded(
      req,
      { action: A.perform, args: [String(host), id, String(page), action] },
      host,
      id,
      (c) => ({
        label: `${action} ${clip(c.name, 40)}`,
        audit: `container.${action}`,
        destructive: DESTRUCTIVE.has(action),
      }),
      async (c) => {
        if (!actionsFor(c.state).includes(action)) {
          await render(req, retry, () =>
            Promise.resolve(manageView({ ...ctx(host), container: c, page })),
          );
          await req.toast(`Cannot ${action} it while it is ${c.state}.`, true);
          return;
        }
        const key = `${host}/${c.id}`;
        if (busy.has(key)) {
          await req.toast('An action on this container is still running.', true);
          return;
        }
        busy.add(key);
        try {
          await render(
            req,
            retry,
            async () => {
              const t0 = clock.now();
              await docker.act(host, c.id, action);
              const after = await readBack(host, c.id, action);
              log.info(`container ${action} done`, {
                host: docker.hosts[host]?.label,
                container: c.name,
                state: after?.state ?? 'gone',
                user: req.user.id,
              });
              return actionResultView({
                ...ctx(host),
                name: c.name,
                id: c.id,
                page,
                action,
                after,
                tookMs: clock.now() - t0,
              });
            },
            `Working: ${action}…`,
            true,
          );
        } finally {
          busy.delete(key);
        }
      },
    );
  };

  // ---- images --------------------------------------------------------------------------------

  const images = (req: Req, host: number, page: number): Promise<void> =>
    render(req, { action: A.images, args: [String(host), String(page)] }, async () =>
      imageListView({
        ...ctx(host),
        images: await docker.listImages(host),
        page,
        now: clock.now(),
      }),
    );

  async function imageOrFail(host: number, id: string) {
    const image = await docker.inspectImage(host, id);
    if (image === undefined)
      throw new UserInputError('This image no longer exists. Open the list again.');
    return image;
  }

  const imageDetails: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const page = pageArg(args[2]);
    await render(req, { action: A.image, args: [String(host), id, String(page)] }, async () =>
      imageDetailsView({
        ...ctx(host),
        image: imageForViewer(await imageOrFail(host, id), req.isAdmin),
        page,
        now: clock.now(),
      }),
    );
  };

  const history: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const page = pageArg(args[2]);
    await render(req, { action: A.history, args: [String(host), id, String(page)] }, async () => {
      const [image, layers] = await Promise.all([
        imageOrFail(host, id),
        docker.imageHistory(host, id),
      ]);
      return imageHistoryView({ ...ctx(host), image, layers, page, now: clock.now() });
    });
  };

  const usedBy: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    const id = args[1] ?? '';
    const page = pageArg(args[2]);
    await render(req, { action: A.usedBy, args: [String(host), id, String(page)] }, async () => {
      const [image, list] = await Promise.all([imageOrFail(host, id), docker.listContainers(host)]);
      return imageUsedByView({ ...ctx(host), image, containers: list, page });
    });
  };

  const updates: Handler = async (req, args) => {
    const host = hostArg(args[0]);
    const scope = args[1] === 'all' ? 'all' : (args[1] ?? 'all');
    const page = pageArg(args[2]);
    await render(
      req,
      { action: A.updates, args: [String(host), scope, String(page)] },
      async () => {
        const all = await docker.listImages(host);
        const chosen = scope === 'all' ? all : all.filter((i) => i.id === scope);
        if (scope !== 'all' && chosen.length === 0)
          throw new UserInputError('This image no longer exists. Open the list again.');
        return updatesView({
          ...ctx(host),
          results: await deps.updates.check(chosen),
          scope,
          page,
          now: clock.now(),
        });
      },
      'Asking the registries…',
    );
  };

  return {
    name: 'docker',
    install(router) {
      router.command('docker', overviewReply, 'Docker overview');
      router.button(MAIN_MENU.docker, overviewReply);
      const list = async (req: Req): Promise<void> => containers(req, selected(req), 0);
      router.command('containers', list, 'Docker containers');
      router.button(DOCKER_MENU.containers, list);
      const imageList = async (req: Req): Promise<void> => images(req, selected(req), 0);
      router.command('images', imageList, 'Docker images');
      router.button(DOCKER_MENU.images, imageList);
      if (several) router.button(DOCKER_MENU.hosts, hostPicker);

      router.action(A.overview, overviewAction);
      router.action(A.containers, (req, args) =>
        containers(req, hostArg(args[0]), pageArg(args[1])),
      );
      router.action(A.container, details);
      router.action(
        A.volumes,
        subScreen(A.volumes, 'container.volumes', 'show volumes of', volumesView),
      );
      router.action(
        A.networks,
        subScreen(A.networks, 'container.networks', 'show networks of', networksView),
      );
      router.action(
        A.runtime,
        subScreen(A.runtime, 'container.runtime', 'show runtime of', runtimeView),
      );
      router.action(A.logs, logs);
      router.action(A.logFile, logFile);
      router.action(A.manage, manage);
      router.action(A.confirm, confirm);
      router.action(A.perform, perform);
      router.action(A.images, (req, args) => images(req, hostArg(args[0]), pageArg(args[1])));
      router.action(A.image, imageDetails);
      router.action(A.history, history);
      router.action(A.usedBy, usedBy);
      router.action(A.updates, updates);
    },
    async start() {
      if (deps.strictAccess) await docker.assertReachable();
    },
  };
}
