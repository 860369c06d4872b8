import { UsageError } from '../errors';
import type { LogFormat, LogLevel } from '../log/logger';
import { parseDemoArgs, type DemoCommand } from './demo-args';
import { parseMaintenanceArgs, type MaintenanceOp } from './maintenance';

export type Command =
  | { kind: 'run' }
  | { kind: 'check-config' }
  | { kind: 'salt' }
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'health-check' }
  | { kind: 'init' }
  | { kind: 'totp-reset'; userId: number }
  | DemoCommand
  | { kind: 'maintenance'; request: MaintenanceOp };

export interface CliOptions {
  command: Command;
  config: string | undefined;
  mode: 'prod' | 'dev';
  logLevel: LogLevel | undefined;
  logFormat: LogFormat | undefined;
  /** Colour the level in human-format log lines (pyTMBot's --colorize_logs). */
  colorizeLogs: boolean;
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
       tmbot maintenance on 30m|off|status
                                   switch the running bot's maintenance mode (alerts recorded, not sent)

Options:
  --config FILE           config file (default: $PYTMBOT_CONFIG_PATH, else ./pytmbot.yaml)
  --mode dev|prod         dev uses bot_token.dev_bot_token (default prod)
  --log-level LEVEL       trace, debug, info, warn, error (default info)
  --log-format FORMAT     human or json (default: human on a terminal or in dev, json otherwise)
  --colorize-logs         colour the level of human-format log lines
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

/** One flag of argv and the words after it; `take*` consume those words. */
class FlagCursor {
  readonly raw: string;
  readonly flag: string;
  private readonly inline: string | undefined;

  constructor(
    private readonly args: readonly string[],
    public index: number,
  ) {
    this.raw = args[index] ?? '';
    const eq = this.raw.indexOf('=');
    const withValue = this.raw.startsWith('--') && eq > 0;
    this.flag = (withValue ? this.raw.slice(0, eq) : this.raw).replace(/_/g, '-');
    this.inline = withValue ? this.raw.slice(eq + 1) : undefined;
  }

  /** `--flag=value` or `--flag value`. */
  takeValue(what: string): string {
    if (this.inline !== undefined) return this.inline;
    const next = this.args[this.index + 1];
    if (next === undefined || next.startsWith('--'))
      throw new UsageError(`${this.flag} needs ${what}`);
    this.index++;
    return next;
  }

  /** `--flag`, `--flag=false` or `--flag true` (pyTMBot). */
  takeOptionalBool(): boolean {
    if (this.inline !== undefined) {
      if (!BOOLEAN.test(this.inline))
        throw new UsageError(`${this.flag} takes true or false, not '${this.inline}'`);
      return TRUE.test(this.inline);
    }
    const next = this.args[this.index + 1];
    if (next !== undefined && BOOLEAN.test(next)) {
      this.index++;
      return TRUE.test(next);
    }
    return true;
  }

  /** Every word up to the next flag (pyTMBot), or the inline value. */
  takeWords(): string[] {
    if (this.inline !== undefined) return [this.inline];
    const words: string[] = [];
    for (let next = this.args[this.index + 1]; next !== undefined && !next.startsWith('--');) {
      words.push(next);
      this.index++;
      next = this.args[this.index + 1];
    }
    return words;
  }
}

/** Parses argv (without node and script). Throws UsageError with a hint. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    command: { kind: 'run' },
    config: undefined,
    mode: 'prod',
    logLevel: undefined,
    logFormat: undefined,
    colorizeLogs: false,
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
  } else if (args[0] === 'maintenance') {
    const flag = args.findIndex((a, i) => i > 0 && a.startsWith('--'));
    const words = args.slice(1, flag === -1 ? args.length : flag);
    opts.command = { kind: 'maintenance', request: parseMaintenanceArgs(words) };
    args.splice(0, 1 + words.length);
  }
  for (let i = 0; i < args.length; i++) {
    const cursor = new FlagCursor(args, i);
    applyFlag(opts, cursor);
    i = cursor.index;
  }
  return opts;
}

function applyFlag(opts: CliOptions, c: FlagCursor): void {
  switch (c.flag) {
    case '--config':
      opts.config = c.takeValue('a file path');
      break;
    case '--mode':
      opts.mode = oneOf(
        c.takeValue('dev or prod').toLowerCase(),
        ['dev', 'prod'] as const,
        '--mode',
      );
      break;
    case '--debug':
      opts.mode = 'dev';
      opts.logLevel = 'debug';
      break;
    case '--log-level': {
      const level = LEVEL_ALIASES[c.takeValue('a level').toLowerCase()];
      if (level === undefined)
        throw new UsageError(`--log-level must be one of trace, debug, info, warn, error`);
      opts.logLevel = level;
      break;
    }
    case '--log-format':
      opts.logFormat = oneOf(
        c.takeValue('human or json').toLowerCase(),
        ['human', 'json'] as const,
        '--log-format',
      );
      break;
    case '--webhook':
      opts.webhook = c.takeOptionalBool();
      break;
    case '--socket-host': {
      const h = c.takeValue('a host or address');
      if (!/^[A-Za-z0-9.:-]{1,253}$/.test(h))
        throw new UsageError(`--socket-host '${h}' is not a host name or address`);
      opts.socketHost = h;
      break;
    }
    case '--plugins':
      addPlugins(opts.plugins, c.takeWords());
      break;
    case '--colorize-logs':
      opts.colorizeLogs = c.takeOptionalBool();
      break;
    default:
      opts.command = commandFlag(c);
  }
}

/** The flags that choose what tmbot does instead of running. */
function commandFlag(c: FlagCursor): Command {
  switch (c.flag) {
    case '--check-config':
      return { kind: 'check-config' };
    case '--health-check':
      return { kind: 'health-check' };
    case '--salt':
      return { kind: 'salt' };
    case '--version':
    case '-v':
      return { kind: 'version' };
    case '--help':
    case '-h':
      return { kind: 'help' };
    default:
      throw new UsageError(`unknown option '${c.raw}'. Run tmbot --help for the list.`);
  }
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw new UsageError(`${flag} must be ${allowed.join(' or ')}, not '${value}'`);
  }
  return found;
}

/** pyTMBot takes every word up to the next flag; commas work too. */
function addPlugins(plugins: string[], words: readonly string[]): void {
  for (const name of words
    .flatMap((w) => w.split(','))
    .map((w) => w.trim())
    .filter(Boolean)) {
    if (!PLUGIN_NAME.test(name)) throw new UsageError(`--plugins: '${name}' is not a plugin name`);
    if (!plugins.includes(name)) plugins.push(name);
  }
}
