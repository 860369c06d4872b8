/** One engine event, validated and bounded (the stream is not trusted). */
export interface DockerEvent {
  /** 'container', 'image', … */
  readonly type: string;
  /** 'die', 'start', 'oom', 'health_status: unhealthy', 'pull', … */
  readonly action: string;
  /** Container id or image reference. */
  readonly id: string;
  /** Actor attributes (container name, image, labels, exitCode), string values only. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Engine time in ms since the epoch. */
  readonly time: number;
  /** The engine's own `timeNano` as written, for `since` on reconnect. */
  readonly timeNano: string;
}

/** Why part of the stream was thrown away. */
export type EventStreamProblem = 'oversized-line' | 'not-json' | 'bad-shape';

export interface EventSubscription {
  /** Replay from this engine time (`<seconds>.<nanoseconds>`), e.g. after a dropped stream. */
  readonly since?: string;
  readonly signal: AbortSignal;
  onEvent(e: DockerEvent): void;
  onProblem(p: EventStreamProblem): void;
}

/**
 * The engine's event stream. `subscribe` resolves when the stream ends (engine
 * stopped, connection dropped, or the signal aborted) and rejects when it cannot
 * be opened: `DockerUnavailableError` when the engine is unreachable,
 * `EngineHttpError` when it answers but refuses the stream.
 */
export interface DockerEventsPort {
  subscribe(host: number, sub: EventSubscription): Promise<void>;
}
