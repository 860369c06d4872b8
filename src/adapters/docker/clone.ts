import { arr, obj, str, strList } from './json';

/**
 * Turning a container's `inspect` into the `create` body of its successor: the same
 * configuration on another image. Fields the container only has because its image
 * set them (env, cmd, entrypoint, labels…) are left out, so the new image's own
 * defaults apply (as `docker compose up` and Watchtower do); everything the user set
 * is copied as is.
 */

/** `create` body and the extra networks to connect before the first start. */
export interface ClonePlan {
  readonly body: Record<string, unknown>;
  /** Networks beyond the first (API < 1.44 creates with one endpoint only). */
  readonly extraNetworks: readonly { readonly name: string; readonly endpoint: unknown }[];
}

/** Config keys copied from the container as they are. */
const COPIED = [
  'Domainname',
  'AttachStdin',
  'AttachStdout',
  'AttachStderr',
  'Tty',
  'OpenStdin',
  'StdinOnce',
  'ArgsEscaped',
  'NetworkDisabled',
  'MacAddress',
  'OnBuild',
  'StopTimeout',
  'Shell',
] as const;

/** Config keys dropped when they equal the old image's value (whole-value defaults). */
const DEFAULTED = ['Cmd', 'Entrypoint', 'WorkingDir', 'User', 'StopSignal', 'Healthcheck'] as const;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Entries of a `KEY=value` list the image did not already set. */
function ownEnv(container: unknown, image: unknown): string[] {
  const inherited = new Set(strList(image));
  return strList(container).filter((e) => !inherited.has(e));
}

/** Keys of a map (labels, exposed ports, volumes) whose values the image did not already set. */
function ownEntries(container: unknown, image: unknown): Record<string, unknown> {
  const from = obj(image);
  return Object.fromEntries(
    Object.entries(obj(container)).filter(([k, v]) => !(k in from) || !same(from[k], v)),
  );
}

/** An endpoint's settings to keep: the engine-assigned ids and addresses are not configuration. */
function endpointOf(raw: unknown, oldShortId: string): Record<string, unknown> {
  const e = obj(raw);
  const aliases = strList(e.Aliases).filter((a) => a !== oldShortId);
  return {
    ...(e.IPAMConfig !== null && e.IPAMConfig !== undefined ? { IPAMConfig: e.IPAMConfig } : {}),
    ...(arr(e.Links).length > 0 ? { Links: e.Links } : {}),
    ...(aliases.length > 0 ? { Aliases: aliases } : {}),
    ...(Object.keys(obj(e.DriverOpts)).length > 0 ? { DriverOpts: e.DriverOpts } : {}),
  };
}

/**
 * Anonymous volumes as explicit mounts, so the successor keeps the data the old
 * container wrote to them (a plain re-create would make new, empty ones).
 */
function anonymousMounts(c: Record<string, unknown>, host: Record<string, unknown>): unknown[] {
  const bound = new Set<string>([
    ...strList(host.Binds).map((b) => b.split(':')[1] ?? ''),
    ...arr(host.Mounts).map((m) => str(obj(m).Target)),
  ]);
  const named = new Set(strList(host.Binds).map((b) => b.split(':')[0] ?? ''));
  return arr(c.Mounts)
    .map(obj)
    .filter(
      (m) =>
        str(m.Type) === 'volume' &&
        str(m.Name) !== '' &&
        !named.has(str(m.Name)) &&
        !bound.has(str(m.Destination)),
    )
    .map((m) => ({
      Type: 'volume',
      Source: str(m.Name),
      Target: str(m.Destination),
      ReadOnly: m.RW === false,
    }));
}

/** Config part of the body: what the user set, not what the old image set. */
function configOf(
  c: Record<string, unknown>,
  config: Record<string, unknown>,
  imageConfig: Record<string, unknown>,
  image: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = { Image: image };
  // The default hostname is the container's short id; the successor gets its own.
  const hostname = str(config.Hostname);
  if (hostname !== '' && hostname !== str(c.Id).slice(0, 12)) body.Hostname = hostname;
  for (const key of COPIED) if (config[key] !== undefined) body[key] = config[key];
  for (const key of DEFAULTED)
    if (config[key] !== undefined && !same(config[key], imageConfig[key])) body[key] = config[key];
  body.Env = ownEnv(config.Env, imageConfig.Env);
  body.Labels = ownEntries(config.Labels, imageConfig.Labels);
  body.ExposedPorts = ownEntries(config.ExposedPorts, imageConfig.ExposedPorts);
  body.Volumes = ownEntries(config.Volumes, imageConfig.Volumes);
  return body;
}

/**
 * The `create` body that gives `inspect` (the container) the image `image`.
 * `oldImage` is the inspect of the image the container runs now.
 */
export function clonePlan(inspect: unknown, oldImage: unknown, image: string): ClonePlan {
  const c = obj(inspect);
  const config = obj(c.Config);
  const host = { ...obj(c.HostConfig) };
  const anonymous = anonymousMounts(c, host);
  if (anonymous.length > 0) host.Mounts = [...arr(host.Mounts), ...anonymous];
  const body = configOf(c, config, obj(obj(oldImage).Config), image);
  body.HostConfig = host;
  const mode = str(host.NetworkMode);
  const shortId = str(c.Id).slice(0, 12);
  const networks = Object.entries(obj(obj(c.NetworkSettings).Networks));
  // The engine creates with the network NetworkMode names; the others are connected afterwards.
  const primary = networks.find(([name]) => name === mode) ?? networks[0];
  const custom = primary !== undefined && !['none', 'host', 'default'].includes(primary[0]);
  if (custom && !mode.startsWith('container:'))
    body.NetworkingConfig = {
      EndpointsConfig: { [primary[0]]: endpointOf(primary[1], shortId) },
    };
  const extraNetworks = networks
    .filter(([name]) => name !== primary?.[0])
    .map(([name, e]) => ({ name, endpoint: endpointOf(e, shortId) }));
  return { body, extraNetworks };
}
