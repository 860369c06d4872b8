import type { ContainerDetails, DockerPort } from '../../adapters/docker/port';
import type { UpdateCheckPort } from '../../adapters/docker/update-checker';
import type { Clock } from '../../clock';
import { DockerError, isUserSafe } from '../../errors';
import type { Logger } from '../../log/logger';
import type { PrivilegedAction } from '../../security/second-factor';
import type { SecondFactor } from '../second-factor';
import type { ActionCall } from '../../views/view';
import type { Req } from '../../telegram/request';
import type { HostContext } from '../../views/docker-containers';
import { shortId } from '../../views/docker-format';
import { dockerErrorView } from '../../views/docker-menu';
import { describeForUser } from '../../views/errors';
import type { View } from '../../views/view';

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
  /** strict_access: how long the start-up ping is retried (default 30 s). */
  strictWaitMs?: number;
  /** Offer history charts on container screens (history is on). */
  charts?: boolean;
  /** Longest wait for live stats on the details screen. */
  statsBudgetMs?: number;
}

/** Work that takes longer than this is acknowledged before its result is shown. */
const ACK_AFTER_MS = 300;

/** What the privileged guard needs besides the call, the target and the audit name. */
type GuardedWhat = Pick<PrivilegedAction, 'label' | 'audit' | 'destructive'>;

/**
 * What every Docker room shares: the deps, which host a user is looking at, and
 * the way a screen is built and shown (failures become the screen).
 */
export interface DockerScreens {
  readonly deps: DockerFeatureDeps;
  /** Several hosts are configured: screens name theirs. */
  readonly several: boolean;
  ctx(host: number): HostContext;
  /** `host` if it is still configured; throws the user-facing refusal otherwise. */
  hostOf(host: number): number;
  /** The host this user picked last (the first one by default). */
  selected(req: Req): number;
  select(req: Req, host: number): void;
  /**
   * Builds a screen and shows it (edit in place for buttons). `ack` answers the
   * button at once for slow screens ('' = silently after a short while). `rethrow`
   * passes a failure on after showing it, so the 2FA guard audits it as failed.
   */
  render(
    req: Req,
    retry: ActionCall | undefined,
    build: () => Promise<View>,
    ack?: string,
    rethrow?: boolean,
  ): Promise<void>;
  /** The screen for a failure; unexpected errors are logged and described generically. */
  failure(err: unknown, retry: ActionCall | undefined): View;
  inspectOrFail(host: number, id: string): Promise<ContainerDetails>;
  /** Inspects, then runs `perform` behind the 2FA guard; failures before the guard become the screen. */
  guarded(
    req: Req,
    retry: ActionCall,
    host: number,
    id: string,
    what: (c: ContainerDetails) => GuardedWhat,
    perform: (c: ContainerDetails) => Promise<void>,
  ): Promise<void>;
}

/** `DockerScreens.render`, given the clock and the failure screen. */
async function showScreen(
  clock: Clock,
  failure: (err: unknown, retry: ActionCall | undefined) => View,
  req: Req,
  retry: ActionCall | undefined,
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
      ? clock.setTimeout(() => {
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
    early?.cancel();
  }
  if ((await req.show(view)) === 'unchanged') await req.toast('Already up to date');
  if (rethrow && failed !== undefined) throw failed;
}

export function dockerScreens(deps: DockerFeatureDeps): DockerScreens {
  const { docker, clock, log } = deps;
  const several = docker.hosts.length > 1;
  const currentHost = new Map<number, number>();

  const failure = (err: unknown, retry: ActionCall | undefined): View => {
    if (!isUserSafe(err)) log.error('docker screen failed', { error: err });
    const canRetry = err instanceof DockerError && err.kind === 'unavailable';
    return dockerErrorView(describeForUser(err), canRetry ? retry : undefined);
  };

  async function inspectOrFail(host: number, id: string): Promise<ContainerDetails> {
    const c = await docker.inspectContainer(host, id);
    if (c === undefined) throw new DockerError('container_gone');
    return c;
  }

  const target = (host: number, c: { id: string; name: string }): string =>
    `${several ? `${docker.hosts[host]?.label ?? host} ` : ''}${c.name} (${shortId(c.id)})`;

  return {
    deps,
    several,
    ctx: (host) => ({ host, hostLabel: several ? docker.hosts[host]?.label : undefined }),
    hostOf(host) {
      if (host >= docker.hosts.length) throw new DockerError('host_gone');
      return host;
    },
    selected(req) {
      const h = currentHost.get(req.user.id) ?? 0;
      return h < docker.hosts.length ? h : 0;
    },
    select: (req, host) => void currentHost.set(req.user.id, host),
    render: (req, retry, build, ack, rethrow) =>
      showScreen(clock, failure, req, retry, build, ack, rethrow),
    failure,
    inspectOrFail,
    async guarded(req, retry, host, id, what, perform) {
      let c: ContainerDetails;
      try {
        c = await inspectOrFail(host, id);
      } catch (err) {
        await req.show(failure(err, retry));
        return;
      }
      await deps.secondFactor.requireSecondFactor(
        req,
        { ...what(c), ...retry, target: target(host, c) },
        () => perform(c),
      );
    },
  };
}
