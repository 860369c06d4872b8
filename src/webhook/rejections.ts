import type { Update } from 'telegraf/types';

/** Why a request was turned away; counted for the log summary. */
export type Rejection =
  | 'bad-peer'
  | 'bad-forwarded'
  | 'method'
  | 'banned'
  | 'rate-limited'
  | 'unknown-path'
  | 'foreign-source'
  | 'bad-secret'
  | 'content-type'
  | 'too-large'
  | 'bad-json'
  | 'bad-update'
  | 'busy'
  | 'connections'
  | 'slow-or-malformed';

/** How each rejection reads in the log. */
export const REASON_TEXT: Record<Rejection, string> = {
  'bad-peer': 'unreadable peer address',
  'bad-forwarded': 'invalid X-Forwarded-For',
  method: 'not POST',
  banned: 'banned',
  'rate-limited': 'rate limited',
  'unknown-path': 'wrong path',
  'foreign-source': 'source outside Telegram ranges',
  'bad-secret': 'wrong or missing secret',
  'content-type': 'not JSON',
  'too-large': 'body too large',
  'bad-json': 'invalid JSON',
  'bad-update': 'not an update',
  busy: 'bot busy',
  connections: 'too many connections from one address',
  'slow-or-malformed': 'slow or malformed request',
};

/** Minimal shape: an object with a non-negative integer update_id and object payloads. */
export function isUpdate(value: unknown): value is Update {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const id = record.update_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return false;
  const keys = Object.keys(record);
  return (
    keys.length >= 2 &&
    keys.every((k) => k === 'update_id' || (typeof record[k] === 'object' && record[k] !== null))
  );
}
