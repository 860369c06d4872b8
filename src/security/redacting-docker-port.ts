import type { DockerEventsPort } from '../adapters/docker/events-port';
import type { DockerLogFollowPort } from '../adapters/docker/log-follow-port';
import type { DockerPort } from '../adapters/docker/port';
import type { ContainerRedaction } from './redact-container';

/**
 * The Docker port every consumer gets: the engine's data with secrets masked and
 * control characters stripped before any view, alert or log can see it.
 * Ids, names, states and figures pass through unchanged.
 */
export function redactingDockerPort(
  inner: DockerPort & DockerEventsPort & DockerLogFollowPort,
  redaction: ContainerRedaction,
): DockerPort & DockerEventsPort & DockerLogFollowPort {
  return {
    // Raw lines for the log-pattern matcher (redacting every line would cost the event loop);
    // its only consumer redacts the lines it quotes with the same ContainerRedaction.
    followLogs: (host, id, follow) => inner.followLogs(host, id, follow),
    // Event attributes carry labels and names: their values are masked like log text.
    subscribe: (host, sub) =>
      inner.subscribe(host, {
        ...sub,
        onEvent: (e) =>
          sub.onEvent({
            ...e,
            attributes: Object.fromEntries(
              Object.entries(e.attributes).map(([k, v]) => [k, redaction.log(v)]),
            ),
          }),
      }),
    hosts: inner.hosts,
    ping: (host) => inner.ping(host),
    summary: (host) => inner.summary(host),
    // Labels (compose project, service, dependencies) reach the stack screens.
    listContainers: async (host) =>
      (await inner.listContainers(host)).map((c) =>
        c.labels === undefined
          ? c
          : {
              ...c,
              labels: Object.fromEntries(
                redaction
                  .pairs(Object.entries(c.labels).map(([key, value]) => ({ key, value })))
                  .map((p) => [p.key, p.value]),
              ),
            },
      ),
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
