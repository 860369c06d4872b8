/** One alert of Alertmanager's webhook payload (version 4), as validated. */
export interface AmAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly fingerprint: string;
}

export interface AmPayload {
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly alerts: readonly AmAlert[];
}

/** Bounds on what one payload may carry; anything past them refuses the payload. */
export const PAYLOAD_LIMITS = {
  alerts: 500,
  labels: 64,
  keyLength: 128,
  valueLength: 4096,
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const entries = Object.entries(v);
  if (entries.length > PAYLOAD_LIMITS.labels) return undefined;
  const out = Object.create(null) as Record<string, string>;
  for (const [k, x] of entries) {
    if (typeof x !== 'string' || k.length > PAYLOAD_LIMITS.keyLength) return undefined;
    if (x.length > PAYLOAD_LIMITS.valueLength) return undefined;
    out[k] = x;
  }
  return out;
}

const isStatus = (v: unknown): v is 'firing' | 'resolved' => v === 'firing' || v === 'resolved';

function alertOf(v: unknown): AmAlert | undefined {
  if (!isRecord(v) || !isStatus(v.status)) return undefined;
  const labels = stringMap(v.labels);
  const annotations = stringMap(v.annotations ?? {});
  const { startsAt, endsAt, fingerprint } = v;
  if (labels === undefined || annotations === undefined) return undefined;
  if (typeof startsAt !== 'string' || typeof endsAt !== 'string') return undefined;
  if (typeof fingerprint !== 'string' || !/^[0-9a-f]{1,32}$/.test(fingerprint)) return undefined;
  if (startsAt.length > 64 || endsAt.length > 64) return undefined;
  return { status: v.status, labels, annotations, startsAt, endsAt, fingerprint };
}

/** Checks a webhook body field by field; undefined when it is not an Alertmanager payload. */
export function parseAmPayload(body: string): AmPayload | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || doc.version !== '4' || !isStatus(doc.status)) return undefined;
  if (typeof doc.receiver !== 'string' || doc.receiver.length > 256) return undefined;
  if (!Array.isArray(doc.alerts) || doc.alerts.length > PAYLOAD_LIMITS.alerts) return undefined;
  const alerts: AmAlert[] = [];
  for (const a of doc.alerts) {
    const alert = alertOf(a);
    if (alert === undefined) return undefined;
    alerts.push(alert);
  }
  return { status: doc.status, receiver: doc.receiver, alerts };
}
