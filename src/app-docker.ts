import type { DockerEventsPort } from './adapters/docker/events-port';
import type { DockerLogFollowPort } from './adapters/docker/log-follow-port';
import type { DockerPort } from './adapters/docker/port';
import { DockerodePort } from './adapters/docker/dockerode-port';
import { HttpRegistryClient } from './adapters/docker/registry';
import { registryCredentialsFrom } from './adapters/docker/registry-auth';
import { UpdateChecker } from './adapters/docker/update-checker';
import type { ContainerUpdatePort } from './adapters/docker/update-port';
import type { AppDeps } from './app-types';
import { ContainerRedaction } from './security/redact-container';
import { redactingDockerPort } from './security/redacting-docker-port';
import { APP_VERSION } from './version';

/**
 * The Docker port over every configured host; its engines are dialled on first use. Every
 * consumer (screens, logs, alerts) sees container data with secrets masked.
 */
export function dockerPort(
  deps: AppDeps,
): DockerPort & DockerEventsPort & DockerLogFollowPort & { readonly updates: ContainerUpdatePort } {
  const inner = new DockerodePort({
    hosts: deps.config.docker.hosts,
    tls: deps.config.docker.tls,
    log: deps.log.child('docker'),
    clock: deps.clock,
    env: deps.options.env,
    logCalls: deps.config.docker.debug,
    // A pull reads the file afresh: a `docker login` made just before is used at once.
    ...registryCredentialsFrom(
      deps.config.docker.registryAuthFile,
      deps.clock,
      deps.log,
      deps.redactor,
      0,
    ),
  });
  // Updates return ids and progress counts only: nothing of a container's configuration to mask.
  return {
    ...redactingDockerPort(inner, new ContainerRedaction((text) => deps.redactor.redact(text))),
    updates: inner.updates,
  };
}

/** The image update checker: registries asked at most hourly per tag (its cache). */
export function updateChecker(deps: AppDeps): UpdateChecker {
  const { clock } = deps;
  return new UpdateChecker(
    new HttpRegistryClient({
      clock,
      log: deps.log.child('registry'),
      userAgent: `tmbot/${APP_VERSION}`,
      ...registryCredentialsFrom(
        deps.config.docker.registryAuthFile,
        clock,
        deps.log,
        deps.redactor,
      ),
    }),
    { clock },
  );
}
