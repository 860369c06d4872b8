import { parseImageRef } from '../../adapters/docker/image-ref';
import type { ContainerDetails } from '../../adapters/docker/port';
import type { ContainerUpdatePort } from '../../adapters/docker/update-port';
import type { ExpectedChanges } from '../../alerts/expected';
import { DockerError, ForbiddenError } from '../../errors';
import type { AuditLog } from '../../security/second-factor';
import type { StateStore } from '../../state/json-store';
import type { Router } from '../../telegram/router';
import type { Req } from '../../telegram/request';
import {
  canUpdate,
  updateConfirmView,
  updateScreenView,
  type ContainerUpdateStatus,
  type UpdateScreenData,
} from '../../views/docker-update';
import { UPDATE, updatePolicy, type UpdateOp } from '../../views/docker-update-actions';
import {
  UPDATE_TOAST,
  updateProgressView,
  updateResultView,
  whyText,
} from '../../views/docker-update-result';
import { clip } from '../../views/html';
import type { View } from '../../views/view';
import type { DockerScreens } from './screens';
import { applyReplacement, type ApplyDeps } from './update-apply';
import { AutoUpdater, persistedMaintenance } from './update-auto';
import { UpdateRunner, type UpdateProgress } from './update-run';
import { UpdateState } from './update-state';

/** Settings of safe image updates (`docker.image_updates`). */
export interface ImageUpdateSettings {
  /** How long the new container has to be running (and healthy). */
  readonly startTimeoutMs: number;
  /** Without a health check, how long it must stay up to count as running. */
  readonly minUpMs: number;
  /** How long the previous image is offered for "Roll back". */
  readonly keepMs: number;
  /** `tmbot.update=auto` containers are updated unattended during maintenance. */
  readonly auto: boolean;
}

/** What the update screens need besides the Docker screens' deps. */
export interface ImageUpdateDeps {
  readonly ops: ContainerUpdatePort;
  readonly store: StateStore;
  readonly expected?: ExpectedChanges | undefined;
  readonly settings: ImageUpdateSettings;
  /** What unattended updates (`settings.auto`) report to: the audit log and the admin chats. */
  readonly unattended?: {
    readonly audit: AuditLog;
    notify(view: View): Promise<void>;
    /** How often maintenance is looked for (5 min). */
    readonly everyMs?: number;
  };
}

/** Progress edits at most this often during a pull (Telegram edit limits). */
const PROGRESS_MS = 1000;

interface Args {
  readonly host: number;
  readonly id: string;
  readonly page: number;
}

/** Digest or id forms a container can be created from: no tag, nothing to update. */
const UNTAGGED = /^(sha256:)?[0-9a-f]{64}$/;

interface Room {
  readonly s: DockerScreens;
  readonly d: ImageUpdateDeps;
  readonly state: UpdateState;
  readonly apply: ApplyDeps;
  readonly busy: Set<string>;
}

const hostLabel = (r: Room, host: number): string =>
  r.s.deps.docker.hosts[host]?.label ?? String(host);

/** What the registry says about the tag the container was created from. */
async function statusOf(
  r: Room,
  host: number,
  c: ContainerDetails,
  fresh: boolean,
): Promise<ContainerUpdateStatus> {
  if (UNTAGGED.test(c.image) || parseImageRef(c.image) === undefined) return { kind: 'untagged' };
  const image = (await r.s.deps.docker.listImages(host)).find((i) => i.id === c.imageId);
  if (image === undefined) return { kind: 'unknown', reason: 'the engine does not list its image' };
  // The tag may name another image here by now: the container's own image is what is compared.
  const [result] = await r.s.deps.updates.check([{ ...image, tags: [c.image] }], { fresh });
  return result?.status ?? { kind: 'untagged' };
}

async function screenData(
  r: Room,
  host: number,
  c: ContainerDetails,
  page: number,
  fresh = false,
): Promise<UpdateScreenData> {
  const label = hostLabel(r, host);
  const rollback = r.state.rollback(label, c.name);
  const kept =
    rollback !== undefined &&
    (await r.s.deps.docker.inspectImage(host, rollback.oldImageId)) !== undefined
      ? rollback
      : undefined;
  return {
    ...r.s.ctx(host),
    container: c,
    page,
    policy: updatePolicy(c.config.labels),
    status: await statusOf(r, host, c, fresh),
    pinned: r.state.pin(label, c.name),
    rollback: kept,
    auto: r.d.settings.auto,
  };
}

