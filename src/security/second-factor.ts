import type { ActionCall } from '../views/view';

/**
 * A privileged action as the 2FA guard sees it; enough to audit it and to resume
 * it: its call (`action`, `args`) is re-dispatched after a successful code.
 */
export interface PrivilegedAction extends ActionCall {
  /** What it does, for people: "restart nginx" (shown as "Continue: restart nginx"). */
  readonly label: string;
  /** Audit name, e.g. "container.restart". */
  readonly audit: string;
  /** Audit target, e.g. "local/nginx". */
  readonly target: string;
  /** Destructive actions also notify the admin chat. */
  readonly destructive?: boolean;
}

export type AuditOutcome = 'ok' | 'failed' | 'denied' | 'prompted' | 'blocked';

export interface AuditEntry {
  readonly userId: number;
  readonly action: string;
  readonly target?: string;
  readonly outcome: AuditOutcome;
  readonly detail?: string;
}

/** Append-only record of privileged actions and 2FA events. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}
