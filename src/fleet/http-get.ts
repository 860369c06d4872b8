import { createHash, X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { EndpointAuth, RequestLimits } from '../config/types';
import { TmbotError } from '../errors';

/**
 * A remote endpoint failed. `reason` is user-safe (no URL, no credentials): the screens show it.
 */
export class RemoteHostError extends TmbotError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('E_REMOTE_HOST', reason, options);
  }
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

const normaliseFingerprint = (f: string): string => f.replace(/:/g, '').toLowerCase();

function authHeader(auth: EndpointAuth): string | undefined {
  if (auth.bearerToken !== undefined) return `Bearer ${auth.bearerToken}`;
  if (auth.basicAuth !== undefined) {
    const { username, password } = auth.basicAuth;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  return undefined;
}

function checkPin(socket: TLSSocket, pin: string): boolean {
  const raw = socket.getPeerCertificate(false).raw as Buffer | undefined;
  if (raw === undefined) return false;
  const actual = createHash('sha256').update(new X509Certificate(raw).raw).digest('hex');
  return actual === normaliseFingerprint(pin);
}

/**
 * One bounded HTTP(S) request: the whole exchange ends within `timeoutMs` and the body is cut off
 * (and the request failed) past `maxBytes`. Errors never carry the URL or a credential.
 */
export function boundedRequest(
  url: URL,
  auth: EndpointAuth,
  limits: RequestLimits,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: string; contentType?: string } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9' };
    const authorization = authHeader(auth);
    if (authorization !== undefined) headers.authorization = authorization;
    if (init.body !== undefined) {
      headers['content-type'] = init.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(init.body));
    }
    const isHttps = url.protocol === 'https:';
    const pin = auth.fingerprintSha256;
    const options: https.RequestOptions = {
      method: init.method ?? 'GET',
      headers,
      ...(isHttps && auth.ca !== undefined ? { ca: auth.ca } : {}),
      // A pinned certificate replaces CA validation; the pin is checked on connect below.
      ...(isHttps && pin !== undefined ? { rejectUnauthorized: false } : {}),
      agent: false,
    };
    // An I/O deadline, like the Telegram connect's: AbortSignal.timeout, not a scheduled Clock timer.
    const deadline = AbortSignal.timeout(limits.timeoutMs);
    let settled = false;
    const fail = (reason: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      req.destroy();
      reject(new RemoteHostError(reason, cause !== undefined ? { cause } : undefined));
    };
    const req = (isHttps ? https : http).request(url, options, (res) => {
      if (isHttps && pin !== undefined && !checkPin(res.socket as TLSSocket, pin)) {
        fail('the certificate does not match the pinned fingerprint');
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          fail(`the answer is larger than ${limits.maxBytes} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => fail('the connection broke', err));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        deadline.removeEventListener('abort', onDeadline);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const onDeadline = (): void => fail(`no answer within ${limits.timeoutMs} ms`);
    deadline.addEventListener('abort', onDeadline, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) =>
      fail(err.code !== undefined ? `cannot connect (${err.code})` : 'cannot connect', err),
    );
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
