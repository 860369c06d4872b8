// @ts-check
'use strict';
const { FetchError, shownUrl } = require('./errors');

/** What json(), text() and buffer() read at most unless the `size` option asks for less. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Read-only response headers over Node's lower-cased header object. */
class Headers {
  /** @param {import('node:http').IncomingHttpHeaders} raw */
  constructor(raw) {
    /** @private */
    this.rawHeaders = raw;
  }

  /**
   * @param {string} name
   * @returns {string | null}
   */
  get(name) {
    const value = this.rawHeaders[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** @param {string} name */
  has(name) {
    return this.get(name) !== null;
  }
}

class Response {
  /**
   * @param {import('node:stream').Readable} body
   * @param {{ url: URL, status: number, statusText: string, headers: Headers,
   *   timeout: number, size: number, redirected: boolean }} init
   */
  constructor(body, init) {
    this.body = body;
    this.url = init.url.href;
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.redirected = init.redirected;
    this.bodyUsed = false;
    /** @private */
    this.shown = shownUrl(init.url);
    /** @private */
    this.timeout = init.timeout;
    /** @private */
    this.limit = init.size > 0 && init.size < MAX_BODY_BYTES ? init.size : MAX_BODY_BYTES;
  }

  get ok() {
    return this.status >= 200 && this.status < 300;
  }

  /** @returns {Promise<unknown>} */
  async json() {
    const text = await this.text();
    try {
      /** @type {unknown} */
      const value = JSON.parse(text);
      return value;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new FetchError(
        `invalid json response body at ${this.shown} reason: ${reason}`,
        'invalid-json',
      );
    }
  }

  async text() {
    return (await this.buffer()).toString('utf8');
  }

  /**
   * The whole body, bounded in size and (with `timeout`) in time. Failures while reading never start
   * with "request to ": the request went out and may have been acted on.
   * @returns {Promise<Buffer>}
   */
  async buffer() {
    if (this.bodyUsed) throw new TypeError(`body used already for: ${this.shown}`);
    this.bodyUsed = true;
    const { body, shown, limit, timeout } = this;
    if (Number(this.headers.get('content-length')) > limit) {
      body.destroy();
      throw new FetchError(`content size at ${shown} over limit: ${limit}`, 'max-size');
    }
    const timer =
      timeout > 0
        ? setTimeout(() => {
            const msg = `Response timeout while trying to fetch ${shown} (over ${timeout}ms)`;
            body.destroy(new FetchError(msg, 'body-timeout'));
          }, timeout)
        : undefined;
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        size += buf.length;
        if (size > limit)
          throw new FetchError(`content size at ${shown} over limit: ${limit}`, 'max-size');
        chunks.push(buf);
      }
    } catch (err) {
      throw bodyError(err, shown);
    } finally {
      clearTimeout(timer);
    }
    return Buffer.concat(chunks, size);
  }
}

/**
 * @param {unknown} err
 * @param {string} shown
 * @returns {Error}
 */
function bodyError(err, shown) {
  if (err instanceof FetchError || (err instanceof Error && err.name === 'AbortError')) return err;
  const cause = err instanceof Error ? err : new Error(String(err));
  return new FetchError(
    `Invalid response body while trying to fetch ${shown}: ${cause.message}`,
    'system',
    cause,
  );
}

module.exports = { Response, Headers, MAX_BODY_BYTES };
