import { randomBytes } from 'node:crypto';
import type { Timer } from '../clock';
import {
  compose,
  composeSummary,
  type ActOutcome,
  type AlertEngineDeps,
  type Outgoing,
} from './delivery';
import { editNotifications, sendNotification } from './notify';
import {
  alertsByRef,
  budgetLeft,
  ALERTS_STATE_FILE,
  emptyDoc,
  isAlertsDoc,
  prune,
  sanitiseDoc,
  type AlertsDoc,
  type MaintenanceState,
  type OutboxItem,
  type PastAlert,
} from './state';
import {
  alertKey,
  type AlertInput,
  type AlertKind,
  type AlertRecord,
  type MuteRule,
} from './types';

/** Housekeeping period: snooze ends, maintenance ends, the budget window rolls. */
const TICK_MS = 1000;
/** After every chat refused a message, wait this long before trying again. */
const RETRY_MS = 30_000;
/** Longest a stop waits for the last deliveries (the daemon's shutdown grace is 3.5 s). */
const STOP_FLUSH_MS = 2000;

/**
 * The alert engine: one active alert per identity (kind + host + target), its
 * lifecycle firing → acknowledged | snoozed | muted → resolved, persisted in the
 * state dir so a restart neither repeats nor forgets anything. Delivery groups
 * what arrives together, keeps a budget (overflow becomes a digest, never lost),
 * honours maintenance and quiet hours, and edits sent messages as alerts change.
 */
export class AlertEngine {
  private doc: AlertsDoc;
  private flushTimer: Timer | undefined;
  private tickTimer: Timer | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private retryAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly edits = new Set<string>();
  private stopped = false;

  constructor(private readonly deps: AlertEngineDeps) {
    const saved = deps.store.read(ALERTS_STATE_FILE, isAlertsDoc);
    this.doc = saved === undefined ? emptyDoc() : sanitiseDoc(saved);
  }

  start(): void {
    if (this.tickTimer !== undefined) return;
    this.stopped = false;
    this.tickTimer = this.deps.clock.setInterval(() => this.tick(), TICK_MS);
    if (this.doc.outbox.length > 0 || this.doc.digest.length > 0) this.scheduleFlush();
  }

  /** Stops the timers and sends what is queued or held back (one digest) within STOP_FLUSH_MS; the rest stays saved. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.tickTimer?.cancel();
    this.tickTimer = undefined;
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    const pending = this.doc.outbox.length > 0 || this.doc.digest.length > 0;
    const done = pending ? this.flush(true) : this.chain;
    await Promise.race([done, this.deps.clock.sleep(STOP_FLUSH_MS)]);
    await this.deps.store.write(ALERTS_STATE_FILE, this.doc);
  }

  /** Raises an alert; an alert with the same identity that is still open is updated, not repeated. */
  fire(input: AlertInput): AlertRecord {
    const { kind } = input.facts;
    const key = alertKey(kind, input.host, input.target);
    const existing = this.open(key);
    if (existing !== undefined) {
      existing.facts = input.facts;
      this.save();
      return existing;
    }
    const muted = this.doc.mutes.some(
      (m) => m.kind === kind && m.host === input.host && m.target === input.target,
    );
    const oneShot = input.oneShot === true;
    const now = this.deps.clock.now();
    const record: AlertRecord = {
      id: newId(),
      key,
      host: input.host,
      target: input.target,
      severity: this.deps.policy.severity[kind],
      facts: input.facts,
      state: muted ? (oneShot ? 'resolved' : 'muted') : 'firing',
      firedAt: now,
      sent: false,
      oneShot,
      ...(muted && oneShot ? { resolvedAt: now } : {}),
    };
    this.doc.alerts.push(record);
    if (!muted) this.enqueue({ alertId: record.id, what: 'fire' });
    this.save();
    return record;
  }

  /**
   * Ends the open alert of this identity; false when there was none. `quiet`: its
   * target is gone, so the message is edited but no separate note is sent.
   */
  resolve(kind: AlertKind, host: string, target: string, quiet = false): boolean {
    const r = this.open(alertKey(kind, host, target));
    if (r === undefined) return false;
    if (quiet) r.quietResolve = true;
    r.resolvedFrom = r.state;
    r.state = 'resolved';
    r.resolvedAt = this.deps.clock.now();
    this.enqueue({ alertId: r.id, what: 'resolve' });
    this.save();
    return true;
  }

