import { UsageError } from '../errors';
import type { LogFormat, LogLevel } from '../log/logger';
import { parseDemoArgs, type DemoCommand } from './demo-args';

export type Command =
  | { kind: 'run' }
  | { kind: 'check-config' }
  | { kind: 'salt' }
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'health-check' }
  | { kind: 'init' }
  | { kind: 'totp-reset'; userId: number }
  | DemoCommand;

export interface CliOptions {
  command: Command;
  config: string | undefined;
  mode: 'prod' | 'dev';
  logLevel: LogLevel | undefined;
  logFormat: LogFormat | undefined;
  webhook: boolean;
  socketHost: string;
  plugins: string[];
  /** Notes about accepted-but-ignored pyTMBot flags. */
  notes: string[];
}

export const USAGE = `Usage: tmbot [options]            run the bot
       tmbot init [--config FILE]  write a starter config (0600) with a fresh auth salt
       tmbot totp reset USER_ID    make a user enrol their 2FA app again
       tmbot demo [--port N]       try the whole bot in a browser: no token, no Telegram

Options:
  --config FILE           config file (default: $PYTMBOT_CONFIG_PATH, else ./pytmbot.yaml)
  --mode dev|prod         dev uses bot_token.dev_bot_token (default prod)
  --log-level LEVEL       trace, debug, info, warn, error (default info)
  --log-format FORMAT     human or json (default: human on a terminal or in dev, json otherwise)
  --webhook               receive updates through the webhook server instead of polling
  --socket-host HOST      address the webhook server binds to (default 127.0.0.1)
  --plugins a,b           plugins to enable
  --check-config          validate the config and exit (0 valid, 2 invalid)
  --health-check          probe a running bot through its heartbeat file (0 ok, 1 unhealthy, 2 unknown)
  --salt                  print a new random auth salt and exit
  --version               print the version and exit
  --help                  show this help

pyTMBot spellings are accepted too: --socket_host, --health_check, --log-level INFO,
--webhook true, --debug, --colorize_logs.

Exit codes: 0 clean stop, 1 fatal runtime error, 2 bad usage or config.`;

const LEVEL_ALIASES: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  critical: 'error',
};

const BOOLEAN = /^(true|false|1|0|yes|no|on|off)$/i;
const TRUE = /^(true|1|yes|on)$/i;
const PLUGIN_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Parses argv (without node and script). Throws UsageError with a hint. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    command: { kind: 'run' },
    config: undefined,
    mode: 'prod',
    logLevel: undefined,
    logFormat: undefined,
    webhook: false,
    socketHost: '127.0.0.1',
    plugins: [],
    notes: [],
  };
  const args = [...argv];
  if (args[0] === 'demo') {
    const demo = parseDemoArgs(args.slice(1));
    opts.command = demo.command;
    if (demo.logLevel !== undefined) {
      const level = LEVEL_ALIASES[demo.logLevel.toLowerCase()];
      if (level === undefined)
        throw new UsageError(`--log-level must be one of trace, debug, info, warn, error`);
      opts.logLevel = level;
    }
    return opts;
  }
  if (args[0] === 'init') {
    opts.command = { kind: 'init' };
    args.shift();
  } else if (args[0] === 'totp') {
    if (args[1] !== 'reset' || args[2] === undefined || !/^[1-9]\d{0,15}$/.test(args[2])) {
      throw new UsageError('usage: tmbot totp reset USER_ID (a numeric Telegram user id)');
    }
    opts.command = { kind: 'totp-reset', userId: Number(args[2]) };
    args.splice(0, 3);
  }
  for (let i = 0; i < args.length; i++) {
    const raw = args[i] ?? '';
    const eq = raw.indexOf('=');
    const flag = (raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw).replace(/_/g, '-');
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (what: string): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new UsageError(`${flag} needs ${what}`);
      i++;
      return next;
    };
    const optionalBool = (): boolean => {
      if (inline !== undefined) {
        if (!BOOLEAN.test(inline))
          throw new UsageError(`${flag} takes true or false, not '${inline}'`);
        return TRUE.test(inline);
      }
      const next = args[i + 1];
      if (next !== undefined && BOOLEAN.test(next)) {
        i++;
        return TRUE.test(next);
      }
      return true;
    };
    switch (flag) {
      case '--config':
        opts.config = value('a file path');
        break;
      case '--mode': {
        const m = value('dev or prod').toLowerCase();
        if (m !== 'dev' && m !== 'prod')
          throw new UsageError(`--mode must be dev or prod, not '${m}'`);
        opts.mode = m;
        break;
      }
      case '--debug':
        opts.mode = 'dev';
        opts.logLevel = 'debug';
        break;
      case '--log-level': {
        const l = value('a level').toLowerCase();
        const level = LEVEL_ALIASES[l];
        if (level === undefined)
          throw new UsageError(`--log-level must be one of trace, debug, info, warn, error`);
        opts.logLevel = level;
        break;
      }
      case '--log-format': {
        const f = value('human or json').toLowerCase();
        if (f !== 'human' && f !== 'json')
          throw new UsageError(`--log-format must be human or json`);
        opts.logFormat = f;
        break;
      }
      case '--webhook':
        opts.webhook = optionalBool();
        break;
      case '--socket-host': {
        const h = value('a host or address');
        if (!/^[A-Za-z0-9.:-]{1,253}$/.test(h))
          throw new UsageError(`--socket-host '${h}' is not a host name or address`);
        opts.socketHost = h;
        break;
      }
      case '--plugins': {
        // pyTMBot takes every word up to the next flag; commas work too.
        const words = inline !== undefined ? [inline] : [];
        while (
          inline === undefined &&
          args[i + 1] !== undefined &&
          !args[i + 1]!.startsWith('--')
        ) {
          words.push(args[++i]!);
        }
        for (const name of words
          .flatMap((w) => w.split(','))
          .map((w) => w.trim())
          .filter(Boolean)) {
          if (!PLUGIN_NAME.test(name))
            throw new UsageError(`--plugins: '${name}' is not a plugin name`);
          if (!opts.plugins.includes(name)) opts.plugins.push(name);
        }
        break;
      }
      case '--colorize-logs':
        optionalBool();
        opts.notes.push('--colorize_logs is accepted for pyTMBot compatibility and has no effect');
        break;
      case '--check-config':
        opts.command = { kind: 'check-config' };
        break;
      case '--health-check':
        opts.command = { kind: 'health-check' };
        break;
      case '--salt':
        opts.command = { kind: 'salt' };
        break;
      case '--version':
      case '-v':
        opts.command = { kind: 'version' };
        break;
      case '--help':
      case '-h':
        opts.command = { kind: 'help' };
        break;
      default:
        throw new UsageError(`unknown option '${raw}'. Run tmbot --help for the list.`);
    }
  }
  return opts;
}
