/**
 * Named errors with stable codes. User-facing wording is produced in one place
 * (`describeForUser`), so handlers throw and never format messages themselves.
 */
export class TmbotError extends Error {
  constructor(
    readonly code: string,
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

/**
 * A Docker engine cannot be reached (socket missing, refused, no answer in time).
 * Its message is user-safe and shown as is: "Docker is not reachable at <host>: <reason>".
 */
export class DockerUnavailableError extends TmbotError {
  constructor(
    readonly host: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('E_DOCKER_UNAVAILABLE', `Docker is not reachable at ${host}: ${reason}`, options);
  }
}

/** Text shown in chat for an error thrown by a handler; internal details never leak. */
export function describeForUser(err: unknown): string {
  if (err instanceof UserInputError || err instanceof ForbiddenError) return err.message;
  if (err instanceof TmbotError && err.code === 'E_DOCKER_UNAVAILABLE') return err.message;
  return '⚠️ Something went wrong while handling that. The details are in the bot log.';
}
