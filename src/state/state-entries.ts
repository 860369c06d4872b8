import type { Logger } from '../log/logger';
import type { StateStore } from './json-store';

/**
 * Per-entry validation of state files keyed by user id. A tampered or half-written entry is
 * never dropped (that would lift a block or a lockout and reset the replay guard): it is copied
 * aside to `<file>.invalid-<time>`, logged, and replaced by its fail-closed form.
 *
 * The checks are written out by hand rather than compiled by ajv: ajv would then stay loaded
 * for the daemon's whole life for two small shapes (idle memory, issue 11).
 */

/** The problems of one entry, each "`/path` what is wrong"; empty when it is valid. */
export type EntryValidator = (raw: unknown) => string[];

type Check = (value: unknown, path: string, out: string[]) => void;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const int: Check = (v, path, out) => {
  if (!Number.isInteger(v)) out.push(`${path} must be integer`);
};

function object(required: readonly string[], properties: Record<string, Check>): Check {
  return (v, path, out) => {
    if (!isRecord(v)) {
      out.push(`${path || '/'} must be object`);
      return;
    }
    for (const key of required) {
      if (!(key in v)) out.push(`${path || '/'} must have required property '${key}'`);
    }
    for (const [key, check] of Object.entries(properties)) {
      if (key in v) check(v[key], `${path}/${key}`, out);
    }
  };
}

function arrayOf(item: Check, maxItems = Infinity): Check {
  return (v, path, out) => {
    if (!Array.isArray(v)) {
      out.push(`${path} must be array`);
      return;
    }
    if (v.length > maxItems) out.push(`${path} must NOT have more than ${maxItems} items`);
    else v.forEach((x, i) => item(x, `${path}/${i}`, out));
  };
}

const oneOf =
  (...values: readonly string[]): Check =>
  (v, path, out) => {
    if (typeof v !== 'string' || !values.includes(v))
      out.push(`${path} must be equal to one of the allowed values`);
  };

const typed =
  (type: 'string' | 'boolean'): Check =>
  (v, path, out) => {
    if (typeof v !== type) out.push(`${path} must be ${type}`);
  };

function validator(check: Check): EntryValidator {
  return (raw) => {
    const out: string[] = [];
    check(raw, '', out);
    return out;
  };
}

/** A stranger of access.json. */
export const isValidStranger: EntryValidator = validator(
  object(['attempts', 'blockedUntil', 'lastAlertAt', 'lastSeenAt'], {
    attempts: int,
    blockedUntil: int,
    lastAlertAt: int,
    lastSeenAt: int,
  }),
);

const pendingAction = object(['label', 'action', 'args', 'audit', 'target'], {
  label: typed('string'),
  action: typed('string'),
  args: arrayOf(typed('string')),
  audit: typed('string'),
  target: typed('string'),
  destructive: typed('boolean'),
});

/** An admin's record of twofa.json. */
export const isValidTwoFactorUser: EntryValidator = validator(
  object(
    [
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
    {
      lastStep: int,
      enrolledRotation: int,
      failures: int,
      blockedUntil: int,
      blockReason: oneOf('failures', 'burst'),
      recentCodes: arrayOf(int, 1000),
      sessionUntil: int,
      sessionRotation: int,
      challengeAt: int,
      pending: (v, path, out) => {
        if (v !== null) pendingAction(v, path, out);
      },
      prompts: arrayOf(object(['chatId', 'messageId'], { chatId: int, messageId: int }), 100),
    },
  ),
);

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
  validate: EntryValidator;
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
    const problems = opts.validate(raw);
    if (problems.length === 0) {
      out.set(uid, raw as T);
      continue;
    }
    invalid[id] = raw;
    const why = problems.slice(0, 3).join('; ');
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
