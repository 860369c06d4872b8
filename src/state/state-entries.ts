import Ajv, { type ValidateFunction } from 'ajv';
import type { Logger } from '../log/logger';
import type { StateStore } from './json-store';

/**
 * Per-entry validation of state files keyed by user id. A tampered or half-written entry is
 * never dropped (that would lift a block or a lockout and reset the replay guard): it is copied
 * aside to `<file>.invalid-<time>`, logged, and replaced by its fail-closed form.
 */

const ajv = new Ajv({ allErrors: true, strict: true });

const int = { type: 'integer' } as const;

/** A stranger of access.json. */
export const isValidStranger: ValidateFunction = ajv.compile({
  type: 'object',
  required: ['attempts', 'blockedUntil', 'lastAlertAt', 'lastSeenAt'],
  properties: { attempts: int, blockedUntil: int, lastAlertAt: int, lastSeenAt: int },
});

/** An admin's record of twofa.json. */
export const isValidTwoFactorUser: ValidateFunction = ajv.compile({
  type: 'object',
  required: [
    'lastStep',
    'enrolledRotation',
    'failures',
    'blockedUntil',
    'blockReason',
    'recentCodes',
    'sessionUntil',
    'sessionRotation',
    'challengeAt',
    'pending',
    'prompts',
  ],
  properties: {
    lastStep: int,
    enrolledRotation: int,
    failures: int,
    blockedUntil: int,
    blockReason: { enum: ['failures', 'burst'] },
    recentCodes: { type: 'array', items: int, maxItems: 1000 },
    sessionUntil: int,
    sessionRotation: int,
    challengeAt: int,
    pending: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['label', 'action', 'args', 'audit', 'target'],
          properties: {
            label: { type: 'string' },
            action: { type: 'string' },
            args: { type: 'array', items: { type: 'string' } },
            audit: { type: 'string' },
            target: { type: 'string' },
            destructive: { type: 'boolean' },
          },
        },
      ],
    },
    prompts: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['chatId', 'messageId'],
        properties: { chatId: int, messageId: int },
      },
    },
  },
});

/** The raw entry's integer field, or undefined. */
export function intField(raw: unknown, key: string): number | undefined {
  const v =
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[key] : undefined;
  return Number.isSafeInteger(v) ? (v as number) : undefined;
}

/**
 * The entries of `entries` (user id → record) that pass `validate`, plus the fail-closed
 * replacement of each one that does not; invalid ones are copied aside and logged.
 */
export function validatedEntries<T>(opts: {
  store: StateStore;
  file: string;
  entries: Record<string, unknown> | undefined;
  validate: ValidateFunction;
  failClosed: (raw: unknown, userId: number) => T;
  /** What the fail-closed form means, for the log: "treated as blocked". */
  meaning: string;
  log: Logger;
  /** Read only when an entry is invalid. */
  now: () => number;
}): Map<number, T> {
  const out = new Map<number, T>();
  const invalid: Record<string, unknown> = {};
  for (const [id, raw] of Object.entries(opts.entries ?? {})) {
    const uid = Number(id);
    if (!Number.isSafeInteger(uid)) {
      invalid[id] = raw;
      continue;
    }
    if (opts.validate(raw)) {
      out.set(uid, raw as T);
      continue;
    }
    invalid[id] = raw;
    const why = (opts.validate.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
      .join('; ');
    opts.log.warn(`state file ${opts.file}: a user's entry is invalid (${why}); ${opts.meaning}`, {
      user: uid,
    });
    out.set(uid, opts.failClosed(raw, uid));
  }
  const count = Object.keys(invalid).length;
  if (count > 0) {
    const aside = `${opts.file}.invalid-${opts.now()}`;
    opts.log.warn(
      `state file ${opts.file}: ${count} invalid entr${count === 1 ? 'y' : 'ies'} copied to ${aside}`,
    );
    void opts.store.write(aside, { v: 1, invalid });
  }
  return out;
}
