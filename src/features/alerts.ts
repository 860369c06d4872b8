import type { ActOutcome } from '../alerts/delivery';
import type { AlertEngine } from '../alerts/engine';
import type { Clock } from '../clock';
import {
  ALERT_ACK,
  ALERT_MUTE,
  ALERT_MUTES,
  ALERT_SNOOZE,
  ALERT_UNMUTE,
  actionToast,
  mutesView,
  refusal,
} from '../alerts/views';
import type { Req } from '../telegram/request';
import type { Feature } from './feature';

/**
 * The buttons on every alert message, whichever source raised it (the monitor's host
 * conditions and Docker events, remote fleet hosts): Ack, Snooze 1 / 4 / 24 h, Mute (admins);
 * and /mutes, where a mute is removed again, with or without the monitor plugin.
 */
export function alertButtonsFeature(
  engine: Pick<AlertEngine, 'ack' | 'snooze' | 'mute' | 'mutes' | 'unmute'>,
  clock: Clock,
): Feature {
  const mutes = () => mutesView(engine.mutes(), clock.now());
  const answer = async (req: Req, outcome: ActOutcome, done: string): Promise<void> => {
    await req.toast(actionToast(outcome, done), !outcome.ok);
  };
  return {
    name: 'alerts',
    install(router) {
      router.on(ALERT_ACK, (req, { ref }) =>
        answer(req, engine.ack(ref, req.user.id), 'Acknowledged'),
      );
      router.on(ALERT_SNOOZE, (req, { ref, hours }) =>
        answer(req, engine.snooze(ref, Number(hours), req.user.id), `Snoozed for ${hours} h`),
      );
      router.on(ALERT_MUTE, async (req, { ref }) => {
        if (!req.isAdmin) return req.toast(refusal('admin-only'), true);
        await answer(req, engine.mute(ref, req.user.id), 'Muted: this kind for this target');
      });
      router.command(
        'mutes',
        async (req) => {
          await req.reply(mutes());
        },
        'Alert mute rules',
      );
      router.on(ALERT_MUTES, async (req) => {
        if ((await req.show(mutes())) === 'unchanged') await req.toast('Already up to date');
      });
      router.on(ALERT_UNMUTE, async (req, { rule }) => {
        if (!req.isAdmin) return req.toast(refusal('admin-only'), true);
        if (!engine.unmute(rule)) await req.toast(refusal('unknown'), true);
        else await req.toast('Unmuted');
        await req.show(mutes());
      });
    },
  };
}
