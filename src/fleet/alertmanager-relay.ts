import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import type { Sender } from '../telegram/sender';
import type { AlertmanagerClient } from './alertmanager-client';
import type { AmAlert, AmPayload } from './alertmanager-payload';
import { amAlertView, amSeverity } from './alert-views';

const STATE_FILE = 'fleet-alertmanager';
/** Alerts remembered for editing on resolve; the oldest are forgotten past this. */
const MAX_REMEMBERED = 1000;

interface Posted {
  readonly alert: AmAlert;
  readonly messages: readonly (readonly [number, number])[];
  readonly silencedUntil?: string;
}

const isPostedMap = (v: unknown): v is Record<string, Posted> =>
  typeof v === 'object' &&
  v !== null &&
  Object.values(v).every(
    (p: unknown) =>
      typeof p === 'object' &&
      p !== null &&
      typeof (p as Posted).alert?.fingerprint === 'string' &&
      Array.isArray((p as Posted).messages),
  );

export interface RelayDeps {
  readonly sender: Pick<Sender, 'send' | 'edit'>;
  readonly chatIds: readonly number[];
  /** The user whose buttons an alert message carries in a chat (callback tokens are per user). */
  readonly buttonsFor: (chatId: number) => number | undefined;
  readonly alertmanager: AlertmanagerClient | undefined;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly counted: (severity: string, state: string) => void;
}

/**
 * Posts Alertmanager's alerts into the alert chats, once per alert, and edits the same messages
 * when Alertmanager says they resolved. What was posted survives restarts (state dir).
 */
export class AlertmanagerRelay {
  private readonly posted: Map<string, Posted>;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RelayDeps) {
    this.posted = new Map(Object.entries(deps.store.read(STATE_FILE, isPostedMap) ?? {}));
  }

  /** Queues a payload; payloads are handled one at a time, in arrival order. */
  deliver(payload: AmPayload): Promise<void> {
    const next = this.chain.then(() => this.handle(payload));
    this.chain = next.catch((err: unknown) =>
      this.deps.log.warn('alertmanager: could not relay a notification', { error: err }),
    );
    return this.chain;
  }

  /** The labels of a posted alert (for a silence), if it is known. */
  alert(fingerprint: string): AmAlert | undefined {
    return this.posted.get(fingerprint)?.alert;
  }

  /** Marks an alert silenced and updates its messages (the buttons go). */
  async markSilenced(fingerprint: string, until: string): Promise<void> {
    const p = this.posted.get(fingerprint);
    if (p === undefined) return;
    const next = { ...p, silencedUntil: until };
    this.posted.set(fingerprint, next);
    await this.editAll(next);
    await this.save();
  }

  private view(p: Posted) {
    return amAlertView(p.alert, {
      buttons: this.deps.alertmanager !== undefined,
      ...(p.silencedUntil !== undefined ? { silencedUntil: p.silencedUntil } : {}),
    });
  }

  private async editAll(p: Posted): Promise<void> {
    for (const [chatId, messageId] of p.messages) {
      const forUser = this.deps.buttonsFor(chatId);
      await this.deps.sender
        .edit(chatId, messageId, this.view(p), forUser !== undefined ? { forUser } : {})
        .catch((err: unknown) =>
          this.deps.log.warn('alertmanager: could not edit an alert message', { error: err }),
        );
    }
  }

  private async handle(payload: AmPayload): Promise<void> {
    let changed = false;
    for (const alert of payload.alerts) {
      const known = this.posted.get(alert.fingerprint);
      if (alert.status === 'firing' && known === undefined) {
        const messages: [number, number][] = [];
        const p: Posted = { alert, messages };
        for (const chatId of this.deps.chatIds) {
          const forUser = this.deps.buttonsFor(chatId);
          const view = amAlertView(alert, {
            buttons: this.deps.alertmanager !== undefined && forUser !== undefined,
          });
          const sent = await this.deps.sender
            .send(chatId, view, forUser !== undefined ? { forUser } : {})
            .catch((err: unknown) => {
              this.deps.log.warn('alertmanager: could not post an alert', { error: err });
              return undefined;
            });
          if (sent !== undefined) messages.push([sent.chatId, sent.messageId]);
        }
        this.remember(alert.fingerprint, p);
        this.deps.counted(amSeverity(alert), 'firing');
        changed = true;
      } else if (alert.status === 'resolved' && known !== undefined) {
        const p: Posted = { ...known, alert };
        await this.editAll(p);
        this.posted.delete(alert.fingerprint);
        this.deps.counted(amSeverity(alert), 'resolved');
        changed = true;
      }
    }
    if (changed) await this.save();
  }

  private remember(fingerprint: string, p: Posted): void {
    this.posted.set(fingerprint, p);
    while (this.posted.size > MAX_REMEMBERED) {
      const oldest = this.posted.keys().next().value;
      if (oldest === undefined) break;
      this.posted.delete(oldest);
    }
  }

  private save(): Promise<void> {
    return this.deps.store.write(STATE_FILE, Object.fromEntries(this.posted));
  }
}
