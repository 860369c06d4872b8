import winston from 'winston';
import { Writable } from 'node:stream';
import { Redactor } from './redactor';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type LogFormat = 'human' | 'json';
export type LogMeta = Record<string, unknown>;

/** The logging facade every module receives; `child` adds a namespace. */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  trace(message: string, meta?: LogMeta): void;
  child(namespace: string): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  redactor: Redactor;
  /** Where lines go; stdout unless a test captures them. */
  stream?: Writable;
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };
const MESSAGE = Symbol.for('message');

/** Errors become plain objects; stack traces only when debugging. */
function serialiseErrors(meta: LogMeta, withStack: boolean): LogMeta {
  const out: LogMeta = {};
  for (const [key, value] of Object.entries(meta)) {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      out[key] = {
        name: value.name,
        message: value.message,
        ...(code !== undefined ? { code } : {}),
        ...(withStack && value.stack ? { stack: value.stack } : {}),
      };
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const { redactor } = options;
  const withStack = LEVELS[options.level] >= LEVELS.debug;
  // Redaction runs after the line is fully rendered, so nothing can slip past it.
  const redactLast = winston.format((info) => {
    const rendered = (info as unknown as Record<symbol, unknown>)[MESSAGE];
    if (typeof rendered === 'string') {
      (info as unknown as Record<symbol, unknown>)[MESSAGE] = redactor.redact(rendered);
    }
    return info;
  });
  const render =
    options.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.printf((info) => {
            const { timestamp, level, message, ns, ...rest } = info as Record<string, unknown>;
            const extra = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest) : '';
            const nsText = typeof ns === 'string' ? `[${ns}] ` : '';
            return `${String(timestamp)} ${String(level).padEnd(5)} ${nsText}${String(message)}${extra}`;
          }),
        );
  const transport =
    options.stream !== undefined
      ? new winston.transports.Stream({ stream: options.stream })
      : new winston.transports.Console();
  const root = winston.createLogger({
    levels: LEVELS,
    level: options.level,
    format: winston.format.combine(render, redactLast()),
    transports: [transport],
  });

  const make = (ns: string | undefined): Logger => {
    const log = (level: LogLevel, message: string, meta?: LogMeta): void => {
      if (LEVELS[level] > LEVELS[options.level]) return;
      root.log(level, message, {
        ...(ns !== undefined ? { ns } : {}),
        ...(meta ? serialiseErrors(meta, withStack) : {}),
      });
    };
    return {
      error: (m, meta) => log('error', m, meta),
      warn: (m, meta) => log('warn', m, meta),
      info: (m, meta) => log('info', m, meta),
      debug: (m, meta) => log('debug', m, meta),
      trace: (m, meta) => log('trace', m, meta),
      child: (child) => make(ns === undefined ? child : `${ns}:${child}`),
      isLevelEnabled: (level) => LEVELS[level] <= LEVELS[options.level],
    };
  };
  return make(undefined);
}
