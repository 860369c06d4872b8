// @ts-check
'use strict';
/**
 * The subset of node-fetch v2 that telegraf 4 uses, on node:http and node:https only: installed in
 * place of node-fetch through npm `overrides` (docs/architecture.md#dependencies). node-fetch 2 loads
 * whatwg-url, tr46 and webidl-conversions (3.6 MiB of a telegraf process's idle memory) for a URL
 * parser Node already has.
 */
const http = require('node:http');
const { pipeline } = require('node:stream');
const { FetchError, AbortError, shownUrl } = require('./errors');
const { Response, Headers } = require('./response');

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_FOLLOW = 20;
const noop = () => undefined;

/**
 * @typedef {import('./index').RequestInit} RequestInit
 * @typedef {import('node:stream').Readable} Readable
 * @typedef {{ url: URL, method: string, headers: Record<string, string>,
 *   body: string | Buffer | Readable | undefined, agent: RequestInit['agent'],
 *   signal: AbortSignal | undefined, timeout: number, size: number, follow: number,
 *   compress: boolean, counter: number }} Request
 */

/**
 * @param {string | URL} input
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
async function fetch(input, init = {}) {
  return send(request(input, init));
}

/**
 * @param {string | URL} input
 * @param {RequestInit} init
 * @returns {Request}
 */
function request(input, init) {
  const url = new URL(String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('Only HTTP(S) protocols are supported');
  }
  const method = (init.method ?? 'GET').toUpperCase();
  const body = init.body ?? undefined;
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError('Request with GET/HEAD method cannot have body');
  }
  /** @type {Record<string, string>} */
  const headers = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  headers.accept ??= '*/*';
  if (typeof body === 'string') headers['content-type'] ??= 'text/plain;charset=UTF-8';
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return {
    url,
    method,
    headers,
    body,
    agent: init.agent,
    signal: init.signal ?? undefined,
    timeout: init.timeout ?? 0,
    size: init.size ?? 0,
    follow: init.follow ?? DEFAULT_FOLLOW,
    compress: init.compress !== false,
    counter: 0,
  };
}

/**
 * One HTTP exchange; a redirect starts the next one. Failures before a response are
 * "request to … failed" FetchErrors carrying the system error's code.
 * @param {Request} req
 * @returns {Promise<Response>}
 */
function send(req) {
  return new Promise((resolve, reject) => {
    const { url, signal } = req;
    const shown = shownUrl(url);
    if (signal?.aborted) {
      const err = new AbortError('The user aborted a request.');
      destroyBody(req.body);
      reject(err);
      return;
    }
    const transport = url.protocol === 'https:' ? require('node:https') : http;
    const agent = agentFor(req.agent, url);
    const outgoing = transport.request(url, {
      method: req.method,
      headers: req.headers,
      ...(agent !== undefined && { agent }),
    });
    /** @type {Response | undefined} */
    let response;
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const finalize = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outgoing.destroy();
    };
    function onAbort() {
      const err = new AbortError('The user aborted a request.');
      reject(err);
      destroyBody(req.body);
      response?.body.destroy(err);
      finalize();
    }
    signal?.addEventListener('abort', onAbort);
    if (req.timeout > 0) {
      outgoing.once('socket', () => {
        timer = setTimeout(() => {
          reject(new FetchError(`network timeout at: ${shown}`, 'request-timeout'));
          finalize();
        }, req.timeout);
      });
    }
    outgoing.on('error', (err) => {
      reject(new FetchError(`request to ${shown} failed, reason: ${err.message}`, 'system', err));
      response?.body.destroy(err);
      finalize();
    });
    outgoing.on('response', (res) => {
      clearTimeout(timer);
      const next = redirectTarget(req, res.statusCode ?? 0, res.headers.location);
      if (next !== undefined) {
        res.resume();
        if (next instanceof FetchError) reject(next);
        else resolve(send(next));
        finalize();
        return;
      }
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      response = respond(req, res);
      resolve(response);
    });
    writeBody(outgoing, req.body);
  });
}

/**
 * @param {Request} req
 * @param {import('node:http').IncomingMessage} res
 * @returns {Response}
 */
