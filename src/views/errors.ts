import {
  DockerError,
  DockerUnavailableError,
  ForbiddenError,
  UserInputError,
  type DockerErrorCode,
} from '../errors';

const DOCKER_TEXT: Record<Exclude<DockerErrorCode, 'unavailable'>, (e: DockerError) => string> = {
  host_gone: () => 'That Docker host is no longer configured.',
  container_gone: () => 'This container no longer exists. Open the list again.',
  image_gone: () => 'This image no longer exists. Open the list again.',
  stack_gone: () => 'This stack has no containers any more. Open the stacks again.',
  bad_container_id: () => 'That is not a container id.',
  bad_image_id: () => 'That is not an image id.',
  refused: (e) => `The engine refused to ${e.info.action ?? 'do'} it: ${e.info.detail ?? ''}`,
  logs_unreadable: (e) => `The engine cannot return these logs: ${e.info.detail ?? ''}`,
  bad_image_ref: () => 'That is not an image reference (name:tag).',
  pull_failed: (e) => `The engine could not pull the image: ${e.info.detail ?? ''}`,
  pull_denied: (e) =>
    `The registry ${e.info.registry ?? ''} refused the pull (${e.info.detail ?? ''}): ${
      e.info.sentCredentials === true
        ? 'it did not accept the credentials docker.registry_auth_file holds for it'
        : 'it wants credentials, and docker.registry_auth_file holds none for it (run docker login and point that setting at its config.json)'
    }.`,
};

/** What the chat says about a Docker failure. */
export function dockerErrorText(err: DockerError): string {
  if (err instanceof DockerUnavailableError)
    return `Docker is not reachable at ${err.host}: ${err.reason}`;
  return err.kind === 'unavailable' ? 'Docker is not reachable.' : DOCKER_TEXT[err.kind](err);
}

/** Text shown in chat for an error thrown by a handler; internal details never leak. */
export function describeForUser(err: unknown): string {
  if (err instanceof UserInputError || err instanceof ForbiddenError) return err.message;
  if (err instanceof DockerError) return dockerErrorText(err);
  return '⚠️ Something went wrong while handling that. The details are in the bot log.';
}

/** Why Docker gave no answer, without the host (the screen names it): the engine's reason when unreachable. */
export function dockerReasonText(err: unknown): string {
  return err instanceof DockerUnavailableError ? err.reason : describeForUser(err);
}
