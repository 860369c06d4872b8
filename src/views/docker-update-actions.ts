import { defineAction, field } from '../telegram/actions';

const host = field.int(0, 99);
const page = field.int(0, 999_999_999);
const id = field.text(/^[0-9a-f]{64}$/);
const container = { host, id, page } as const;

/** The label that sets a container's update policy. */
export const UPDATE_LABEL = 'tmbot.update';
export const UPDATE_POLICIES = ['never', 'notify', 'auto'] as const;
export type UpdatePolicy = (typeof UPDATE_POLICIES)[number];

/** The container's `tmbot.update` policy; anything but a known value means the default, notify. */
export function updatePolicy(labels: readonly { key: string; value: string }[]): UpdatePolicy {
  const v = labels
    .find((l) => l.key === UPDATE_LABEL)
    ?.value.trim()
    .toLowerCase();
  return v === 'never' || v === 'auto' ? v : 'notify';
}

/** Buttons of the update screens; field order is the stored order. */
export const UPDATE = {
  screen: defineAction('docker.upd1', container),
  /** "Are you sure?" before an update or a rollback. */
  ask: defineAction('docker.upd_ask', { ...container, op: field.oneOf(['update', 'rollback']) }),
  run: defineAction('docker.upd_do', { ...container, op: field.oneOf(['update', 'rollback']) }),
  pin: defineAction('docker.upd_pin', { ...container, op: field.oneOf(['pin', 'unpin']) }),
} as const;

/** What a confirmed run does: the update itself, or the way back to the previous image. */
export type UpdateOp = 'update' | 'rollback';
