import { isoTime, type Clock } from '../clock';
import { ForbiddenError, UserInputError } from '../errors';
import type { Feature } from '../features/feature';
import type { Logger } from '../log/logger';
import type { SecondFactor } from '../features/second-factor';
import type { Req } from '../telegram/request';
import { FLEET_BUTTON } from '../views/keyboards';
import type { View } from '../views/view';
import type { AlertmanagerClient } from './alertmanager-client';
import type { AlertmanagerRelay } from './alertmanager-relay';
import { AM_SILENCE_ACTION, SILENCE_HOURS, silencedToast, silenceFailedView } from './alert-views';
import { RemoteHostError } from './http-get';
import type { FleetPort } from './port';
import {
  FLEET_ACTION,
  fleetView,
  hostPickerView,
  remoteDownView,
  remoteHostView,
  type PickTarget,
  type RemoteScreen,
} from './views';

/** The fleet's engines, built on first use (src/fleet/setup.ts) so an unconfigured bot never loads them. */
export interface FleetRuntime {
  readonly fleet: FleetPort;
  /** Present when the Alertmanager receiver runs and its API is configured. */
  readonly silences:
    | {
        readonly relay: AlertmanagerRelay;
        readonly client: AlertmanagerClient;
        /** Silencing needs a 2FA session. */
        readonly privileged: boolean;
      }
    | undefined;
}

export interface FleetFeatureDeps {
  readonly runtime: () => Promise<FleetRuntime>;
  readonly pageSize: number;
  /** Whether Silence buttons can be pressed (the receiver and Alertmanager's API are configured). */
  readonly silencing: boolean;
  readonly secondFactor: SecondFactor;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The Fleet screen, remote host screens and pickers, and the Silence buttons. */
export function fleetFeature(deps: FleetFeatureDeps): Feature & {
  /** Shows the host picker for Server / Quick view; false when there is nothing to pick. */
  pick(req: Req, target: PickTarget): Promise<boolean>;
} {
  async function show(req: Req, view: View): Promise<void> {
    if ((await req.show(view)) === 'unchanged') await req.toast('Already up to date');
  }

  async function overview(req: Req, page: number): Promise<void> {
    await req.toast();
    const { fleet } = await deps.runtime();
    await show(req, fleetView(await fleet.statuses(), page, deps.pageSize));
  }

  async function host(
    req: Req,
    { name, screen }: { name: string; screen: RemoteScreen },
  ): Promise<void> {
    await req.toast();
    const { fleet } = await deps.runtime();
    try {
      await show(req, remoteHostView(name, screen, await fleet.snapshot(name)));
    } catch (err) {
      if (!(err instanceof RemoteHostError)) throw err;
      await show(req, remoteDownView(name, screen, err.reason));
    }
  }

  async function pick(req: Req, target: PickTarget, page = 0): Promise<boolean> {
    const { fleet } = await deps.runtime();
    const names = await fleet.names();
    if (names.length === 0) return false;
    const view = hostPickerView(target, names, page, deps.pageSize);
    if (req.isCallback) await show(req, view);
    else await req.reply(view);
    return true;
  }

  const silence = silenceHandler(deps);

  return {
    name: 'fleet',
    pick,
    install(router) {
      const open = async (req: Req): Promise<void> => {
        const { fleet } = await deps.runtime();
        await req.reply(fleetView(await fleet.statuses(), 0, deps.pageSize));
      };
      router.command('fleet', open, 'Remote hosts, worst first');
      router.button(FLEET_BUTTON, open);
      router.on(FLEET_ACTION.page, (req, { page }) => overview(req, page));
      router.on(FLEET_ACTION.host, host);
      router.on(FLEET_ACTION.pick, async (req, { target, page }) => {
        await pick(req, target, page);
      });
      if (deps.silencing) router.on(AM_SILENCE_ACTION, silence);
    },
  };
}

/** The Silence buttons: admin only, behind 2FA when configured privileged; a real Alertmanager silence. */
function silenceHandler(
  deps: FleetFeatureDeps,
): (
  req: Req,
  args: { fingerprint: string; hours: (typeof SILENCE_HOURS)[number] },
) => Promise<void> {
  return async (req, { fingerprint, hours: h }) => {
    const s = (await deps.runtime()).silences;
    if (s === undefined) throw new UserInputError('Silencing is not configured.');
    const hours = Number(h);
    if (!req.isAdmin) throw new ForbiddenError('Only admins can silence alerts.');
    const alert = s.relay.alert(fingerprint);
    if (alert === undefined)
      throw new UserInputError('This alert is no longer known (resolved or too old).');
    const perform = async (): Promise<void> => {
      const now = deps.clock.now();
      const until = new Date(now + hours * 3_600_000);
      try {
        await s.client.createSilence({
          matchers: Object.entries(alert.labels).map(([name, value]) => ({ name, value })),
          startsAt: new Date(now),
          endsAt: until,
          createdBy: `tmbot user ${req.user.id}`,
          comment: `Silenced from Telegram for ${hours} h`,
        });
      } catch (err) {
        if (!(err instanceof RemoteHostError)) throw err;
        await req.reply(silenceFailedView(err.reason));
        return;
      }
      await req.toast(silencedToast(hours));
      await s.relay.markSilenced(fingerprint, isoTime(until.getTime()).replace(/\.\d+Z$/, 'Z'));
    };
    if (!s.privileged) return perform();
    await deps.secondFactor.requireSecondFactor(
      req,
      {
        ...AM_SILENCE_ACTION.call({ fingerprint, hours: h }),
        label: `silence ${alert.labels.alertname ?? 'alert'} for ${hours} h`,
        audit: 'alertmanager.silence',
        target: alert.labels.alertname ?? fingerprint,
      },
      perform,
    );
  };
}
