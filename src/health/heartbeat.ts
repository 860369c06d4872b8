import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/json-store';
import { isHealthLevel, worst, type HealthLevel, type HealthSnapshot } from './types';

/** File name of the heartbeat in the state dir. */
export const HEARTBEAT_FILE = 'heartbeat.json';

/** What the daemon writes every period and `--health-check` reads. */
export interface Heartbeat {
  readonly v: 1;
  readonly level: HealthLevel;
  /** When it was written (ms since the epoch). */
  readonly at: number;
  /** The writer's own promise: older than this means it stopped beating. */
  readonly staleAfterMs: number;
  readonly pid: number;
  readonly reasons: readonly string[];
}

export interface HeartbeatWriterDeps {
  /** Where the heartbeat is written (atomically, 0600). */
  store: StateStore;
  snapshot: () => HealthSnapshot;
  clock: Clock;
  log: Logger;
  periodMs: number;
  staleAfterMs: number;
}

/**
 * Rewrites the heartbeat file through the state store (atomically, 0600) every period with the lowest level, so a
 * separate process (the container HEALTHCHECK, a systemd timer) can judge a running bot. The
 * beat is a timer on the daemon's own event loop: a hung loop stops it and the file goes stale.
 */
export class HeartbeatWriter {
  private timer: Timer | undefined;
  private inflight: Promise<void> | undefined;
  private state: 'new' | 'beating' | 'stopped' = 'new';
  private warned = false;

  constructor(private readonly deps: HeartbeatWriterDeps) {}

  /** Writes one heartbeat now; failures are logged (by the store, once), never thrown. */
  async beat(): Promise<void> {
    const { store } = this.deps;
    if (!store.persistent) {
      // In memory no other process can read it: say once what that means for the probe.
      if (!this.warned)
        this.deps.log.warn(
          `cannot write the heartbeat in ${store.dir} (state is kept in memory); --health-check will report the bot as down`,
        );
      this.warned = true;
      return;
    }
    const snap = this.deps.snapshot();
    const beat: Heartbeat = {
      v: 1,
      // The worst component, not the softened overall: one dead part (the update loop) must fail the probe.
      level: worst(snap.components.filter((c) => c.checkedAt > 0).map((c) => c.level)),
      at: this.deps.clock.now(),
      staleAfterMs: this.deps.staleAfterMs,
      pid: process.pid,
      reasons: snap.reasons,
    };
    await store.write(HEARTBEAT_FILE, beat);
  }

  /** Beats now and then every period until stop(); after stop() it never starts again. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'beating';
    const tick = (): void => {
      this.inflight = this.beat().finally(() => {
        this.inflight = undefined;
        if (this.state === 'beating')
          this.timer = this.deps.clock.setTimeout(tick, this.deps.periodMs);
      });
    };
    tick();
  }

  /** Stops beating and removes the file if it is still ours, so a stopped bot reads as "not running". */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.timer?.cancel();
    await this.inflight;
    const { store } = this.deps;
    if (!store.persistent) return;
    const text = await store.readText(HEARTBEAT_FILE).catch(() => undefined);
    const current = text === undefined ? undefined : parseHeartbeat(text);
    if (current?.pid === process.pid) await store.remove(HEARTBEAT_FILE).catch(() => undefined);
  }
}

/** The heartbeat in `text`, or undefined when it is not one. */
export function parseHeartbeat(text: string): Heartbeat | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (
    o.v !== 1 ||
    !isHealthLevel(o.level) ||
    !finite(o.at) ||
    !finite(o.staleAfterMs) ||
    !finite(o.pid)
  ) {
    return undefined;
  }
  const reasons = Array.isArray(o.reasons)
    ? o.reasons.filter((r): r is string => typeof r === 'string')
    : [];
  return { v: 1, level: o.level, at: o.at, staleAfterMs: o.staleAfterMs, pid: o.pid, reasons };
}

/** Exit code and one line for people (and for `docker inspect`, which keeps 4096 bytes). */
export interface ProbeResult {
  readonly code: 0 | 1 | 2;
  readonly message: string;
}

/** Bounds on the staleness a heartbeat may claim, so a damaged file cannot make it never stale. */
const MIN_STALE_MS = 1_000;
const MAX_STALE_MS = 3_600_000;
const MAX_MESSAGE = 1000;

/**
 * Judges the heartbeat text (undefined: no file). 0 fresh and healthy/degraded; 1 fresh and
 * unhealthy/critical, stale, or unreadable; 2 no heartbeat at all.
 */
export function judgeHeartbeat(text: string | undefined, now: number, where: string): ProbeResult {
  if (text === undefined) {
    return {
      code: 2,
      message: `no heartbeat at ${where}: tmbot is not running (or still connecting to Telegram), or cannot write there`,
    };
  }
  const beat = parseHeartbeat(text);
  if (beat === undefined)
    return { code: 1, message: `unhealthy: the heartbeat at ${where} is unreadable` };
  const staleAfter = Math.min(MAX_STALE_MS, Math.max(MIN_STALE_MS, beat.staleAfterMs));
  const age = now - beat.at;
  const ageText = `${Math.round(Math.abs(age) / 1000)} s`;
  if (age > staleAfter || age < -staleAfter) {
    return {
      code: 1,
      message: `unhealthy: the heartbeat is stale (${age < 0 ? `${ageText} in the future` : `${ageText} old`}, limit ${Math.round(staleAfter / 1000)} s); the bot is hung or gone`,
    };
  }
  const reasons = beat.reasons.length > 0 ? `: ${beat.reasons.join('; ')}` : '';
  const message = `${beat.level} (heartbeat ${ageText} old)${reasons}`;
  const clipped = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
  return { code: beat.level === 'healthy' || beat.level === 'degraded' ? 0 : 1, message: clipped };
}

/** Reads the heartbeat in `dir` and judges it (`tmbot --health-check`). */
export function probeHeartbeat(dir: string, now: number): ProbeResult {
  const path = join(dir, HEARTBEAT_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return {
        code: 1,
        message: `unhealthy: cannot read the heartbeat at ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      };
    }
  }
  return judgeHeartbeat(text, now, path);
}