function respond(req, res) {
  const body = decoded(req, res);
  // A body nobody reads may still be destroyed by an abort: that must not become an uncaught error.
  body.on('error', noop);
  return new Response(body, {
    url: req.url,
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    headers: new Headers(res.headers),
    timeout: req.timeout,
    size: req.size,
    redirected: req.counter > 0,
  });
}

/**
 * The next request when a response redirects and node-fetch would follow it, the error when it
 * cannot be followed, else undefined.
 * @param {Request} req
 * @param {number} status
 * @param {string | undefined} location
 * @returns {Request | FetchError | undefined}
 */
function redirectTarget(req, status, location) {
  if (!REDIRECT_STATUSES.has(status) || location === undefined) return undefined;
  let url;
  try {
    url = new URL(location, req.url);
  } catch {
    return new FetchError(
      'uri requested responds with an invalid redirect URL',
      'invalid-redirect',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return new FetchError(
      'uri requested redirects to a protocol other than HTTP(S)',
      'invalid-redirect',
    );
  }
  if (req.counter >= req.follow) {
    return new FetchError(`maximum redirect reached at: ${shownUrl(req.url)}`, 'max-redirect');
  }
  const toGet = status === 303 || ((status === 301 || status === 302) && req.method === 'POST');
  const streamed =
    req.body !== undefined && typeof req.body !== 'string' && !Buffer.isBuffer(req.body);
  if (!toGet && streamed) {
    return new FetchError(
      'Cannot follow redirect with body being a readable stream',
      'unsupported-redirect',
    );
  }
  const headers = { ...req.headers };
  const sameSite =
    url.protocol === req.url.protocol &&
    (url.hostname === req.url.hostname || url.hostname.endsWith(`.${req.url.hostname}`));
  if (!sameSite) {
    for (const name of ['authorization', 'www-authenticate', 'cookie', 'cookie2'])
      delete headers[name];
  }
  if (toGet) delete headers['content-length'];
  return {
    ...req,
    url,
    headers,
    method: toGet ? 'GET' : req.method,
    body: toGet ? undefined : req.body,
    counter: req.counter + 1,
  };
}

/**
 * The response body, decompressed only when a server compresses although nothing asked it to
 * (no Accept-Encoding is sent); zlib is loaded only then.
 * @param {Request} req
 * @param {import('node:http').IncomingMessage} res
 * @returns {Readable}
 */
function decoded(req, res) {
  const coding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const empty = req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
  if (!req.compress || empty) return res;
  const gzip = coding === 'gzip' || coding === 'x-gzip';
  if (!gzip && coding !== 'deflate' && coding !== 'x-deflate') return res;
  const zlib = require('node:zlib');
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const decoder = gzip ? zlib.createGunzip(flush) : zlib.createInflate(flush);
  return pipeline(res, decoder, noop);
}

/**
 * @param {import('node:http').ClientRequest} outgoing
 * @param {Request['body']} body
 */
function writeBody(outgoing, body) {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    outgoing.end(body);
    return;
  }
  // A failing body stream destroys the request with its error, which the 'error' listener reports.
  pipeline(body, outgoing, noop);
}

/**
 * A request body stream that will not be sent is destroyed without an error: nobody may be
 * listening for one (telegraf's multipart stream is not).
 * @param {Request['body']} body
 */
function destroyBody(body) {
  if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) body.destroy();
}

/**
 * The caller's agent, or a function of the URL as node-fetch allows; an agent for the other protocol
 * (after a redirect from https to http) is left out for Node's default one.
 * @param {RequestInit['agent']} agent
 * @param {URL} url
 * @returns {import('node:http').Agent | undefined}
 */
function agentFor(agent, url) {
  const chosen = typeof agent === 'function' ? agent(url) : agent;
  if (chosen === undefined) return undefined;
  const { protocol } = /** @type {{ protocol?: unknown }} */ (chosen);
  return typeof protocol === 'string' && protocol !== url.protocol ? undefined : chosen;
}

/** @param {number} status */
fetch.isRedirect = (status) => REDIRECT_STATUSES.has(status);
fetch.FetchError = FetchError;
fetch.AbortError = AbortError;
fetch.Response = Response;
fetch.Headers = Headers;
fetch.default = fetch;

module.exports = fetch;
Object.defineProperty(module.exports, '__esModule', { value: true });
