/** One webhook POST, as Telegram makes it: JSON update, secret header, bounded answer and time. */
import http from 'node:http';
import type { RawUpdate } from './types';

/** How one delivery ended; `body` is the 2xx answer (telegraf's webhookReply). */
export interface DeliveryOutcome {
  ok: boolean;
  status?: number;
  error?: string;
  body?: string;
}

/** POSTs `update` to `target`; never rejects (failures are outcomes). */
export function postUpdate(
  target: URL,
  update: RawUpdate,
  secret: string | undefined,
  opts: { timeoutMs: number; localAddress: string | undefined },
  outgoing: Set<http.ClientRequest>,
): Promise<DeliveryOutcome> {
  const json = JSON.stringify(update);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: DeliveryOutcome): void => {
      if (done) return;
      done = true;
      outgoing.delete(req);
      resolve(r);
    };
    const req = http.request(
      {
        method: 'POST',
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 80,
        path: target.pathname + target.search,
        agent: false,
        timeout: opts.timeoutMs,
        ...(opts.localAddress !== undefined && { localAddress: opts.localAddress }),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
          ...(secret !== undefined && { 'x-telegram-bot-api-secret-token': secret }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 1024 * 1024) chunks.push(c);
        });
        res.on('error', (err) => finish({ ok: false, error: err.message }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          finish(
            ok
              ? { ok, status, body: Buffer.concat(chunks).toString('utf8') }
              : {
                  ok,
                  status,
                  error:
                    `Wrong response from the webhook: ${status} ${http.STATUS_CODES[status] ?? ''}`.trim(),
                },
          );
        });
      },
    );
    outgoing.add(req);
    req.on('timeout', () => {
      finish({ ok: false, error: 'Read timeout expired' });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      finish({
        ok: false,
        error: err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message,
      });
    });
    req.end(json);
  });
}
