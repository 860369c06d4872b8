import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKnownHostKey, knownHostsName } from './known-hosts';

/** TLS files for tcp:// hosts (paths, read when the host is set up). */
export interface DockerTlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** How to reach one engine, in dockerode's terms. */
export type DockerConnection =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly protocol: 'http' | 'https';
      readonly tls?: DockerTlsFiles;
    }
  | {
      readonly kind: 'ssh';
      readonly host: string;
      readonly port: number;
      readonly username?: string;
    };

/** One configured host: what the user sees (`label`) and how to connect. */
export interface DockerHostSpec {
  /** The configured string without any password, as shown in chat and logs. */
  readonly label: string;
  readonly connection: DockerConnection;
}

/**
 * Parses a `docker.host` entry. tcp:// becomes https when TLS files are configured
 * (or the port is 2376, Docker's TLS port); http:// and https:// are taken as written.
 * Throws with a message that says how to write the entry.
 */
export function parseDockerHost(spec: string, tls: DockerTlsFiles | undefined): DockerHostSpec {
  const trimmed = spec.trim();
  if (trimmed.startsWith('unix://')) {
    const socketPath = trimmed.slice('unix://'.length);
    if (!socketPath.startsWith('/'))
      throw new Error(
        `'${spec}': a unix socket needs an absolute path (unix:///var/run/docker.sock)`,
      );
    return { label: trimmed, connection: { kind: 'unix', socketPath } };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(
      `'${spec}' is not a Docker host; use unix:///path, tcp://host:port or ssh://user@host`,
    );
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!['tcp', 'http', 'https', 'ssh'].includes(scheme)) {
    throw new Error(`'${spec}': unsupported scheme ${scheme}:// (use unix://, tcp:// or ssh://)`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new Error(`'${spec}': the host name is missing`);
  const label = `${scheme}://${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}`;
  switch (scheme) {
    case 'tcp':
    case 'http':
    case 'https': {
      const secure =
        scheme === 'https' || (scheme === 'tcp' && (tls !== undefined || url.port === '2376'));
      const port = url.port ? Number(url.port) : secure ? 2376 : 2375;
      return {
        label,
        connection: {
          kind: 'tcp',
          host,
          port,
          protocol: secure ? 'https' : 'http',
          ...(secure && tls !== undefined ? { tls } : {}),
        },
      };
    }
    default: // ssh
      return {
        label,
        connection: {
          kind: 'ssh',
          host,
          port: url.port ? Number(url.port) : 22,
          ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        },
      };
  }
}

/** How long the SSH handshake to an ssh:// engine may take. */
const SSH_READY_TIMEOUT_MS = 10_000;

/**
 * dockerode constructor options for a connection; reads TLS files, so it may throw.
 * No `connectionTimeout`: docker-modem clears it only when the response arrives, so it would
 * cut every slower call (a 10 s stop) at the connect deadline. Each request carries its own
 * deadline instead (EngineClient), which bounds connecting as well.
 */
export function modemOptions(
  connection: DockerConnection,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  // Explicit undefineds: dockerode otherwise fills gaps from DOCKER_HOST and DOCKER_CERT_PATH.
  const base = {
    host: undefined,
    port: undefined,
    socketPath: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
  };
  switch (connection.kind) {
    case 'unix':
      return {
        ...base,
        socketPath: connection.socketPath,
        protocol: 'http',
      };
    case 'tcp': {
      const tls = connection.tls;
      return {
        ...base,
        host: connection.host,
        port: connection.port,
        protocol: connection.protocol,
        ...(tls?.ca !== undefined ? { ca: readFileSync(tls.ca) } : {}),
        ...(tls?.cert !== undefined ? { cert: readFileSync(tls.cert) } : {}),
        ...(tls?.key !== undefined ? { key: readFileSync(tls.key) } : {}),
      };
    }
    case 'ssh':
      return {
        ...base,
        host: connection.host,
        port: connection.port,
        protocol: 'ssh',
        ...(connection.username !== undefined ? { username: connection.username } : {}),
        sshOptions: {
          agent: env.SSH_AUTH_SOCK,
          readyTimeout: SSH_READY_TIMEOUT_MS,
          // As OpenSSH with StrictHostKeyChecking: only a host key listed in known_hosts is trusted.
          hostVerifier: (key: Buffer) =>
            isKnownHostKey(
              knownHostsFiles(env),
              knownHostsName(connection.host, connection.port),
              key,
            ),
        },
      };
  }
}

/** Where SSH host keys are looked up: TMBOT_SSH_KNOWN_HOSTS, else ~/.ssh/known_hosts and the system file. */
export function knownHostsFiles(env: Readonly<Record<string, string | undefined>>): string[] {
  if (env.TMBOT_SSH_KNOWN_HOSTS) return [env.TMBOT_SSH_KNOWN_HOSTS];
  return [...(env.HOME ? [join(env.HOME, '.ssh', 'known_hosts')] : []), '/etc/ssh/ssh_known_hosts'];
}
