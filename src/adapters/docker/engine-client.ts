import { stat } from 'node:fs/promises';
import type { Clock } from '../../clock';
import { DockerUnavailableError } from '../../errors';
import type { Logger } from '../../log/logger';
import { modemOptions, type DockerHostSpec } from './hosts';

/** The part of docker-modem this client drives. */
interface Modem {
  dial(
    options: {
      path: string;
      method: string;
      options: Record<string, unknown>;
      statusCodes: Record<number, true | string>;
      isStream?: boolean;
      abortSignal?: AbortSignal;
      /** Sent as the X-Registry-Auth header (`key` as is); never part of the URL. */
      authconfig?: { key: string };
    },
    callback: (err: Error | null, data: unknown) => void,
  ): void;
}

/** An answer of the engine with a status it does not list as success. */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    /** The engine's own message ("No such container: …"). */
    readonly engineMessage: string,
  ) {
    super(`Docker engine answered ${statusCode}: ${engineMessage}`);
    this.name = 'EngineHttpError';
  }
}

export interface RequestOptions {
  /** Query parameters (booleans and numbers are sent as written). */
  query?: Record<string, string | number | boolean>;
  /** Whole-request deadline; a slower engine counts as not reachable. */
  timeoutMs: number;
  /** Statuses that count as success besides 200/201/204. */
  okStatuses?: readonly number[];
  /** JSON request body (POST); without it the query doubles as the body, as docker-modem does. */
  body?: unknown;
  /** The X-Registry-Auth header's value (see `registryAuthHeader`); never logged. */
  registryAuth?: string;
}

export interface StreamOptions extends RequestOptions {
  /** Default GET; an image pull is a POST whose body streams progress. */
  method?: 'GET' | 'POST';
  /** Keep at most this many bytes of the body: the newest ones. */
  maxBytes: number;
  /** Turns body chunks into the pieces to keep (e.g. log frames); default: the chunk itself. */
  decoder?: ChunkDecoder;
}

/** Splits a byte stream into pieces at boundaries that survive dropping the oldest pieces. */
export interface ChunkDecoder {
  push(chunk: Buffer): Buffer[];
}

/** What a connection failure is called in chat: short and actionable. */
export function describeConnectionError(err: unknown, timeoutMs: number): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  switch (code) {
    case 'ENOENT':
      return 'the socket does not exist (is the engine running, and is the socket mounted?)';
    case 'EACCES':
    case 'EPERM':
      return "permission denied on the socket (add tmbot's user to the socket's group)";
    case 'ECONNREFUSED':
      return 'connection refused (is the engine running?)';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was closed by the engine';
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
      return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host is unreachable';
    default:
      break;
  }
  const text = typeof e.message === 'string' ? e.message : '';
  if (/Host denied/i.test(text)) {
    return 'the SSH host key is not in known_hosts (add it with ssh-keyscan, or set TMBOT_SSH_KNOWN_HOSTS)';
  }
  if (/authentication methods failed/i.test(text)) {
    return 'SSH authentication failed (is the key loaded in the agent at SSH_AUTH_SOCK?)';
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError')
    return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT'))
    return `TLS failed (${code})`;
  const message = typeof e.message === 'string' ? e.message : String(err);
  return message.replace(/\s+/g, ' ').slice(0, 160) || 'unknown error';
}

const TRANSIENT = new Set(['ECONNRESET', 'EPIPE']);

/**
 * HTTP to one engine through dockerode's modem (so unix, tcp+TLS and ssh all work),
 * with a deadline on every request. Connection failures become
 * `DockerUnavailableError`; HTTP error statuses become `EngineHttpError`.
 * There is no long-lived connection, so an engine that comes back is used again
 * by the next request: reconnecting needs no code.
 */
export class EngineClient {
  /** Built at the first request: dockerode (with ssh2, grpc) is loaded only when Docker is used. */
  private modem: Promise<Modem | undefined> | undefined;
  /** Why the client could not even be built (unreadable TLS file…), reported on every call. */
  private setupError: string | undefined;

  constructor(
    readonly spec: DockerHostSpec,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly env: Readonly<Record<string, string | undefined>>,
    /** docker.debug_docker_client: every call at debug level instead of trace. */
    private readonly logCalls = false,
  ) {}

  private async buildModem(): Promise<Modem | undefined> {
    const { default: Dockerode } = await import('dockerode');
    try {
      const docker = new Dockerode(modemOptions(this.spec.connection, this.env));
      return (docker as unknown as { modem: Modem }).modem;
    } catch (err) {
      const message = (err as { message?: unknown }).message;
      this.setupError = `cannot set up the connection (${typeof message === 'string' ? message : 'unknown error'})`;
      this.log.warn(`docker host ${this.spec.label}: ${this.setupError}`);
      return undefined;
    }
  }

  get label(): string {
    return this.spec.label;
  }

