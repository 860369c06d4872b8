import type { Logger } from './log/logger';

/**
 * A part of the daemon with a start and a stop: the host sampler, Docker clients, a plugin's
 * loop, the health monitor. The composition root lists them; {@link Lifecycle} starts them in
 * that order and stops them in reverse.
 */
export interface Component {
  /** Stable id, `[a-z0-9][a-z0-9._-]*`; also its health-check name when it fails to start. */
  readonly name: string;
  /** A required component that cannot start fails start-up; an optional one is logged and skipped. */
  readonly required: boolean;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** Builds a component from its parts (`required` defaults to true). */
export function component(
  name: string,
  parts: {
    required?: boolean;
    start?: () => void | Promise<void>;
    stop?: () => void | Promise<void>;
  },
): Component {
  return { ...parts, name, required: parts.required ?? true };
}

/** An optional component that threw at start, as the Health screen names it. */
export interface FailedComponent {
  readonly name: string;
  readonly error: unknown;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Starts components in the order added and stops the started ones in reverse. Stop failures are
 * logged and never stop the others; start failures of optional components are recorded in
 * {@link failed} and start-up goes on.
 */
export class Lifecycle {
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private readonly failures: FailedComponent[] = [];

  constructor(private readonly log: Logger) {}

  /** Adds components to the end of the start order; a duplicate or malformed name throws. */
  add(...components: readonly Component[]): void {
    for (const c of components) {
      if (!NAME.test(c.name)) throw new Error(`invalid component name: ${c.name}`);
      if (this.components.some((k) => k.name === c.name))
        throw new Error(`component ${c.name} is added twice`);
      this.components.push(c);
    }
  }

  /** Names in start order. */
  get names(): string[] {
    return this.components.map((c) => c.name);
  }

  /** Optional components that could not start, in start order. */
  get failed(): readonly FailedComponent[] {
    return this.failures;
  }

  /**
   * Starts the components in order, until `signal` aborts (a stop during start-up). Rejects
   * with a required component's own error (the ones already started stay started: call
   * {@link stop}).
   */
  async start(signal?: AbortSignal): Promise<void> {
    for (const c of this.components) {
      if (signal?.aborted) return;
      try {
        await c.start?.();
        this.started.push(c);
      } catch (err) {
        if (c.required) {
          this.log.error(`${c.name} could not start`);
          throw err;
        }
        this.failures.push({ name: c.name, error: err });
        this.log.error(`${c.name} could not start; the bot runs without it`, { error: err });
      }
    }
  }

  /** Stops the started components in reverse order; each failure is logged, none is thrown. */
  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const c = this.started.pop()!;
      try {
        await c.stop?.();
      } catch (err) {
        this.log.warn(`${c.name} did not stop cleanly`, { error: err });
      }
    }
  }
}
