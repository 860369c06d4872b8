import type { Clock } from '../../clock';
import { parseDigestRef, parseImageRef, repoKey, type ImageRef } from './image-ref';
import type { ImageSummary } from './port';
import type { RegistryAnswer, RegistryPort } from './registry';
import { newerTags } from './tag-order';

/** The outcome for one tag of a local image. */
export type UpdateStatus =
  | { readonly kind: 'update'; readonly localDigest: string; readonly remoteDigest: string }
  | { readonly kind: 'up-to-date' }
  /** Built or loaded locally: no registry digest to compare with. */
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'rate-limited'; readonly retryAfterSec: number }
  | { readonly kind: 'error'; readonly reason: string };

export interface ImageUpdate {
  /** The tag as the engine lists it ("nginx:1.27", "127.0.0.1:5000/local/app:1"). */
  readonly tag: string;
  readonly imageId: string;
  readonly status: UpdateStatus;
  /** Newer tags by the tag's own order (version, date, numbered), newest first (empty when unknown). */
  readonly newerTags: readonly string[];
  /** When the registry was asked (ms); older than now when served from the cache. */
  readonly checkedAt: number;
}

interface RemoteFacts {
  digest: RegistryAnswer<string>;
  tags: readonly string[];
  checkedAt: number;
  expiresAt: number;
}

export interface UpdateCheckerOptions {
  clock: Clock;
  /** How long a registry answer is reused (1 h). */
  ttlMs?: number;
  /** How long a failed lookup is reused, so a broken registry is not hammered. */
  errorTtlMs?: number;
  /** Registry lookups in flight at once. */
  concurrency?: number;
  /** Tags checked per run at most. */
  maxTags?: number;
}

/** Update checks that ask the user's engine nothing and the registry as little as possible. */
export interface UpdateCheckPort {
  /** `fresh`: ask the registry even when a cached answer is still valid (an admin about to update). */
  check(images: readonly ImageSummary[], options?: { fresh?: boolean }): Promise<ImageUpdate[]>;
}

/**
 * Compares each tagged image's repo digest with the digest its registry serves
 * for the same tag now (`RegistryPort`), and lists newer tags (`newerTags`: versions
 * in the same major, later dates, larger numbered suffixes). Answers are cached per registry/repository:tag for an hour; a 429 is
 * cached until the registry's own retry time.
 */
export class UpdateChecker implements UpdateCheckPort {
  private readonly cache = new Map<string, RemoteFacts>();
  private readonly inflight = new Map<string, Promise<RemoteFacts>>();
  private readonly ttlMs: number;
  private readonly errorTtlMs: number;

  constructor(
    private readonly registry: RegistryPort,
    private readonly options: UpdateCheckerOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.errorTtlMs = options.errorTtlMs ?? 300_000;
  }

  async check(
    images: readonly ImageSummary[],
    options: { fresh?: boolean } = {},
  ): Promise<ImageUpdate[]> {
    const now = this.options.clock.now();
    for (const [key, facts] of this.cache) if (facts.expiresAt <= now) this.cache.delete(key);
    const jobs: { tag: string; ref: ImageRef; image: ImageSummary }[] = [];
    for (const image of images) {
      for (const tag of image.tags) {
        const ref = parseImageRef(tag);
        if (ref !== undefined) jobs.push({ tag, ref, image });
      }
    }
    jobs.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    const limited = jobs.slice(0, this.options.maxTags ?? 50);
    const results: ImageUpdate[] = new Array<ImageUpdate>(limited.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < limited.length) {
        const i = next++;
        const job = limited[i];
        if (job === undefined) continue;
        results[i] = await this.checkOne(job.tag, job.ref, job.image, options.fresh === true);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.concurrency ?? 4, limited.length) }, worker),
    );
    return results;
  }

  private async checkOne(
    tag: string,
    ref: ImageRef,
    image: ImageSummary,
    fresh: boolean,
  ): Promise<ImageUpdate> {
    const locals = image.digests
      .map(parseDigestRef)
      .filter(
        (d): d is { name: string; digest: string } => d !== undefined && d.name === repoKey(ref),
      )
      .map((d) => d.digest);
    if (locals.length === 0) {
      // Built or loaded here: there is nothing to compare, so the registry is not asked at all.
      return {
        tag,
        imageId: image.id,
        newerTags: [],
        checkedAt: this.options.clock.now(),
        status: { kind: 'unknown', reason: 'no registry digest here (built or loaded locally)' },
      };
    }
    const facts = await this.remote(ref, fresh);
    const base = {
      tag,
      imageId: image.id,
      newerTags: newerTags(ref.tag, facts.tags),
      checkedAt: facts.checkedAt,
    };
    const answer = facts.digest;
    switch (answer.kind) {
      case 'rate-limited':
        return {
          ...base,
          status: {
            kind: 'rate-limited',
            retryAfterSec: Math.max(
              1,
              Math.ceil((facts.expiresAt - this.options.clock.now()) / 1000),
            ),
          },
        };
      case 'error':
        return { ...base, status: { kind: 'error', reason: answer.reason } };
      case 'not-found':
        return {
          ...base,
          status: { kind: 'error', reason: 'the registry does not have this tag' },
        };
      case 'ok':
        break;
    }
    if (locals.includes(answer.value)) return { ...base, status: { kind: 'up-to-date' } };
    return {
      ...base,
      status: { kind: 'update', localDigest: locals[0] ?? '', remoteDigest: answer.value },
    };
  }

  /** Cached registry facts for a ref; concurrent callers share one lookup. */
  private remote(ref: ImageRef, fresh: boolean): Promise<RemoteFacts> {
    const key = `${repoKey(ref)}:${ref.tag}`;
    const now = this.options.clock.now();
    const cached = this.cache.get(key);
    // A rate limit is honoured even for a fresh check.
    const usable = !fresh || cached?.digest.kind === 'rate-limited';
    if (cached !== undefined && cached.expiresAt > now && usable) return Promise.resolve(cached);
    const pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    const lookup = (async (): Promise<RemoteFacts> => {
      const digest = await this.registry.manifestDigest(ref);
      const tags = digest.kind === 'ok' ? await this.registry.listTags(ref) : undefined;
      const checkedAt = this.options.clock.now();
      const expiresAt =
        digest.kind === 'rate-limited'
          ? checkedAt + digest.retryAfterSec * 1000
          : checkedAt + (digest.kind === 'ok' ? this.ttlMs : this.errorTtlMs);
      const facts: RemoteFacts = {
        digest,
        tags: tags?.kind === 'ok' ? tags.value : [],
        checkedAt,
        expiresAt,
      };
      this.cache.set(key, facts);
      return facts;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, lookup);
    return lookup;
  }
}