  /** A request whose JSON (or text) body is returned as is. */
  async request(method: string, path: string, options: RequestOptions): Promise<unknown> {
    try {
      return await this.dial(method, path, options, false);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // A pooled socket from before an engine restart fails once; a GET is safe to repeat.
      if (method === 'GET' && typeof code === 'string' && TRANSIENT.has(code)) {
        return this.dial(method, path, options, false).catch((again: unknown) => {
          throw this.translate(again, options.timeoutMs);
        });
      }
      throw this.translate(err, options.timeoutMs);
    }
  }

  /** A request whose body is read as bytes, keeping the newest `maxBytes`. */
  async stream(
    path: string,
    options: StreamOptions,
  ): Promise<{ pieces: Buffer[]; clipped: boolean }> {
    const controller = new AbortController();
    const timer = this.clock.setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      const res = (await this.dial(
        options.method ?? 'GET',
        path,
        options,
        true,
        controller.signal,
      )) as NodeJS.ReadableStream;
      const pieces: Buffer[] = [];
      let bytes = 0;
      let clipped = false;
      await new Promise<void>((resolve, reject) => {
        res.on('data', (chunk: Buffer) => {
          for (const piece of options.decoder ? options.decoder.push(chunk) : [chunk]) {
            pieces.push(piece);
            bytes += piece.length;
            while (bytes > options.maxBytes && pieces.length > 1) {
              bytes -= pieces.shift()?.length ?? 0;
              clipped = true;
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', reject);
      });
      return { pieces, clipped };
    } catch (err) {
      throw this.translate(err, options.timeoutMs);
    } finally {
      timer.cancel();
    }
  }

  /**
   * Opens a long-lived response body (the events stream). `timeoutMs` bounds only the
   * wait for the response headers; the body lives until `signal` aborts or the engine ends it.
   */
  async openStream(
    path: string,
    query: Record<string, string>,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<NodeJS.ReadableStream> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.clock.setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = (await this.dial(
        'GET',
        path,
        { query, timeoutMs },
        true,
        controller.signal,
      )) as NodeJS.ReadableStream;
      res.once('close', () => signal.removeEventListener('abort', onAbort));
      return res;
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      throw this.translate(err, timeoutMs);
    } finally {
      timer.cancel();
    }
  }

  private async dial(
    method: string,
    path: string,
    options: RequestOptions,
    isStream: boolean,
    outerSignal?: AbortSignal,
  ): Promise<unknown> {
    const c = this.spec.connection;
    // No socket, no engine: answer as the modem would (ENOENT) without loading dockerode for it.
    if (c.kind === 'unix' && this.modem === undefined) await stat(c.socketPath);
    const modem = await (this.modem ??= this.buildModem());
    if (modem === undefined)
      throw new DockerUnavailableError(this.label, this.setupError ?? 'not configured');
    const statusCodes: Record<number, true | string> = { 200: true, 201: true, 204: true };
    for (const s of options.okStatuses ?? []) statusCodes[s] = true;
    // Without a caller's signal the request is bounded by its own deadline on the clock.
    const deadline = new AbortController();
    const timer =
      outerSignal === undefined
        ? this.clock.setTimeout(() => deadline.abort(), options.timeoutMs)
        : undefined;
    const signal = outerSignal ?? deadline.signal;
    const started = this.clock.now();
    return new Promise<unknown>((resolve, reject) => {
      modem.dial(
        {
          path: `${path}?`,
          method,
          options:
            options.body === undefined
              ? { ...options.query }
              : { _query: { ...options.query }, _body: options.body },
          statusCodes,
          isStream,
          abortSignal: signal,
          ...(options.registryAuth !== undefined
            ? { authconfig: { key: options.registryAuth } }
            : {}),
        },
        (err, data) => {
          timer?.cancel();
          this.log[this.logCalls ? 'debug' : 'trace'](`${method} ${path}`, {
            ms: this.clock.now() - started,
            ok: err === null || err === undefined,
          });
          if (err !== null && err !== undefined) reject(err);
          else resolve(data);
        },
      );
    });
  }

  private translate(err: unknown, timeoutMs: number): Error {
    if (err instanceof DockerUnavailableError || err instanceof EngineHttpError) return err;
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number') {
      const json = (err as { json?: unknown }).json;
      const message =
        typeof json === 'object' &&
        json !== null &&
        typeof (json as { message?: unknown }).message === 'string'
          ? (json as { message: string }).message
          : typeof json === 'string'
            ? json
            : Buffer.isBuffer(json)
              ? json.toString('utf8')
              : streamCause(err);
      return new EngineHttpError(status, message.trim().slice(0, 300));
    }
    return new DockerUnavailableError(this.label, describeConnectionError(err, timeoutMs), {
      cause: err,
    });
  }
}

/** A streamed request's error carries the engine's reason only in its message ("(HTTP code 404) … - reason"). */
function streamCause(err: unknown): string {
  const message = (err as { message?: unknown }).message;
  if (typeof message !== 'string') return '';
  const dash = message.indexOf(' - ');
  return message.startsWith('(HTTP code ') && dash > 0 ? message.slice(dash + 3, dash + 303) : '';
}
