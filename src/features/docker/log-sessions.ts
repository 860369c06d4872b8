import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock';
import type { LogMode } from '../../views/docker-actions';

/** One fetched, sanitised log, kept so paging shows a stable snapshot. */
export interface LogSession {
  readonly id: string;
  readonly userId: number;
  readonly host: number;
  readonly containerId: string;
  readonly mode: LogMode;
  /** Sanitised full text (what "As file" sends). */
  readonly text: string;
  readonly pages: readonly string[];
  readonly lines: number;
  readonly clipped: boolean;
  readonly createdAt: number;
}

/**
 * Log snapshots per user, for paging and "As file" (pyTMBot kept them 300 s).
 * Bounded in count; a snapshot is only handed to the user, host, container and
 * mode it was made for.
 */
export class LogSessions {
  private readonly sessions = new Map<string, LogSession>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 300_000,
    private readonly max = 16,
  ) {}

  add(session: Omit<LogSession, 'id' | 'createdAt'>): LogSession {
    this.prune();
    const full: LogSession = {
      ...session,
      id: randomBytes(6).toString('hex'),
      createdAt: this.clock.now(),
    };
    this.sessions.set(full.id, full);
    while (this.sessions.size > this.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return full;
  }

  get(
    id: string,
    match: { userId: number; host: number; containerId: string; mode: LogMode },
  ): LogSession | undefined {
    const s = this.sessions.get(id);
    if (s === undefined || this.clock.now() - s.createdAt > this.ttlMs) return undefined;
    const mine =
      s.userId === match.userId &&
      s.host === match.host &&
      s.containerId === match.containerId &&
      s.mode === match.mode;
    return mine ? s : undefined;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [id, s] of this.sessions)
      if (now - s.createdAt > this.ttlMs) this.sessions.delete(id);
  }
}
