/** Which of a container's output streams a line came from. */
export type LogStream = 'stdout' | 'stderr';

export interface LogFollow {
  /** Start from this engine time (seconds since the epoch); default: only lines written from now on. */
  readonly since?: number;
  readonly signal: AbortSignal;
  /** Longer lines are cut to this many bytes (the rest until the newline is dropped). */
  readonly maxLineBytes: number;
  onLine(line: string, stream: LogStream, cut: boolean): void;
  /**
   * Asked after each chunk: a promise pauses reading until it settles (the engine keeps
   * the lines meanwhile), so a consumer that falls behind slows the stream, not loses lines.
   */
  backpressure?(): Promise<void> | undefined;
}

/**
 * A running container's log as it is written (stdout and stderr demultiplexed, split
 * into bounded lines). `followLogs` resolves when the stream ends (the container
 * stopped, the engine went away, or the signal aborted) and rejects when it cannot be
 * opened (`DockerError('container_gone')`, `DockerUnavailableError`).
 */
export interface DockerLogFollowPort {
  followLogs(host: number, id: string, follow: LogFollow): Promise<void>;
}