/** The repo digest the container's image has for its tag (the image id when there is none). */
async function digestOf(r: Room, host: number, c: ContainerDetails): Promise<string> {
  const image = await r.s.deps.docker.inspectImage(host, c.imageId);
  const repo = c.image.replace(/:[^:/]+$/, '');
  const digest = image?.digests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1];
  return digest ?? c.imageId;
}

/** Edits the message as the run moves; pull progress at most every {@link PROGRESS_MS}. */
function progressShower(r: Room, req: Req, host: number, c: ContainerDetails, op: UpdateOp) {
  let chain: Promise<unknown> = Promise.resolve();
  let lastStep = '';
  let lastAt = 0;
  const show = (p: UpdateProgress): void => {
    const now = r.s.deps.clock.now();
    if (p.step === lastStep && now - lastAt < PROGRESS_MS) return;
    lastStep = p.step;
    lastAt = now;
    const view = updateProgressView({
      ...r.s.ctx(host),
      name: c.name,
      op,
      step: p.step,
      pull: p.pull,
    });
    chain = chain.then(() => req.show(view)).catch(() => undefined);
  };
  return { show, flush: () => chain };
}

/** Runs an update or a rollback whose preconditions were checked; shows the result. */
async function execute(
  r: Room,
  req: Req,
  args: Args,
  c: ContainerDetails,
  op: UpdateOp,
): Promise<void> {
  const host = args.host;
  const label = hostLabel(r, host);
  const progress = progressShower(r, req, host, c, op);
  let applied: Awaited<ReturnType<typeof applyReplacement>>;
  try {
    applied = await applyReplacement(r.apply, { host, label, container: c }, op, progress.show);
  } finally {
    await progress.flush();
  }
  const { outcome, result } = applied;
  r.s.deps.log.info(
    `container ${op} ${outcome.ok === true ? 'done' : outcome.ok === false ? 'failed' : 'unchanged'}`,
    { host: label, container: c.name, user: req.user.id },
  );
  const id = outcome.ok === true ? outcome.newId : c.id;
  await req.show(
    updateResultView({
      ...r.s.ctx(host),
      name: c.name,
      id,
      page: args.page,
      op,
      image: c.image,
      result,
    }),
  );
  if (outcome.ok === false)
    throw new DockerError('refused', {
      action: op === 'update' ? 'update' : 'roll back',
      detail: whyText(outcome.why),
    });
}

/** Why `op` cannot run on `c` now (a stale or forged button), or undefined when it can. */
async function refusal(
  r: Room,
  host: number,
  c: ContainerDetails,
  op: UpdateOp,
): Promise<string | undefined> {
  const data = await screenData(r, host, c, 0);
  if (data.policy === 'never') return UPDATE_TOAST.never;
  if (op === 'update') return canUpdate(data) ? undefined : UPDATE_TOAST.none;
  return data.rollback !== undefined ? undefined : UPDATE_TOAST.noRollback;
}

async function run(r: Room, req: Req, args: Args & { op: UpdateOp }): Promise<void> {
  const host = r.s.hostOf(args.host);
  await r.s.guarded(
    req,
    UPDATE.run.call(args),
    host,
    args.id,
    (c) => ({
      label: `${args.op === 'update' ? 'update' : 'roll back'} ${clip(c.name, 40)}`,
      audit: `container.${args.op}`,
      destructive: true,
    }),
    async (c) => {
      const key = `${host}/${c.name}`;
      if (r.busy.has(key)) return req.toast(UPDATE_TOAST.busy, true);
      r.busy.add(key);
      try {
        const refused = await refusal(r, host, c, args.op);
        if (refused !== undefined) {
          await showScreen(r, req, { ...args, host }, c);
          return req.toast(refused, true);
        }
        await req.toast(args.op === 'update' ? 'Updating…' : 'Rolling back…');
        await execute(r, req, { ...args, host }, c, args.op);
      } finally {
        r.busy.delete(key);
      }
    },
  );
}

