import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import type { Clock } from '../../clock';
import { TmbotError } from '../../errors';

/** What `GET /server` tells about the Outline server (camelCase or snake_case accepted). */
export interface OutlineServerInfo {
  readonly name: string;
  readonly serverId?: string;
  readonly version?: string;
  readonly metricsEnabled?: boolean;
  readonly createdTimestampMs?: number;
  readonly portForNewAccessKeys?: number;
}

/** One access key as shown to users: id and name only (the access URL is never kept). */
export interface OutlineAccessKey {
  readonly id: string;
  readonly name: string;
}

/** The Outline management API, as the plugin's screens need it. */
export interface OutlinePort {
  server(): Promise<OutlineServerInfo>;
  accessKeys(): Promise<readonly OutlineAccessKey[]>;
  /** Bytes transferred per access key id. */
  transfer(): Promise<ReadonlyMap<string, number>>;
}

/**
 * The Outline server could not be used: unreachable, wrong certificate, bad answer.
 * `reason` is user-safe: it never contains the API URL.
 */
export class OutlineUnavailableError extends TmbotError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('E_OUTLINE_UNAVAILABLE', `Outline server not reachable: ${reason}`, options);
  }
}

export interface OutlineClientOptions {
  /** Management API URL (`https://host:port/<secret>`); a secret. */
  apiUrl: string;
  /** SHA-256 fingerprint of the server certificate, hex, colons optional, any case. */
  certSha256: string;
  /** Whole-request deadline (connect, TLS, response). */
  timeoutMs?: number;
  /** Largest response body accepted. */
  maxBytes?: number;
  /** Times the request deadline. */
  clock: Clock;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/** `AB:cd…` or `abcd…` → 64 upper-case hex digits, or undefined when it is not a SHA-256 fingerprint. */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/:/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : undefined;
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(v: Json): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function optionalNumber(v: Json): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Validates a `GET /server` body. */
export function parseServerInfo(body: Json): OutlineServerInfo {
  if (!isRecord(body)) throw new OutlineUnavailableError('unexpected answer to /server');
  const name = body.name;
  if (typeof name !== 'string') throw new OutlineUnavailableError('unexpected answer to /server');
  const metrics = body.metricsEnabled ?? body.metrics_enabled;
  const serverId = optionalString(body.serverId ?? body.server_id);
  const version = optionalString(body.version);
  const created = optionalNumber(body.createdTimestampMs ?? body.created_timestamp_ms);
  const port = optionalNumber(body.portForNewAccessKeys ?? body.port_for_new_access_keys);
  return {
    name,
    ...(serverId !== undefined ? { serverId } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(typeof metrics === 'boolean' ? { metricsEnabled: metrics } : {}),
    ...(created !== undefined && created >= 0 ? { createdTimestampMs: created } : {}),
    ...(port !== undefined && Number.isInteger(port) && port > 0 && port < 65536
      ? { portForNewAccessKeys: port }
      : {}),
  };
}

/** Validates a `GET /access-keys` body; keeps only id and name. */
export function parseAccessKeys(body: Json): OutlineAccessKey[] {
  const list = isRecord(body) ? (body.accessKeys ?? body.access_keys) : undefined;
  if (!Array.isArray(list)) throw new OutlineUnavailableError('unexpected answer to /access-keys');
  return list.map((k: Json) => {
    if (!isRecord(k)) throw new OutlineUnavailableError('unexpected answer to /access-keys');
    const id = typeof k.id === 'number' && Number.isSafeInteger(k.id) ? String(k.id) : k.id;
    if (typeof id !== 'string' || (k.name !== undefined && typeof k.name !== 'string'))
      throw new OutlineUnavailableError('unexpected answer to /access-keys');
    return { id, name: k.name ?? '' };
  });
}

/** Validates a `GET /metrics/transfer` body. */
export function parseTransfer(body: Json): Map<string, number> {
  const map = isRecord(body) ? body.bytesTransferredByUserId : undefined;
  if (!isRecord(map)) throw new OutlineUnavailableError('unexpected answer to /metrics/transfer');
  const out = new Map<string, number>();
  for (const [id, bytes] of Object.entries(map)) {
    if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0)
      throw new OutlineUnavailableError('unexpected answer to /metrics/transfer');
    out.set(id, bytes);
  }
  return out;
}

/** A network error code → short user-safe words (the message may name the host). */
function networkReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not resolved';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return code !== undefined ? `network error (${code})` : 'network error';
  }
}