  /** The open alert of this identity (firing, acked, snoozed or muted). */
  find(kind: AlertKind, host: string, target: string): AlertRecord | undefined {
    return this.open(alertKey(kind, host, target));
  }

  /** Every open alert, oldest first. */
  active(): readonly AlertRecord[] {
    return this.doc.alerts.filter((a) => a.state !== 'resolved' && !a.oneShot);
  }

  /** Every alert held, resolved ones included (kept for 48 h), for reports. */
  records(): readonly AlertRecord[] {
    return this.doc.alerts;
  }

  /** Resolved alerts no longer held (kept 8 days), for reports. */
  pastAlerts(): readonly PastAlert[] {
    return this.doc.past;
  }

  mutes(): readonly MuteRule[] {
    return this.doc.mutes;
  }

  maintenance(): MaintenanceState | undefined {
    return this.doc.maintenance;
  }

  /** Messages held back by the budget, waiting for the digest. */
  heldCount(): number {
    return this.doc.digest.length;
  }

  ack(ref: string, by: number): ActOutcome {
    return this.act(ref, (r) => {
      r.state = 'acked';
      r.by = by;
      delete r.snoozedUntil;
    });
  }

  snooze(ref: string, hours: number, by: number): ActOutcome {
    const until = this.deps.clock.now() + hours * 3600_000;
    return this.act(ref, (r) => {
      r.state = 'snoozed';
      r.snoozedUntil = until;
      r.by = by;
    });
  }

  /** Mutes this alert's kind for its target (a rule, listed on the mutes screen) and the alert itself. */
  mute(ref: string, by: number): ActOutcome {
    return this.act(ref, (r) => {
      const kind = r.facts.kind;
      if (
        !this.doc.mutes.some((m) => m.kind === kind && m.host === r.host && m.target === r.target)
      )
        this.doc.mutes.push({
          id: newId(),
          kind,
          host: r.host,
          target: r.target,
          createdAt: this.deps.clock.now(),
          by,
        });
      r.state = 'muted';
      r.by = by;
      delete r.snoozedUntil;
    });
  }

  /** Removes a mute rule; false when it does not exist (any more). */
  unmute(ruleId: string): boolean {
    const before = this.doc.mutes.length;
    this.doc.mutes = this.doc.mutes.filter((m) => m.id !== ruleId);
    if (this.doc.mutes.length === before) return false;
    this.save();
    return true;
  }

  /** Starts (or extends) maintenance: alerts are recorded, not sent, and summarised at the end. */
  maintenanceOn(durationMs: number, by: string): MaintenanceState {
    const now = this.deps.clock.now();
    const m: MaintenanceState = {
      startedAt: this.doc.maintenance?.startedAt ?? now,
      until: now + durationMs,
      by,
      alertIds: this.doc.maintenance?.alertIds ?? [],
    };
    this.doc.maintenance = m;
    this.save();
    return m;
  }

  /** Ends maintenance now and sends its summary; false when it was not on. */
  maintenanceOff(): boolean {
    if (this.doc.maintenance === undefined) return false;
    this.endMaintenance();
    return true;
  }

  /** Delivers what is queued now (the timers call this; tests may too). `final`: at stop. */
  flush(final = false): Promise<void> {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    this.chain = this.chain.then(() =>
      this.deliver(final).catch((err: unknown) =>
        this.deps.log.warn('alert delivery failed', { error: err }),
      ),
    );
    return this.chain;
  }

  private open(key: string): AlertRecord | undefined {
    return this.doc.alerts.find((a) => a.key === key && a.state !== 'resolved' && !a.oneShot);
  }

  private act(ref: string, change: (r: AlertRecord) => void): ActOutcome {
    const targets = alertsByRef(this.doc, ref);
    if (targets === undefined) return { ok: false, reason: 'unknown' };
    const open = targets.filter((r) => r.state !== 'resolved' && !r.oneShot);
    if (open.length === 0) return { ok: false, reason: 'closed' };
    for (const r of open) {
      change(r);
      for (const n of this.doc.notifications) if (n.alertIds.includes(r.id)) this.edits.add(n.id);
    }
    this.save();
    void this.flush();
    return { ok: true, count: open.length };
  }

