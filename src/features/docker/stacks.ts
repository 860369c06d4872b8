import {
  COMPOSE_LABELS,
  groupStacks,
  labelOf,
  parseDependsOn,
  serviceOf,
  startOrder,
} from '../../adapters/docker/compose';
import type { ContainerState, ContainerSummary } from '../../adapters/docker/port';
import { DockerError, ForbiddenError } from '../../errors';
import type { Router } from '../../telegram/router';
import type { Req } from '../../telegram/request';
import { DOCKER_MENU } from '../../views/docker-menu';
import {
  STACKS,
  stackConfirmView,
  stackListView,
  stackProgressView,
  stackView,
  type StackOp,
  type StackService,
  type StackStep,
} from '../../views/docker-stacks';
import { describeForUser } from '../../views/errors';
import { clip } from '../../views/html';
import type { DockerScreens } from './screens';

/** How long each service may take to reach the expected state after its action. */
const SETTLE_MS = 15_000;
const SETTLE_STEP_MS = 100;
/** Most services one stack screen inspects (restart counts); the rest show "?". */
const MAX_INSPECTED = 50;

interface StackArgs {
  readonly host: number;
  readonly project: string;
  readonly page: number;
}

const SETTLED: Record<'start' | 'stop', (state: ContainerState | undefined) => boolean> = {
  start: (s) => s === 'running' || s === 'restarting' || s === 'exited',
  stop: (s) => s !== undefined && s !== 'running' && s !== 'paused' && s !== 'restarting',
};

/** The stack's containers in start order, reversed for stop. */
function ordered(
  containers: readonly ContainerSummary[],
  op: 'start' | 'stop',
): ContainerSummary[] {
  const order = startOrder(containers);
  return op === 'stop' ? order.reverse() : order;
}

async function stackOf(
  s: DockerScreens,
  host: number,
  project: string,
): Promise<ContainerSummary[]> {
  const all = await s.deps.docker.listContainers(host);
  const stack = groupStacks(all).stacks.find((x) => x.project === project);
  if (stack === undefined) throw new DockerError('stack_gone');
  return [...stack.containers];
}

async function services(
  s: DockerScreens,
  host: number,
  containers: readonly ContainerSummary[],
): Promise<StackService[]> {
  const order = startOrder(containers);
  const restarts = await Promise.all(
    order.map((c, i) =>
      i < MAX_INSPECTED
        ? s.deps.docker.inspectContainer(host, c.id).then(
            (d) => d?.restartCount,
            () => undefined,
          )
        : Promise.resolve(undefined),
    ),
  );
  return order.map((c, i) => ({
    service: serviceOf(c),
    name: c.name,
    state: c.state,
    health: c.health,
    image: c.image,
    restarts: restarts[i],
    dependsOn: parseDependsOn(labelOf(c.labels, COMPOSE_LABELS.dependsOn)),
  }));
}

/** Waits (bounded) until the engine shows the state `op` leads to; returns the state seen last. */
async function settle(
  s: DockerScreens,
  host: number,
  id: string,
  op: 'start' | 'stop',
): Promise<ContainerState | undefined> {
  const { docker, clock } = s.deps;
  const deadline = clock.now() + SETTLE_MS;
  for (;;) {
    const state = (await docker.inspectContainer(host, id))?.state;
    if (SETTLED[op](state) || clock.now() >= deadline) return state;
    await clock.sleep(SETTLE_STEP_MS);
  }
}

/** One engine call of a stack action: a restart is a stop in reverse order, then a start in order. */
interface Move {
  readonly container: ContainerSummary;
  readonly op: 'start' | 'stop';
}

function movesOf(containers: readonly ContainerSummary[], op: StackOp): Move[] {
  const stops = ordered(containers, 'stop').map((container) => ({
    container,
    op: 'stop' as const,
  }));
  const starts = ordered(containers, 'start').map((container) => ({
    container,
    op: 'start' as const,
  }));
  return op === 'stop' ? stops : op === 'start' ? starts : [...stops, ...starts];
}

