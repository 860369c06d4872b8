import type { Clock } from '../clock';

/** Windows remembered at most; the oldest goes first (announcements are rare and short). */
const MAX_WINDOWS = 1000;

/**
 * Intended changes announced by operator actions (a safe image update stops, renames,
 * re-creates and removes containers, and pulls an image): while a target's window is
 * open, the Docker alert source records what happens but sends no alert for it, so an
 * intended restart does not read as a crash. Targets are alert targets: container
 * names and image references, per host label.
 */
export class ExpectedChanges {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Holds back alerts about `targets` on `host` for the next `ms`. */
  expect(host: string, targets: readonly string[], ms: number): void {
    const now = this.clock.now();
    for (const [key, end] of this.until) if (end <= now) this.until.delete(key);
    for (const t of targets) {
      const key = keyOf(host, t);
      this.until.delete(key);
      this.until.set(key, now + ms);
      if (this.until.size > MAX_WINDOWS) {
        const oldest = this.until.keys().next().value;
        if (oldest !== undefined) this.until.delete(oldest);
      }
    }
  }

  /** The change is over: the windows close after `graceMs` (late events still arrive). */
  settle(host: string, targets: readonly string[], graceMs: number): void {
    const end = this.clock.now() + graceMs;
    for (const t of targets) {
      const key = keyOf(host, t);
      const current = this.until.get(key);
      if (current !== undefined && current > end) this.until.set(key, end);
    }
  }

  isExpected(host: string, target: string): boolean {
    const end = this.until.get(keyOf(host, target));
    return end !== undefined && end > this.clock.now();
  }
}

const keyOf = (host: string, target: string): string => `${host}\u0000${target}`;
