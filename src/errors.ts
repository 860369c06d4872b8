/**
 * Named errors with stable codes. User-facing wording is produced by the views
 * (`src/views/errors.ts`), so adapters and handlers throw and never word messages.
 */
export type ErrorCode =
  | 'E_CONFIG'
  | 'E_USAGE'
  | 'E_TELEGRAM_FATAL'
  | 'E_USER_INPUT'
  | 'E_FORBIDDEN'
  | 'E_DOCKER'
  | 'E_OUTLINE_UNAVAILABLE'
  | 'E_RELEASE_FEED'
  | 'E_EXPOSITION'
  | 'E_REMOTE_HOST'
  | 'E_SYSTEM_READ_TIMEOUT';

export class TmbotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in the configuration, tied to its path (`access_control.allowed_admins_ids[0]`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The configuration cannot be used; carries every problem at once. Exit code 2. */
export class ConfigError extends TmbotError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      'E_CONFIG',
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
  }
}

/** Bad command-line usage. Exit code 2. */
export class UsageError extends TmbotError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** Telegram refused us in a way that retrying cannot fix (401, 409). Exit code 1. */
export class FatalTelegramError extends TmbotError {
  constructor(
    readonly telegramCode: number,
    message: string,
  ) {
    super('E_TELEGRAM_FATAL', message);
  }
}

/** Something the user typed or pressed cannot be acted on; the message is safe to show. */
export class UserInputError extends TmbotError {
  constructor(message: string) {
    super('E_USER_INPUT', message);
  }
}

/** The user may not do this; the message is safe to show. */
export class ForbiddenError extends TmbotError {
  constructor(message: string) {
    super('E_FORBIDDEN', message);
  }
}

/** A host read (`what`: "sensors", "statfs /mnt/nfs") did not answer within `timeoutMs`; it may still be running. */
export class SystemReadTimeoutError extends TmbotError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super('E_SYSTEM_READ_TIMEOUT', `${what} did not answer within ${timeoutMs} ms`);
  }
}

/** What went wrong in a Docker call; `src/views/errors.ts` words each one. */
export type DockerErrorCode =
  /** The engine cannot be reached (`DockerUnavailableError`). */
  | 'unavailable'
  /** The host index is not (or no longer) configured. */
  | 'host_gone'
  | 'container_gone'
  | 'image_gone'
  /** No container carries that compose project label (any more). */
  | 'stack_gone'
  /** An id that is not an engine id; refused before any request. */
  | 'bad_container_id'
  | 'bad_image_id'
  /** The engine refused a container action (`action`, `detail` = the engine's reason). */
  | 'refused'
  /** The engine cannot return a container's logs (`detail` = the engine's reason). */
  | 'logs_unreadable'
  /** An image reference that is not "name[:tag]"; refused before any request. */
  | 'bad_image_ref'
  /** The engine could not pull an image (`detail` = the engine's or registry's reason). */
  | 'pull_failed'
  /**
   * The registry refused the pull for want of (valid) credentials: `registry`, whether
   * credentials were sent, `detail` = the engine's reason.
   */
  | 'pull_denied';

/** Facts a Docker error carries for its wording; all safe to show. */
export interface DockerErrorInfo {
  readonly action?: string;
  readonly detail?: string;
  /** The registry host of a refused pull. */
  readonly registry?: string;
  /** A refused pull carried credentials from docker.registry_auth_file. */
  readonly sentCredentials?: boolean;
}

/** A Docker call failed in a way the user can be told about. */
export class DockerError extends TmbotError {
  constructor(
    readonly kind: DockerErrorCode,
    readonly info: DockerErrorInfo = {},
    options?: { cause?: unknown; message?: string },
  ) {
    const facts = [info.action, info.detail].filter((f) => f !== undefined).join(': ');
    super(
      'E_DOCKER',
      options?.message ?? `docker ${kind}${facts === '' ? '' : ` (${facts})`}`,
      options,
    );
  }
}

/**
 * A Docker engine cannot be reached (socket missing, refused, no answer in time):
 * `reason` says what to check.
 */
export class DockerUnavailableError extends DockerError {
  constructor(
    readonly host: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'unavailable',
      {},
      { ...options, message: `Docker is not reachable at ${host}: ${reason}` },
    );
  }
}

/** Errors whose wording is meant for the user (anything else is logged and described generically). */
export const isUserSafe = (err: unknown): boolean =>
  err instanceof UserInputError || err instanceof ForbiddenError || err instanceof DockerError;
