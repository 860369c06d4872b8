import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TmbotError } from '../../errors';

/** The newest published release of tmbot, as the feed describes it. */
export interface Release {
  /** Version without a leading "v" ("0.5.0"). */
  readonly version: string;
  readonly name: string;
  /** Release notes (Markdown as published), capped at {@link MAX_NOTES}. */
  readonly notes: string;
  /** Where people read about it; only http(s) URLs are kept. */
  readonly url: string | undefined;
  /** Epoch ms, when the feed says. */
  readonly publishedAt: number | undefined;
}

export type ReleaseFeedErrorCode = 'unreachable' | 'timeout' | 'bad_status' | 'bad_response';

/** The release feed could not answer usefully; `code` says why (views word it). */
export class ReleaseFeedError extends TmbotError {
  constructor(
    readonly reason: ReleaseFeedErrorCode,
    detail: string,
  ) {
    super('E_RELEASE_FEED', `release feed: ${reason} (${detail})`);
  }
}

/** Reads tmbot's latest release. */
export interface ReleaseFeed {
  latest(signal?: AbortSignal): Promise<Release>;
}

const MAX_BODY_BYTES = 512 * 1024;
const MAX_NOTES = 4000;
// eslint-disable-next-line security/detect-unsafe-regex -- anchored, every repetition bounded; input is a short tag
const VERSION_SHAPE = /^v?(\d{1,6}\.\d{1,6}(?:\.\d{1,6})?(?:-[0-9A-Za-z.-]{1,32})?)$/;

interface FeedEntry {
  tag_name?: unknown;
  name?: unknown;
  body?: unknown;
  html_url?: unknown;
  published_at?: unknown;
  draft?: unknown;
  prerelease?: unknown;
}

const isEntry = (v: unknown): v is FeedEntry => typeof v === 'object' && v !== null;

/**
 * Picks the release from a GitHub-style feed: one release object (`/releases/latest`) or
 * a list of them (`/releases`, newest first; drafts and pre-releases skipped).
 */
export function parseReleaseFeed(body: unknown): Release {
  const entries = Array.isArray(body) ? body.slice(0, 100) : [body];
  for (const entry of entries) {
    if (!isEntry(entry) || entry.draft === true || entry.prerelease === true) continue;
    const tag =
      typeof entry.tag_name === 'string' ? VERSION_SHAPE.exec(entry.tag_name.trim()) : null;
    if (tag?.[1] === undefined) continue;
    const url =
      typeof entry.html_url === 'string' && /^https?:\/\//.test(entry.html_url)
        ? entry.html_url
        : undefined;
    const published = typeof entry.published_at === 'string' ? Date.parse(entry.published_at) : NaN;
    return {
      version: tag[1],
      name: typeof entry.name === 'string' ? entry.name.slice(0, 200) : tag[1],
      notes: typeof entry.body === 'string' ? entry.body.slice(0, MAX_NOTES) : '',
      url,
      publishedAt: Number.isFinite(published) ? published : undefined,
    };
  }
  throw new ReleaseFeedError('bad_response', 'no published release with a version tag');
}

export interface HttpReleaseFeedOptions {
  /** The feed URL (config `bot_updates.release_feed_url`). */
  url: string;
  timeoutMs: number;
  userAgent: string;
}

/** The release feed over HTTP(S): bounded in time and size, JSON only. */
export class HttpReleaseFeed implements ReleaseFeed {
  constructor(private readonly options: HttpReleaseFeedOptions) {}

  async latest(signal?: AbortSignal): Promise<Release> {
    const text = await this.fetchText(signal);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ReleaseFeedError('bad_response', 'not JSON');
    }
    return parseReleaseFeed(body);
  }

  private fetchText(signal: AbortSignal | undefined): Promise<string> {
    const { url, timeoutMs, userAgent } = this.options;
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const deadline = AbortSignal.timeout(timeoutMs);
    const abort = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    return new Promise((resolve, reject) => {
      const fail = (err: ReleaseFeedError): void => {
        req.destroy();
        reject(err);
      };
      const req = request(
        target,
        {
          method: 'GET',
          headers: {
            accept: 'application/vnd.github+json, application/json',
            'user-agent': userAgent,
          },
          signal: abort,
        },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            res.resume();
            return fail(new ReleaseFeedError('bad_status', `HTTP ${res.statusCode ?? '?'}`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES)
              return fail(new ReleaseFeedError('bad_response', 'too large'));
            chunks.push(chunk);
          });
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', () => fail(new ReleaseFeedError('unreachable', 'connection lost')));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (deadline.aborted)
          reject(new ReleaseFeedError('timeout', `no answer in ${timeoutMs} ms`));
        else reject(new ReleaseFeedError('unreachable', err.code ?? 'network error'));
      });
      req.end();
    });
  }
}
