import { UsageError } from '../errors';

/** The default Docker socket, read when present (Docker screens say so when it is not). */
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** `tmbot demo` options. */
export interface DemoCommand {
  kind: 'demo';
  port: number;
  plugins: string[];
  dockerHost: string;
  /** `tmbot demo --help`. */
  help: boolean;
}

export const DEMO_USAGE = `Usage: tmbot demo [--port N] [--plugins a,b] [--docker-host URL]

Runs the whole bot on this machine with no Telegram and no token: an embedded Bot API server,
the real daemon, and a chat page on 127.0.0.1. Prints one URL to open; Ctrl-C stops and removes
everything it wrote.

  --port N            page port on 127.0.0.1 (default: a free one)
  --plugins a,b       plugins to enable (monitor, outline)
  --docker-host URL   Docker Engine to read (default ${DEFAULT_DOCKER_HOST} when present)
  --log-level LEVEL   daemon log level on stderr (default warn)`;

const REFUSED: Readonly<Record<string, string>> = {
  '--webhook':
    'demo mode receives updates from its embedded Bot API server by polling; --webhook is for a real bot',
  '--config':
    'demo mode writes its own throwaway config; --config is for a real bot (run tmbot --config FILE)',
  '--token':
    'demo mode never uses a real bot token; put the token in your config and run tmbot without "demo"',
  '--socket-host': 'demo mode binds 127.0.0.1 only',
  '--mode': 'demo mode has no dev/prod token to pick',
};

const PLUGIN_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const DOCKER_HOST = /^(unix:\/\/\/[\w./-]{1,200}|tcp:\/\/[\w.-]{1,200}:\d{1,5})$/;

/** Parses the words after `demo`; throws UsageError with a clear message. */
export function parseDemoArgs(args: readonly string[]): {
  command: DemoCommand;
  logLevel?: string;
} {
  const command: DemoCommand = {
    kind: 'demo',
    port: 0,
    plugins: [],
    dockerHost: DEFAULT_DOCKER_HOST,
    help: false,
  };
  let logLevel: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const raw = args[i] ?? '';
    const eq = raw.indexOf('=');
    const flag = (eq > 0 ? raw.slice(0, eq) : raw).replace(/_/g, '-');
    const value = (): string => {
      const v = eq > 0 ? raw.slice(eq + 1) : args[++i];
      if (v === undefined || v === '') throw new UsageError(`demo: ${flag} needs a value`);
      return v;
    };
    const refused = REFUSED[flag];
    if (refused !== undefined) throw new UsageError(`demo: ${refused}`);
    if (/^\d{6,}:[\w-]{30,}$/.test(raw))
      throw new UsageError('demo: that looks like a bot token; demo mode never uses a real one');
    if (flag === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError('demo: --port must be 0-65535');
      command.port = port;
    } else if (flag === '--plugins') {
      for (const name of value()
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean)) {
        if (!PLUGIN_NAME.test(name)) throw new UsageError(`demo: '${name}' is not a plugin name`);
        if (!command.plugins.includes(name)) command.plugins.push(name);
      }
    } else if (flag === '--docker-host') {
      const host = value();
      if (!DOCKER_HOST.test(host))
        throw new UsageError(
          'demo: --docker-host takes unix:///path/to/docker.sock or tcp://host:port',
        );
      command.dockerHost = host;
    } else if (flag === '--log-level') {
      logLevel = value();
    } else if (flag === '--help' || flag === '-h') {
      command.help = true;
    } else {
      throw new UsageError(`demo: unknown option '${raw}'. Run tmbot demo --help for the list.`);
    }
  }
  return { command, ...(logLevel !== undefined && { logLevel }) };
}
