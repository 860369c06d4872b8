import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '../../clock';

/** One registry HTTP answer, body bounded. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RegistryHttpOptions {
  clock: Clock;
  /** Per attempt; the timer runs on the Clock. */
  timeoutMs: number;
  /** Extra attempts after a 5xx, a timeout or a network error (pyTMBot: 3 tries in all). */
  retries: number;
  /** First back-off (doubled each retry, on the Clock). */
  backoffMs: number;
  userAgent: string;
}

const MAX_BODY = 2 * 1024 * 1024;

class RequestTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Sends one request with bounded retries: a 5xx answer, a timeout or a network error is
 * tried again after `backoffMs`, `2 × backoffMs`… (at most `retries` times); any other
 * answer (4xx included) is returned at once. The last failure is thrown or returned.
 */
export async function sendWithRetries(
  options: RegistryHttpOptions,
  method: string,
  url: string,
  headers: Record<string, string>,
): Promise<HttpAnswer> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= options.retries;
    try {
      const answer = await sendOnce(options, method, url, headers);
      if (answer.status < 500 || last) return answer;
    } catch (err) {
      if (last) throw err;
    }
    await options.clock.sleep(options.backoffMs * 2 ** attempt);
  }
}

function sendOnce(
  options: RegistryHttpOptions,
  method: string,
  url: string,
  headers: Record<string, string>,
): Promise<HttpAnswer> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const abort = new AbortController();
  const timer = options.clock.setTimeout(
    () => abort.abort(new RequestTimeout('no answer in time')),
    options.timeoutMs,
  );
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = request(
      target,
      {
        method,
        headers: { 'user-agent': options.userAgent, ...headers },
        signal: abort.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            req.destroy(new Error('the registry answer is too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  }).finally(() => timer.cancel());
}

/** A network failure in words; never echoes headers (credentials travel there). */
export function describeHttpError(err: unknown, timeoutMs: number): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  const cause = e.cause as { name?: unknown } | undefined;
  if (
    e.name === 'AbortError' ||
    e.name === 'TimeoutError' ||
    e.code === 'ABORT_ERR' ||
    cause?.name === 'TimeoutError'
  )
    return `no answer within ${timeoutMs / 1000} s`;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return 'the registry host name does not resolve';
  if (e.code === 'ECONNREFUSED') return 'the registry refused the connection';
  const message = typeof e.message === 'string' ? e.message : String(err);
  return message.slice(0, 160);
}
