import type { Clock, Timer } from '../clock';

/**
 * Writes a state file at most once per `delayMs` however often it is asked to: for state that
 * changes in bursts (many changes a second) where building the document is the cost. `now()`
 * writes at once and drops the pending one (shutdown).
 */
export class DelayedWrite {
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly write: () => Promise<void>,
  ) {}

  /** Asks for a write; one is already due within `delayMs` if asked before. */
  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.delayMs);
  }

  now(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    return this.write();
  }
}
