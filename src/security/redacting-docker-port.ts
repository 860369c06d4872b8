import type { DockerPort } from '../adapters/docker/port';
import type { ContainerRedaction } from './redact-container';

/**
 * The Docker port every consumer gets: the engine's data with secrets masked and
 * control characters stripped before any view, alert or log can see it.
 * Ids, names, states and figures pass through unchanged.
 */
export function redactingDockerPort(inner: DockerPort, redaction: ContainerRedaction): DockerPort {
  return {
    hosts: inner.hosts,
    ping: (host) => inner.ping(host),
    summary: (host) => inner.summary(host),
    listContainers: (host) => inner.listContainers(host),
    containerStats: (host, id) => inner.containerStats(host, id),
    act: (host, id, action) => inner.act(host, id, action),
    listImages: (host) => inner.listImages(host),
    assertReachable: () => inner.assertReachable(),
    async inspectContainer(host, id) {
      const c = await inner.inspectContainer(host, id);
      return c === undefined ? undefined : redaction.container(c);
    },
    async inspectImage(host, id) {
      const i = await inner.inspectImage(host, id);
      return i === undefined ? undefined : redaction.image(i);
    },
    async imageHistory(host, id) {
      return redaction.layers(await inner.imageHistory(host, id));
    },
    async logs(host, id, query) {
      const raw = await inner.logs(host, id, query);
      return { ...raw, text: redaction.log(raw.text) };
    },
  };
}
