/// <reference types="node" />
import type { Agent } from 'node:http';
import type { Readable } from 'node:stream';

export interface RequestInit {
  method?: string;
  /** Header names are case-insensitive; later duplicates (any case) win. */
  headers?: Record<string, string>;
  body?: string | Buffer | Readable | null;
  agent?: Agent | ((url: URL) => Agent | undefined);
  signal?: AbortSignal | null;
  /** ms until response headers, and again for reading the body; 0 = none. */
  timeout?: number;
  /** Body bytes json()/text()/buffer() read at most (never more than 64 MiB); 0 = 64 MiB. */
  size?: number;
  /** Redirects followed at most (default 20). */
  follow?: number;
  /** Decode a gzip/deflate body a server sends unasked (default true; none is asked for). */
  compress?: boolean;
}

export declare class FetchError extends Error {
  constructor(message: string, type: string, systemError?: Error);
  readonly name: 'FetchError';
  type: string;
  code: string | undefined;
  errno: string | undefined;
}

export declare class AbortError extends Error {
  constructor(message: string);
  readonly name: 'AbortError';
  type: 'aborted';
}

export declare class Headers {
  constructor(raw: import('node:http').IncomingHttpHeaders);
  get(name: string): string | null;
  has(name: string): boolean;
}

export declare class Response {
  readonly body: Readable;
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly redirected: boolean;
  bodyUsed: boolean;
  get ok(): boolean;
  json(): Promise<unknown>;
  text(): Promise<string>;
  buffer(): Promise<Buffer>;
}

declare function fetch(input: string | URL, init?: RequestInit): Promise<Response>;
declare namespace fetch {
  export function isRedirect(status: number): boolean;
  export { fetch as default, FetchError, AbortError, Response, Headers };
}
export default fetch;
