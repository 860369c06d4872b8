/** How often a {@link Recorder} reads its value, in ms. */
export const RECORD_EVERY_MS = 20;

/**
 * Reads a live host value every few ms while the suite runs, so a figure the bot showed is
 * checked against every value the host had while the bot may have read it (from one cache
 * lifetime before the request until the reply), never against one later reading on a busy machine.
 */
export class Recorder {
  private readonly samples: { at: number; value: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly read: () => number) {}

  start(): void {
    this.take();
    this.timer = setInterval(() => this.take(), RECORD_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Lowest and highest value from `since` (ms) until now, a reading taken now included. */
  range(since: number): { min: number; max: number } {
    this.take();
    const values = this.samples.filter((x) => x.at >= since).map((x) => x.value);
    return { min: Math.min(...values), max: Math.max(...values) };
  }

  private take(): void {
    this.samples.push({ at: Date.now(), value: this.read() });
    // About ten minutes of samples; a suite is far shorter.
    if (this.samples.length > 30_000) this.samples.splice(0, 10_000);
  }
}
