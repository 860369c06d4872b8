import winston from 'winston';
import { Writable } from 'node:stream';
import { MASKED_FIELDS } from './mask';
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
  /** ANSI colour for the level of human-format lines (`--colorize-logs`). */
  colorize?: boolean;
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };
const COLOURS: Record<LogLevel, string> = {
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[36m',
  trace: '\x1b[90m',
};
const RESET = '\x1b[0m';

/** Bounds on log fields (pyTMBot's caps): long strings, big lists and deep objects are cut. */
export const LOG_FIELD_LIMITS = { string: 512, items: 12, depth: 2 } as const;

/** A field value within {@link LOG_FIELD_LIMITS}; what is cut says how much. */
function capField(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length > LOG_FIELD_LIMITS.string
      ? `${value.slice(0, LOG_FIELD_LIMITS.string)}… (${value.length - LOG_FIELD_LIMITS.string} more chars)`
      : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= LOG_FIELD_LIMITS.depth) return Array.isArray(value) ? '[list]' : '[object]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, LOG_FIELD_LIMITS.items).map((v) => capField(v, depth + 1));
    return value.length > LOG_FIELD_LIMITS.items
      ? [...kept, `… ${value.length - LOG_FIELD_LIMITS.items} more`]
      : kept;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, LOG_FIELD_LIMITS.items)) out[k] = capField(v, depth + 1);
  if (entries.length > LOG_FIELD_LIMITS.items)
    out['…'] = `${entries.length - LOG_FIELD_LIMITS.items} more keys`;
  return out;
}
const MESSAGE = Symbol.for('message');

/**
 * Errors become plain objects (stack traces only when debugging); ids and addresses in the
 * {@link MASKED_FIELDS} are shown partially unless debugging; other fields are capped.
 */
function serialiseErrors(meta: LogMeta, debugging: boolean): LogMeta {
  const out: LogMeta = {};
  for (const [key, value] of Object.entries(meta)) {
    const mask = Object.hasOwn(MASKED_FIELDS, key) ? MASKED_FIELDS[key] : undefined;
    if (
      mask !== undefined &&
      !debugging &&
      (typeof value === 'number' || typeof value === 'string')
    ) {
      out[key] = mask(value);
    } else if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      out[key] = {
        name: value.name,
        message: value.message,
        ...(code !== undefined ? { code } : {}),
        ...(debugging && value.stack ? { stack: value.stack } : {}),
      };
    } else {
      out[key] = capField(value, 0);
    }
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const { redactor } = options;
  // At debug and trace, stack traces and ids in full; above, neither.
  const debugging = LEVELS[options.level] >= LEVELS.debug;
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
            const levelText = String(level).padEnd(5);
            const shown =
              options.colorize === true && typeof level === 'string' && level in COLOURS
                ? `${COLOURS[level as LogLevel]}${levelText}${RESET}`
                : levelText;
            return `${String(timestamp)} ${shown} ${nsText}${String(message)}${extra}`;
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
        ...(meta ? serialiseErrors(meta, debugging) : {}),
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
