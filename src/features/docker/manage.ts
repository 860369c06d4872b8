import type { ContainerAction, ContainerDetails } from '../../adapters/docker/port';
import { ForbiddenError } from '../../errors';
import type { Router } from '../../telegram/router';
import type { Req } from '../../telegram/request';
import { DOCKER } from '../../views/docker-actions';
import {
  actionResultView,
  actionsFor,
  confirmView,
  DESTRUCTIVE,
  MANAGE_TOAST,
  manageView,
} from '../../views/docker-manage';
import { clip } from '../../views/html';
import type { DockerScreens } from './screens';

/** How long the read-back after an action waits for the engine to show the expected state. */
const READ_BACK_MS = 5000;
const READ_BACK_STEP_MS = 100;

const EXPECTED: Record<ContainerAction, (c: ContainerDetails | undefined) => boolean> = {
  start: (c) => c?.state === 'running' || c?.state === 'restarting' || c?.state === 'exited',
  restart: (c) => c?.state === 'running' || c?.state === 'restarting',
  unpause: (c) => c?.state === 'running',
  pause: (c) => c?.state === 'paused',
  stop: (c) => c !== undefined && c.state !== 'running' && c.state !== 'paused',
  kill: (c) => c !== undefined && c.state !== 'running' && c.state !== 'paused',
  remove: (c) => c === undefined,
};

interface OpArgs {
  readonly host: number;
  readonly id: string;
  readonly page: number;
  readonly op: ContainerAction;
}

async function readBack(
  s: DockerScreens,
  host: number,
  id: string,
  action: ContainerAction,
): Promise<ContainerDetails | undefined> {
  const { docker, clock } = s.deps;
  const deadline = clock.now() + READ_BACK_MS;
  for (;;) {
    const c = await docker.inspectContainer(host, id);
    if (EXPECTED[action](c) || clock.now() >= deadline) return c;
    await clock.sleep(READ_BACK_STEP_MS);
  }
}

/** Runs `op` and shows the state read back; failures are shown, then passed to the guard. */
async function act(s: DockerScreens, req: Req, c: ContainerDetails, args: OpArgs): Promise<void> {
  const { docker, clock, log } = s.deps;
  const { host, op, page } = args;
  await s.render(
    req,
    DOCKER.manage.call({ host, id: args.id, page }),
    async () => {
      const t0 = clock.now();
      await docker.act(host, c.id, op);
      const after = await readBack(s, host, c.id, op);
      log.info(`container ${op} done`, {
        host: docker.hosts[host]?.label,
        container: c.name,
        state: after?.state ?? 'gone',
        user: req.user.id,
      });
      const tookMs = clock.now() - t0;
      return actionResultView({
        ...s.ctx(host),
        name: c.name,
        id: c.id,
        page,
        action: op,
        after,
        tookMs,
      });
    },
    MANAGE_TOAST.working(op),
    true,
  );
}

/** The action behind 2FA: refused when the state moved on, one at a time per container. */
async function perform(s: DockerScreens, busy: Set<string>, req: Req, args: OpArgs): Promise<void> {
  const host = s.hostOf(args.host);
  await s.guarded(
    req,
    DOCKER.perform.call(args),
    host,
    args.id,
    (c) => ({
      label: `${args.op} ${clip(c.name, 40)}`,
      audit: `container.${args.op}`,
      destructive: DESTRUCTIVE.has(args.op),
    }),
    async (c) => {
      if (!actionsFor(c.state).includes(args.op)) {
        await s.render(req, DOCKER.manage.call({ host, id: args.id, page: args.page }), () =>
          Promise.resolve(manageView({ ...s.ctx(host), container: c, page: args.page })),
        );
        await req.toast(MANAGE_TOAST.wrongState(args.op, c.state), true);
        return;
      }
      const key = `${host}/${c.id}`;
      if (busy.has(key)) return req.toast(MANAGE_TOAST.busy, true);
      busy.add(key);
      try {
        await act(s, req, c, { ...args, host });
      } finally {
        busy.delete(key);
      }
    },
  );
}

/** Manage screen, "Are you sure?" and the actions themselves (2FA, one at a time per container). */
export function installManage(router: Router, s: DockerScreens): void {
  const busy = new Set<string>();

  router.on(DOCKER.manage, async (req, args) => {
    const host = s.hostOf(args.host);
    const retry = DOCKER.manage.call(args);
    await s.guarded(
      req,
      retry,
      host,
      args.id,
      (c) => ({ label: `manage ${clip(c.name, 40)}`, audit: 'container.manage' }),
      (c) =>
        s.render(req, retry, () =>
          Promise.resolve(manageView({ ...s.ctx(host), container: c, page: args.page })),
        ),
    );
  });

  router.on(DOCKER.confirm, async (req, args) => {
    if (!req.isAdmin) throw new ForbiddenError('Only admins can manage containers.');
    const host = s.hostOf(args.host);
    await s.render(req, DOCKER.confirm.call(args), async () => {
      const c = await s.inspectOrFail(host, args.id);
      const data = { ...s.ctx(host), container: c, page: args.page };
      return actionsFor(c.state).includes(args.op)
        ? confirmView({ ...data, action: args.op })
        : manageView(data);
    });
  });

  router.on(DOCKER.perform, (req, args) => perform(s, busy, req, args));
}
