/** A tagged image reference, normalised as the Docker CLI does. */
export interface ImageRef {
  /** Registry host as written ("docker.io", "ghcr.io", "127.0.0.1:5000"). */
  readonly registry: string;
  /** Repository path ("library/nginx", "org/app"). */
  readonly repository: string;
  readonly tag: string;
}

export const DOCKER_HUB = 'docker.io';

// eslint-disable-next-line security/detect-unsafe-regex -- separators and runs are disjoint classes (linear); input ≤ 512 chars
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Splits "name" into registry and repository; undefined when it is not a valid name. */
export function parseRepository(
  name: string,
): { registry: string; repository: string } | undefined {
  const parts = name.split('/');
  const first = parts[0] ?? '';
  const hasRegistry =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : DOCKER_HUB;
  const path = hasRegistry ? parts.slice(1) : parts;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (path.length === 0 || !path.every((p) => COMPONENT.test(p))) return undefined;
  // eslint-disable-next-line security/detect-unsafe-regex -- bounded repeats only
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/.test(registry))
    return undefined;
  const repository =
    registry === DOCKER_HUB && path.length === 1 ? `library/${path[0] ?? ''}` : path.join('/');
  return { registry, repository };
}

/** Parses "name[:tag]" (no digest); undefined for anything else, e.g. "<none>:<none>". */
export function parseImageRef(ref: string): ImageRef | undefined {
  if (ref.length > 512 || ref.includes('@')) return undefined;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? ref.slice(0, colon) : ref;
  const tag = hasTag ? ref.slice(colon + 1) : 'latest';
  if (!TAG.test(tag)) return undefined;
  const repo = parseRepository(name);
  return repo === undefined ? undefined : { ...repo, tag };
}

/** "registry/repository" of a "name@sha256:…" entry, normalised; with the digest. */
export function parseDigestRef(entry: string): { name: string; digest: string } | undefined {
  const at = entry.indexOf('@');
  if (at < 0) return undefined;
  const repo = parseRepository(entry.slice(0, at));
  const digest = entry.slice(at + 1);
  if (repo === undefined || !/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
  return { name: `${repo.registry}/${repo.repository}`, digest };
}

/** The normalised "registry/repository" of a ref, for matching digests to tags. */
export const repoKey = (ref: ImageRef): string => `${ref.registry}/${ref.repository}`;

/** Hosts we talk plain HTTP to, as the Docker engine does by default (127.0.0.0/8 is insecure-allowed). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  // eslint-disable-next-line security/detect-unsafe-regex -- fixed count of bounded groups
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

interface Version {
  readonly parts: readonly number[];
  readonly pre: string | undefined;
}

const SEMVER =
  // eslint-disable-next-line security/detect-unsafe-regex -- bounded digit runs, anchored; tags are ≤ 128 chars
  /^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function version(tag: string): Version | undefined {
  const m = SEMVER.exec(tag);
  if (m === null) return undefined;
  const parts = [m[1], m[2], m[3]].filter((p): p is string => p !== undefined).map(Number);
  return { parts, pre: m[4] };
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1;
  if (b.pre === undefined) return -1;
  return a.pre < b.pre ? -1 : 1;
}

/**
 * Tags newer than `current` in the same major version and of the same precision
 * ("1.2" → "1.3", not "1.2.1"); pre-releases only when `current` is one. Newest first.
 */
export function newerTagsInMajor(current: string, tags: readonly string[], max = 5): string[] {
  const base = version(current);
  if (base === undefined) return [];
  const found: { tag: string; v: Version }[] = [];
  for (const tag of tags) {
    const v = version(tag);
    if (v === undefined || v.parts.length !== base.parts.length || v.parts[0] !== base.parts[0])
      continue;
    if (v.pre !== undefined && base.pre === undefined) continue;
    if (compare(v, base) > 0) found.push({ tag, v });
  }
  return found
    .sort((a, b) => compare(b.v, a.v))
    .slice(0, max)
    .map((f) => f.tag);
}