/** The update screen; `fresh` (opening it, "Check again") asks the registry past its cache. */
function showScreen(
  r: Room,
  req: Req,
  args: Args,
  c: ContainerDetails,
  fresh = false,
): Promise<void> {
  return r.s.render(
    req,
    UPDATE.screen.call(args),
    async () => updateScreenView(await screenData(r, args.host, c, args.page, fresh)),
    fresh ? UPDATE_TOAST.checking : undefined,
  );
}

async function pin(r: Room, req: Req, args: Args & { op: 'pin' | 'unpin' }): Promise<void> {
  const host = r.s.hostOf(args.host);
  await r.s.guarded(
    req,
    UPDATE.pin.call(args),
    host,
    args.id,
    (c) => ({ label: `${args.op} ${clip(c.name, 40)}`, audit: `container.${args.op}` }),
    async (c) => {
      const label = hostLabel(r, host);
      await r.state.setPin(
        args.op === 'pin'
          ? {
              host: label,
              name: c.name,
              digest: await digestOf(r, host, c),
              at: r.s.deps.clock.now(),
              by: req.user.id,
            }
          : { host: label, name: c.name, digest: undefined },
      );
      await showScreen(r, req, { ...args, host }, c);
      await req.toast(args.op === 'pin' ? UPDATE_TOAST.pinned : UPDATE_TOAST.unpinned);
    },
  );
}

/**
 * Safe image updates on the container screens: the update screen (registry status,
 * pin, rollback), "Are you sure?", and the update / rollback itself — admin, 2FA,
 * audited, announced to the alerts. A crash mid-update is rolled back at the next start.
 */
export function installUpdates(
  router: Router,
  s: DockerScreens,
  d: ImageUpdateDeps,
): { recover(): Promise<number>; auto: AutoUpdater | undefined } {
  const state = new UpdateState(d.store, s.deps.clock);
  const { clock, log } = s.deps;
  const runner = new UpdateRunner({
    docker: s.deps.docker,
    ops: d.ops,
    state,
    clock,
    log,
    expected: d.expected,
    startTimeoutMs: d.settings.startTimeoutMs,
    minUpMs: d.settings.minUpMs,
  });
  const apply = { ops: d.ops, state, runner, clock, log, keepMs: d.settings.keepMs };
  const r: Room = { s, d, state, apply, busy: new Set() };
  const auto =
    d.settings.auto && d.unattended !== undefined
      ? new AutoUpdater({
          ...d.unattended,
          docker: s.deps.docker,
          apply,
          statusOf: (host, c) => statusOf(r, host, c, true),
          maintenance: () => persistedMaintenance(d.store, clock),
          ctx: (host) => s.ctx(host),
          busy: r.busy,
          clock,
          log,
        })
      : undefined;

  router.on(UPDATE.screen, async (req, args) => {
    const host = s.hostOf(args.host);
    await s.guarded(
      req,
      UPDATE.screen.call(args),
      host,
      args.id,
      (c) => ({ label: `image update of ${clip(c.name, 40)}`, audit: 'container.update_check' }),
      (c) => showScreen(r, req, { ...args, host }, c, true),
    );
  });

  router.on(UPDATE.ask, async (req, args) => {
    if (!req.isAdmin) throw new ForbiddenError('Only admins can update containers.');
    const host = s.hostOf(args.host);
    await s.render(req, UPDATE.ask.call(args), async (): Promise<View> => {
      const c = await s.inspectOrFail(host, args.id);
      const data = await screenData(r, host, c, args.page);
      const ok = args.op === 'update' ? canUpdate(data) : data.rollback !== undefined;
      if (!ok) return updateScreenView(data);
      return updateConfirmView({
        ...s.ctx(host),
        container: c,
        page: args.page,
        op: args.op,
        timeoutMs: d.settings.startTimeoutMs,
        ...(data.rollback !== undefined ? { rollbackImage: data.rollback.oldImageId } : {}),
      });
    });
  });

  router.on(UPDATE.run, (req, args) => run(r, req, args));
  router.on(UPDATE.pin, (req, args) => pin(r, req, args));
  return { recover: () => runner.recover(), auto };
}
