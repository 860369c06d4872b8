import * as http from 'node:http';
import type { Daemon } from './daemon';

export { freePort } from './free-port';

/**
 * True when the daemon could not listen for webhooks because its port was taken between the
 * pick and its listen (it then falls back to long polling): start it again on another port.
 */
export const webhookPortTaken = (d: Daemon): boolean =>
  /cannot listen on \S+ \(EADDRINUSE\)/.test(d.output);

/** One raw HTTP request to a webhook server, from a chosen loopback source address. */
export interface WebhookRequest {
  port: number;
  path: string;
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked, without a Content-Length. */
  chunked?: boolean;
  /** Source address to bind (127.0.0.x plays different clients). */
  localAddress?: string;
  timeoutMs?: number;
}

/** The status, or how the connection ended when there was none (`ECONNRESET`, `timeout`…). */
export interface WebhookResponse {
  status: number | undefined;
  error: string | undefined;
  body: string;
}

/** Sends one request on a fresh connection; never rejects. */
export function send(req: WebhookRequest): Promise<WebhookResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: WebhookResponse): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const body = req.body ?? '';
    const r = http.request(
      {
        host: req.host ?? '127.0.0.1',
        port: req.port,
        path: req.path,
        method: req.method ?? 'POST',
        agent: false,
        ...(req.localAddress !== undefined ? { localAddress: req.localAddress } : {}),
        headers: {
          ...(req.chunked === true ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...req.headers,
        },
        timeout: req.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode,
            error: undefined,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', () => done({ status: res.statusCode, error: undefined, body: '' }));
      },
    );
    r.on('timeout', () => {
      done({ status: undefined, error: 'timeout', body: '' });
      r.destroy();
    });
    r.on('error', (err: NodeJS.ErrnoException) =>
      done({ status: undefined, error: err.code ?? err.message, body: '' }),
    );
    r.end(body);
  });
}

/** A JSON update as Telegram would post it: a /start from `userId`. */
export function startUpdate(updateId: number, userId: number, messageId = updateId): string {
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: 'private', first_name: 'Ann' },
      from: { id: userId, is_bot: false, first_name: 'Ann' },
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  });
}
