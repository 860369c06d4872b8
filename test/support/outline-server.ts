/**
 * A local stand-in for an Outline server: HTTPS on 127.0.0.1 with a fresh self-signed
 * certificate made by `openssl` in a temp dir, serving the management API under a secret path.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How the stand-in answers one endpoint: a JSON body, raw text, or a special behaviour. */
export type OutlineAnswer =
  | { json: unknown; status?: number }
  | { raw: string; status?: number }
  | { hang: true }
  | { huge: number };

export const SECRET_PATH = 'S3cr3tPathQwErTy';

export class OutlineStandIn {
  /** Request paths seen (to prove a refused connection never sent the secret path). */
  readonly seen: string[] = [];
  /** Answers by endpoint (`server`, `access-keys`, `metrics/transfer`); tests change them. */
  readonly answers = new Map<string, OutlineAnswer>();

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    /** SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it (upper case, colons). */
    readonly fingerprint: string,
  ) {}

  get apiUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `https://127.0.0.1:${port}/${SECRET_PATH}`;
  }

  static async start(): Promise<OutlineStandIn> {
    const dir = mkdtempSync(join(tmpdir(), 'tmbot-outline-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=outline.test',
      ],
      { stdio: 'ignore' },
    );
    const certPem = readFileSync(cert);
    const fingerprint = new X509Certificate(certPem).fingerprint256;
    const server = createServer({ key: readFileSync(key), cert: certPem });
    const self = new OutlineStandIn(server, dir, fingerprint);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '';
      self.seen.push(url);
      const prefix = `/${SECRET_PATH}/`;
      const answer = url.startsWith(prefix)
        ? self.answers.get(url.slice(prefix.length))
        : undefined;
      respond(res, answer ?? { json: { code: 'NotFound' }, status: 404 });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self.reset();
    return self;
  }

  /** Back to a healthy server with two keys (one with an HTML-like name) and some traffic. */
  reset(): void {
    this.seen.length = 0;
    this.answers.set('server', {
      json: {
        name: 'Outline <b>Test</b>',
        serverId: 'srv-1',
        metricsEnabled: true,
        createdTimestampMs: 1_700_000_000_000,
        version: '1.12.0',
        portForNewAccessKeys: 443,
        hostnameForAccessKeys: '127.0.0.1',
      },
    });
    this.answers.set('access-keys', {
      json: {
        accessKeys: [
          {
            id: '0',
            name: 'Alice',
            password: 'pw0',
            port: 443,
            method: 'chacha20-ietf-poly1305',
            accessUrl: 'ss://SECRETKEY0@127.0.0.1:443/?outline=1',
          },
          {
            id: '1',
            name: '<i>Bob</i> & co',
            password: 'pw1',
            port: 443,
            method: 'chacha20-ietf-poly1305',
            accessUrl: 'ss://SECRETKEY1@127.0.0.1:443/?outline=1',
          },
        ],
      },
    });
    this.answers.set('metrics/transfer', {
      json: { bytesTransferredByUserId: { '0': 1_572_864, '1': 512, '7': 2048 } },
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function respond(res: ServerResponse, answer: OutlineAnswer): void {
  if ('hang' in answer) return;
  if ('huge' in answer) {
    res.writeHead(200, { 'content-type': 'application/json' });
    // Streamed without a Content-Length, so the client must count.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let left = answer.huge;
    const pump = (): void => {
      while (left > 0) {
        left -= chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
    return;
  }
  const body = 'json' in answer ? JSON.stringify(answer.json) : answer.raw;
  res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
  res.end(body);
}
