import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import type { AlertEngine } from './engine';
import { MAX_MAINTENANCE_MS } from './duration';

/** The CLI writes a request here; the daemon applies it and answers in {@link MAINTENANCE_ACK_FILE}. */
export const MAINTENANCE_REQUEST_FILE = 'maintenance-request.json';
export const MAINTENANCE_ACK_FILE = 'maintenance-ack.json';
/** How often the daemon looks for a request. */
export const MAINTENANCE_POLL_MS = 1000;
/** A request older than this is stale (written while the daemon was down) and ignored. */
const REQUEST_MAX_AGE_MS = 60_000;

export interface MaintenanceRequest {
  v: 1;
  /** Random; the answer carries it back. */
  nonce: string;
  op: 'on' | 'off';
  durationMs: number;
  at: number;
}

export interface MaintenanceAck {
  v: 1;
  nonce: string;
  /** Maintenance end after the request, or 0 when it is off. */
  until: number;
}

export const isMaintenanceRequest = (v: unknown): v is MaintenanceRequest => {
  const r = v as Partial<MaintenanceRequest> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.v === 1 &&
    typeof r.nonce === 'string' &&
    /^[A-Za-z0-9_-]{8,64}$/.test(r.nonce) &&
    (r.op === 'on' || r.op === 'off') &&
    typeof r.durationMs === 'number' &&
    r.durationMs >= 0 &&
    r.durationMs <= MAX_MAINTENANCE_MS &&
    typeof r.at === 'number'
  );
};

export const isMaintenanceAck = (v: unknown): v is MaintenanceAck => {
  const a = v as Partial<MaintenanceAck> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    a.v === 1 &&
    typeof a.nonce === 'string' &&
    typeof a.until === 'number'
  );
};

/**
 * Lets scripts switch maintenance through the state dir (works in a read-only
 * container with `docker exec`, since only the state dir is written): polls
 * the request file and acknowledges each request once.
 */
export class MaintenanceControl {
  private timer: Timer | undefined;
  private lastNonce: string | undefined;

  constructor(
    private readonly deps: {
      store: StateStore;
      engine: Pick<AlertEngine, 'maintenanceOn' | 'maintenanceOff' | 'maintenance'>;
      clock: Clock;
      log: Logger;
    },
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.lastNonce = this.deps.store.read(MAINTENANCE_ACK_FILE, isMaintenanceAck)?.nonce;
    this.timer = this.deps.clock.setInterval(() => this.poll(), MAINTENANCE_POLL_MS);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Applies a new request, if there is one. */
  poll(): void {
    const { store, engine, clock, log } = this.deps;
    const req = store.read(MAINTENANCE_REQUEST_FILE, isMaintenanceRequest);
    if (req === undefined || req.nonce === this.lastNonce) return;
    this.lastNonce = req.nonce;
    if (Math.abs(clock.now() - req.at) > REQUEST_MAX_AGE_MS) {
      log.warn('ignoring a stale maintenance request from the command line');
      return;
    }
    if (req.op === 'on') engine.maintenanceOn(req.durationMs, 'command line');
    else engine.maintenanceOff();
    log.info(`maintenance ${req.op} from the command line`);
    const ack: MaintenanceAck = { v: 1, nonce: req.nonce, until: engine.maintenance()?.until ?? 0 };
    void store.write(MAINTENANCE_ACK_FILE, ack);
  }
}
