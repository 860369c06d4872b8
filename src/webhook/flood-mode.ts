import type { Clock, Timer } from '../clock';
import type { Logger } from '../log/logger';

export interface FloodModeOptions {
  /** New connections per second above which the server counts as flooded. */
  connectionsPerSecond: number;
  /** How long it must stay below that before speed is favoured again. */
  calmMs: number;
}

export const DEFAULT_FLOOD_MODE: FloodModeOptions = { connectionsPerSecond: 200, calmMs: 60_000 };

/**
 * Under a connection flood, V8 promotes the short-lived socket objects of every connection
 * into its old generation and grows it rather than collect: RSS rose 60–80 % in
 * bench/webhook.ts. While connections arrive faster than the threshold, the process favours
 * memory over speed (`favourMemory(true)`); Telegram's few keep-alive connections never trip it.
 */
export class FloodMode {
  private connections = 0;
  private active = false;
  private floodSeenAt = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly favourMemory: (on: boolean) => void,
    private readonly deps: { clock: Clock; log: Logger },
    private readonly options: FloodModeOptions = DEFAULT_FLOOD_MODE,
  ) {}

  /** Whether memory is favoured now. */
  get on(): boolean {
    return this.active;
  }

  /** Counts one new connection. */
  connected(): void {
    this.connections++;
  }

  /** Samples once a second until stop(). */
  start(): void {
    this.timer = this.deps.clock.setInterval(() => this.sample(), 1000);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.active) this.favourMemory(false);
    this.active = false;
  }

  /** Judges the connections counted since the last sample (called every second). */
  sample(): void {
    const rate = this.connections;
    this.connections = 0;
    const now = this.deps.clock.now();
    if (rate > this.options.connectionsPerSecond) {
      this.floodSeenAt = now;
      if (!this.active) {
        this.active = true;
        this.favourMemory(true);
        this.deps.log.warn(
          `connection flood (${rate} new connections in a second): favouring memory over speed`,
        );
      }
    } else if (this.active && now - this.floodSeenAt >= this.options.calmMs) {
      this.active = false;
      this.favourMemory(false);
      this.deps.log.info('the connection flood is over');
    }
  }
}
