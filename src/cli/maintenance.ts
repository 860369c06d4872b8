import { randomBytes } from 'node:crypto';
import { parseDuration } from '../alerts/duration';
import {
  isMaintenanceAck,
  MAINTENANCE_ACK_FILE,
  MAINTENANCE_POLL_MS,
  MAINTENANCE_REQUEST_FILE,
  type MaintenanceRequest,
} from '../alerts/maintenance-control';
import { ALERTS_STATE_FILE, isAlertsDoc, sanitiseDoc } from '../alerts/state';
import { isoTime, type Clock } from '../clock';
import { UsageError } from '../errors';
import type { StateStore } from '../state/json-store';

export type MaintenanceOp =
  | { readonly op: 'on'; readonly durationMs: number }
  | { readonly op: 'off' }
  | { readonly op: 'status' };

/** How long the command waits for the running daemon to pick the request up. */
const ANSWER_WAIT_MS = 10 * MAINTENANCE_POLL_MS;

/** `tmbot maintenance on 30m | off | status` → what to do; throws UsageError with the usage line. */
export function parseMaintenanceArgs(args: readonly string[]): MaintenanceOp {
  const usage = 'usage: tmbot maintenance on DURATION (30m, 2h, 1h30m; at most 7d) | off | status';
  switch (args[0]) {
    case 'on': {
      const ms = parseDuration(args[1] ?? '');
      if (ms === undefined || args.length > 2) throw new UsageError(usage);
      return { op: 'on', durationMs: ms };
    }
    case 'off':
    case 'status':
      if (args.length > 1) throw new UsageError(usage);
      return { op: args[0] };
    default:
      throw new UsageError(usage);
  }
}

/**
 * Talks to the running daemon through the state dir: writes a request file and
 * waits for the daemon's answer (it polls every second). Works in a read-only
 * container (`docker exec <c> tmbot maintenance on 30m`): only the state dir is written.
 * Returns the exit code: 0 done, 1 no daemon answered.
 */
export async function runMaintenance(
  store: StateStore,
  op: MaintenanceOp,
  clock: Clock,
  print: (line: string) => void,
  /** Called with each file name written (the CLI hands root-written files to the bot's user). */
  written: (name: string) => void = () => undefined,
): Promise<number> {
  if (op.op === 'status') {
    const saved = store.read(ALERTS_STATE_FILE, isAlertsDoc);
    const m = saved === undefined ? undefined : sanitiseDoc(saved).maintenance;
    print(
      m === undefined || m.until <= clock.now()
        ? 'maintenance: off'
        : `maintenance: on until ${isoTime(m.until)} (${m.by}; ${m.alertIds.length} alert(s) recorded)`,
    );
    return 0;
  }
  const nonce = randomBytes(9).toString('base64url');
  const request: MaintenanceRequest = {
    v: 1,
    nonce,
    op: op.op,
    durationMs: op.op === 'on' ? op.durationMs : 0,
    at: clock.now(),
  };
  await store.write(MAINTENANCE_REQUEST_FILE, request);
  written(MAINTENANCE_REQUEST_FILE);
  const deadline = clock.now() + ANSWER_WAIT_MS;
  while (clock.now() < deadline) {
    await clock.sleep(MAINTENANCE_POLL_MS / 5);
    const ack = store.read(MAINTENANCE_ACK_FILE, isMaintenanceAck);
    if (ack?.nonce !== nonce) continue;
    print(
      ack.until > 0
        ? `maintenance: on until ${isoTime(ack.until)}`
        : 'maintenance: off (the summary goes to the alert chats)',
    );
    return 0;
  }
  print(
    `maintenance: no answer from the daemon within ${ANSWER_WAIT_MS / 1000} s; is tmbot running with --plugins monitor on the state dir ${store.dir}?`,
  );
  return 1;
}
