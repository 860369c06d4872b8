// @ts-check
'use strict';

/** node-fetch's operational error: `type` tells what failed; `code`/`errno` copy a system error's code. */
class FetchError extends Error {
  /**
   * @param {string} message
   * @param {string} type
   * @param {Error} [systemError]
   */
  constructor(message, type, systemError) {
    super(message);
    this.type = type;
    /** @type {string | undefined} */
    this.code = undefined;
    /** @type {string | undefined} */
    this.errno = undefined;
    const code = /** @type {{ code?: unknown } | undefined} */ (systemError)?.code;
    if (typeof code === 'string') this.code = this.errno = code;
  }
}
Object.defineProperty(FetchError.prototype, 'name', { value: 'FetchError' });

/** A request cancelled through its AbortSignal (node-fetch's wording and shape). */
class AbortError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.type = 'aborted';
  }
}
Object.defineProperty(AbortError.prototype, 'name', { value: 'AbortError' });

/**
 * The URL as error messages show it: no user info, query or fragment, and a Bot API token in the path
 * (`/bot<id>:<secret>/`) redacted the way telegraf redacts it. node-fetch showed the whole URL.
 * @param {URL} url
 * @returns {string}
 */
function shownUrl(url) {
  const path = url.pathname.replace(/\/(bot|user)(\d+):[^/]+\//, '/$1$2:[REDACTED]/');
  return `${url.protocol}//${url.host}${path}`;
}

module.exports = { FetchError, AbortError, shownUrl };