/** Runs `op` on each service in order, editing the message as each one moves; stops at a failure. */
async function run(s: DockerScreens, req: Req, args: StackArgs, op: StackOp): Promise<void> {
  const { docker, clock, log } = s.deps;
  const t0 = clock.now();
  const moves = movesOf(await stackOf(s, args.host, args.project), op);
  const label = (m: Move): string =>
    op === 'restart' ? `${m.op} ${serviceOf(m.container)}` : serviceOf(m.container);
  const steps: StackStep[] = moves.map((m) => ({ service: label(m), status: 'waiting' }));
  const view = (tookMs?: number) =>
    stackProgressView({
      ...s.ctx(args.host),
      project: args.project,
      op,
      steps,
      page: args.page,
      ...(tookMs !== undefined ? { tookMs } : {}),
    });
  let failure: Error | undefined;
  for (const [i, m] of moves.entries()) {
    steps[i] = { service: label(m), status: 'working' };
    await req.show(view());
    try {
      await docker.act(args.host, m.container.id, m.op);
      const state = await settle(s, args.host, m.container.id, m.op);
      const ok = SETTLED[m.op](state);
      steps[i] = { service: label(m), status: ok ? 'done' : 'failed', detail: state ?? 'gone' };
      if (!ok)
        failure = new DockerError('refused', {
          action: m.op,
          detail: `${m.container.name} is ${state ?? 'gone'}`,
        });
    } catch (err) {
      steps[i] = { service: label(m), status: 'failed', detail: describeForUser(err) };
      failure = err instanceof Error ? err : new Error(String(err));
    }
    if (failure !== undefined) break;
  }
  await req.show(view(clock.now() - t0));
  log.info(`stack ${op} ${failure === undefined ? 'done' : 'failed'}`, {
    host: docker.hosts[args.host]?.label,
    stack: args.project,
    steps: steps.map((x) => `${x.service}:${x.status}`).join(','),
    user: req.user.id,
  });
  if (failure !== undefined) throw failure;
}

/** Stacks list, stack screen, "Are you sure?" and the stack actions (admin, 2FA, audited). */
export function installStacks(router: Router, s: DockerScreens): void {
  const busy = new Set<string>();

  const list = (req: Req, host: number, page: number): Promise<void> =>
    s.render(req, STACKS.list.call({ host, page }), async () =>
      stackListView({
        ...s.ctx(host),
        groups: groupStacks(await s.deps.docker.listContainers(host)),
        page,
      }),
    );
  const firstPage = (req: Req): Promise<void> => list(req, s.selected(req), 0);
  router.command('stacks', firstPage, 'Docker compose stacks');
  router.button(DOCKER_MENU.stacks, firstPage);
  router.on(STACKS.list, (req, args) => list(req, s.hostOf(args.host), args.page));

  router.on(STACKS.stack, async (req, args) => {
    const host = s.hostOf(args.host);
    await s.render(
      req,
      STACKS.stack.call(args),
      async () =>
        stackView({
          ...s.ctx(host),
          project: args.project,
          services: await services(s, host, await stackOf(s, host, args.project)),
          page: args.page,
          isAdmin: req.isAdmin,
        }),
      '',
    );
  });

  router.on(STACKS.confirm, async (req, args) => {
    if (!req.isAdmin) throw new ForbiddenError('Only admins can manage stacks.');
    const host = s.hostOf(args.host);
    await s.render(req, STACKS.confirm.call(args), async () =>
      stackConfirmView({
        ...s.ctx(host),
        project: args.project,
        op: args.op,
        order: movesOf(await stackOf(s, host, args.project), args.op).map((m) =>
          args.op === 'restart' ? `${m.op} ${serviceOf(m.container)}` : serviceOf(m.container),
        ),
        page: args.page,
      }),
    );
  });

  router.on(STACKS.perform, async (req, args) => {
    const host = s.hostOf(args.host);
    const hostLabel = s.several ? `${s.deps.docker.hosts[host]?.label ?? host} ` : '';
    await s.deps.secondFactor.requireSecondFactor(
      req,
      {
        ...STACKS.perform.call(args),
        label: `${args.op} stack ${clip(args.project, 40)}`,
        audit: `stack.${args.op}`,
        target: `${hostLabel}stack ${args.project}`,
        destructive: args.op !== 'start',
      },
      async () => {
        const key = `${host}/${args.project}`;
        if (busy.has(key)) return req.toast('This stack is already being changed.', true);
        busy.add(key);
        try {
          await req.toast(`${args.op}: working…`);
          await run(s, req, { ...args, host }, args.op).catch(async (err: unknown) => {
            if (err instanceof DockerError && err.kind === 'stack_gone')
              await req.show(s.failure(err, STACKS.stack.call(args)));
            throw err;
          });
        } finally {
          busy.delete(key);
        }
      },
    );
  });
}