  private enqueue(item: OutboxItem): void {
    this.doc.outbox.push(item);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.stopped) return;
    const { settleMs, groupWindowMs } = this.deps.policy;
    const now = this.deps.clock.now();
    const delay = Math.max(settleMs, this.lastSentAt + groupWindowMs - now, this.retryAt - now);
    this.flushTimer = this.deps.clock.setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, delay);
  }

  private tick(): void {
    const now = this.deps.clock.now();
    for (const r of this.doc.alerts) {
      if (r.state === 'snoozed' && (r.snoozedUntil ?? 0) <= now) {
        // Still firing after the snooze: say so again.
        r.state = 'firing';
        delete r.snoozedUntil;
        this.enqueue({ alertId: r.id, what: 'fire' });
        this.save();
      }
    }
    const m = this.doc.maintenance;
    if (m !== undefined && m.until <= now) this.endMaintenance();
    if (this.doc.digest.length > 0 && this.budgetLeft(now) > 0) this.scheduleFlush();
  }

  private endMaintenance(): void {
    const m = this.doc.maintenance;
    if (m === undefined) return;
    this.doc.maintenance = undefined;
    const byId = this.byId();
    const summary = composeSummary('maintenance', m.alertIds, byId);
    this.save();
    this.chain = this.chain.then(() =>
      this.sendOutgoing(summary, byId).catch((err: unknown) =>
        this.deps.log.warn('could not send the maintenance summary', { error: err }),
      ),
    );
  }

  private budgetLeft(now: number): number {
    return budgetLeft(
      this.doc,
      now,
      this.deps.policy.maxNotifications,
      this.deps.policy.budgetWindowMs,
    );
  }

  private byId(): Map<string, AlertRecord> {
    return new Map(this.doc.alerts.map((a) => [a.id, a]));
  }

  private async deliver(final: boolean): Promise<void> {
    const now = this.deps.clock.now();
    const items = this.doc.outbox.splice(0);
    const byId = this.byId();
    const m = this.doc.maintenance;
    const { outgoing, edits } = compose(items, byId, this.doc.notifications);
    for (const id of edits) this.edits.add(id);
    await this.applyEdits(byId, now);
    if (m !== undefined && m.until > now) {
      const ids = new Set([...m.alertIds, ...items.map((i) => i.alertId)]);
      for (const id of ids) {
        const r = byId.get(id);
        if (r !== undefined) r.duringMaintenance = true;
      }
      this.doc.maintenance = { ...m, alertIds: [...ids] };
      this.save();
      return;
    }
    const sendDigest = (): Promise<void> => {
      const held = this.doc.digest.splice(0).map((h) => h.alertId);
      return this.sendOutgoing(composeSummary('digest', held, byId), byId);
    };
    if (this.doc.digest.length > 0 && this.budgetLeft(now) > 0) await sendDigest();
    for (const [i, o] of outgoing.entries()) {
      if (this.budgetLeft(now) <= 0) {
        // Over budget: everything from here on waits for one digest.
        for (const rest of outgoing.slice(i))
          for (const id of [...rest.alertIds, ...rest.resolvedIds]) {
            this.doc.digest.push({
              alertId: id,
              what: byId.get(id)?.state === 'resolved' ? 'resolve' : 'fire',
            });
          }
        break;
      }
      await this.sendOutgoing(o, byId);
    }
    // At stop the held-back alerts go out now: this process will not see the next budget window.
    if (final && this.doc.digest.length > 0) await sendDigest();
    prune(this.doc, now);
    this.save();
  }

  private async applyEdits(byId: ReadonlyMap<string, AlertRecord>, now: number): Promise<void> {
    const ids = [...this.edits];
    this.edits.clear();
    await editNotifications(this.deps, this.doc.notifications, ids, byId, now);
  }

  private async sendOutgoing(o: Outgoing, byId: ReadonlyMap<string, AlertRecord>): Promise<void> {
    const now = this.deps.clock.now();
    const sent = await sendNotification(this.deps, o, byId, newId(), now);
    if (sent === undefined) {
      // Nobody got it: keep it for the next attempt instead of losing it.
      for (const x of o.alertIds) this.doc.outbox.push({ alertId: x, what: 'fire' });
      for (const x of o.resolvedIds) this.doc.outbox.push({ alertId: x, what: 'resolve' });
      this.retryAt = now + RETRY_MS;
      this.scheduleFlush();
      return;
    }
    this.doc.budget.sent++;
    this.lastSentAt = now;
    this.doc.notifications.push(sent);
  }

  private save(): void {
    void this.deps.store.write(ALERTS_STATE_FILE, this.doc);
  }
}

function newId(): string {
  return randomBytes(6).toString('base64url');
}
