/**
 * The Silence buttons' rules: admins only, a 2FA check when configured privileged, and the
 * silence matches every label of the alert.
 */
import { ManualClock } from '../../../src/clock';
import { ForbiddenError } from '../../../src/errors';
import type { AlertmanagerClient, SilenceRequest } from '../../../src/fleet/alertmanager-client';
import type { AlertmanagerRelay } from '../../../src/fleet/alertmanager-relay';
import { AM_SILENCE_ACTION } from '../../../src/fleet/alert-views';
import { fleetFeature, type FleetRuntime } from '../../../src/fleet/feature';
import type { FleetPort } from '../../../src/fleet/port';
import { silentLogger } from '../../support/silent-logger';
import type { PrivilegedAction } from '../../../src/security/second-factor';
import type { SecondFactor } from '../../../src/features/second-factor';
import type { Req } from '../../../src/telegram/request';
import type { ActionHandler, Router } from '../../../src/telegram/router';
import type { Action } from '../../../src/telegram/actions';

function setup(privileged: boolean) {
  const silences: SilenceRequest[] = [];
  const marked: string[] = [];
  const prompts: PrivilegedAction[] = [];
  const alert = {
    status: 'firing' as const,
    labels: { alertname: 'DiskFull', instance: 'web-1' },
    annotations: {},
    startsAt: 't',
    endsAt: 't',
    fingerprint: 'abc',
  };
  const runtime: FleetRuntime = {
    fleet: {} as FleetPort,
    silences: {
      privileged,
      client: {
        createSilence: (s: SilenceRequest) => {
          silences.push(s);
          return Promise.resolve('id-1');
        },
      } as unknown as AlertmanagerClient,
      relay: {
        alert: (fp: string) => (fp === 'abc' ? alert : undefined),
        markSilenced: (fp: string) => {
          marked.push(fp);
          return Promise.resolve();
        },
      } as unknown as AlertmanagerRelay,
    },
  };
  const guard: SecondFactor = {
    requireSecondFactor: (_req, what) => {
      prompts.push(what);
      return Promise.resolve(false);
    },
  };
  const routes = new Map<string, ActionHandler<unknown>>();
  const router = {
    command: () => router,
    button: () => router,
    on: <A>(action: Action<A>, handler: ActionHandler<A>) => {
      routes.set(action.name, handler as ActionHandler<unknown>);
      return router;
    },
  };
  fleetFeature({
    runtime: () => Promise.resolve(runtime),
    pageSize: 20,
    silencing: true,
    secondFactor: guard,
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
    log: silentLogger,
  }).install(router as unknown as Router);
  const toasts: string[] = [];
  const req = (isAdmin: boolean): Req =>
    ({
      user: { id: 7, firstName: 'A' },
      isAdmin,
      isCallback: true,
      toast: (t?: string) => {
        if (t !== undefined) toasts.push(t);
        return Promise.resolve();
      },
      reply: () => Promise.resolve({ chatId: 7, messageId: 1 }),
    }) as unknown as Req;
  const press = (isAdmin: boolean) =>
    routes.get(AM_SILENCE_ACTION.name)?.(req(isAdmin), { fingerprint: 'abc', hours: '4' });
  return { press, silences, marked, prompts, toasts };
}

describe('Silence buttons', () => {
  it('refuse non-admins', async () => {
    const t = setup(false);
    await expect(t.press(false)).rejects.toThrow(ForbiddenError);
    expect(t.silences).toEqual([]);
  });

  it('create a silence matching every label when not privileged', async () => {
    const t = setup(false);
    await t.press(true);
    expect(t.silences).toHaveLength(1);
    expect(t.silences[0]?.matchers).toEqual([
      { name: 'alertname', value: 'DiskFull' },
      { name: 'instance', value: 'web-1' },
    ]);
    expect(t.silences[0]!.endsAt.getTime() - t.silences[0]!.startsAt.getTime()).toBe(4 * 3_600_000);
    expect(t.silences[0]?.createdBy).toBe('tmbot user 7');
    expect(t.toasts).toEqual(['Silenced for 4 h in Alertmanager']);
    expect(t.marked).toEqual(['abc']);
  });

  it('go through the 2FA guard when privileged, resuming the same press', async () => {
    const t = setup(true);
    await t.press(true);
    expect(t.silences).toEqual([]);
    expect(t.prompts).toHaveLength(1);
    expect(t.prompts[0]).toMatchObject({
      action: 'am.silence',
      args: ['abc', '4'],
      audit: 'alertmanager.silence',
      label: 'silence DiskFull for 4 h',
    });
  });
});
