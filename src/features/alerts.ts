import type { ActOutcome } from '../alerts/delivery';
import type { AlertEngine } from '../alerts/engine';
import { ALERT_ACK, ALERT_MUTE, ALERT_SNOOZE, actionToast, refusal } from '../alerts/views';
import type { Req } from '../telegram/request';
import type { Feature } from './feature';

/**
 * The buttons on every alert message, whichever source raised it (the monitor's host
 * conditions and Docker events, remote fleet hosts): Ack, Snooze 1 / 4 / 24 h, Mute (admins).
 */
export function alertButtonsFeature(engine: Pick<AlertEngine, 'ack' | 'snooze' | 'mute'>): Feature {
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
    },
  };
}