/**
 * The Outline management API over `node:https`, pinned to one certificate by its SHA-256
 * fingerprint. The fingerprint is checked on the TLS socket before the request (whose path is
 * the API secret) is written: Node skips `checkServerIdentity` for self-signed certificates when
 * `rejectUnauthorized` is false, so that hook cannot be the pin.
 */
export class OutlineClient implements OutlinePort {
  private readonly base: URL;
  private readonly fingerprint: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly clock: Clock;

  constructor(options: OutlineClientOptions) {
    let url: URL;
    try {
      url = new URL(options.apiUrl);
    } catch {
      throw new OutlineUnavailableError('the API URL is not a valid URL');
    }
    if (url.protocol !== 'https:') throw new OutlineUnavailableError('the API URL is not https');
    const fp = normaliseFingerprint(options.certSha256);
    if (fp === undefined)
      throw new OutlineUnavailableError('the certificate fingerprint is not a SHA-256 hex value');
    this.base = url;
    this.fingerprint = fp;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.clock = options.clock;
  }

  async server(): Promise<OutlineServerInfo> {
    return parseServerInfo(await this.get('server'));
  }

  async accessKeys(): Promise<readonly OutlineAccessKey[]> {
    return parseAccessKeys(await this.get('access-keys'));
  }

  async transfer(): Promise<ReadonlyMap<string, number>> {
    return parseTransfer(await this.get('metrics/transfer'));
  }

  /** GET `<apiUrl>/<endpoint>` → parsed JSON; every failure is an OutlineUnavailableError. */
  private get(endpoint: string): Promise<Json> {
    const path = `${this.base.pathname.replace(/\/+$/, '')}/${endpoint}`;
    const host = this.base.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(this.base.port || 443);
    return new Promise<Json>((resolve, reject) => {
      let settled = false;
      // Destroyed on failure too: a handshake that hangs has not been handed to the request yet.
      let tlsSocket: TLSSocket | undefined;
      const fail = (reason: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        req.destroy();
        tlsSocket?.destroy();
        reject(new OutlineUnavailableError(reason, { cause }));
      };
      const agent = this.pinnedAgent(host, port, (socket) => {
        tlsSocket = socket;
      });
      const req = request({
        host,
        port,
        method: 'GET',
        path,
        headers: { accept: 'application/json' },
        agent,
      });
      const timer = this.clock.setTimeout(
        () => fail(`no answer within ${Math.round(this.timeoutMs / 100) / 10} s`),
        this.timeoutMs,
      );
      req.on('error', (err) =>
        err instanceof OutlineUnavailableError
          ? fail(err.reason, err)
          : fail(networkReason(err), err),
      );
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          fail(`the API answered HTTP ${status}`);
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.maxBytes) {
          fail('the answer is too large');
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) fail('the answer is too large');
          else chunks.push(chunk);
        });
        res.on('error', (err) => fail(networkReason(err), err));
        res.on('end', () => {
          if (settled) return;
          let body: Json;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
          } catch (err) {
            fail('the answer is not JSON', err);
            return;
          }
          settled = true;
          timer.cancel();
          resolve(body);
        });
      });
      req.end();
    });
  }

  /** A one-request agent whose sockets are TLS connections already checked against the pin. */
  private pinnedAgent(host: string, port: number, onSocket: (socket: TLSSocket) => void): Agent {
    const agent = new Agent({ keepAlive: false });
    agent.createConnection = (_opts, done): undefined => {
      const socket = connect({
        host,
        port,
        rejectUnauthorized: false,
        ...(isIP(host) !== 0 ? {} : { servername: host }),
      });
      onSocket(socket);
      socket.once('secureConnect', () => {
        const seen = (socket.getPeerCertificate().fingerprint256 ?? '').replace(/:/g, '');
        if (seen.toUpperCase() !== this.fingerprint) {
          socket.destroy();
          done?.(
            new OutlineUnavailableError(
              'the server certificate does not match the pinned fingerprint',
            ),
            socket,
          );
          return;
        }
        done?.(null, socket);
      });
      socket.once('error', (err: Error) => done?.(err, socket));
      return undefined;
    };
    return agent;
  }
}
