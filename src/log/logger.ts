import { EOL } from 'node:os';
import type { Writable } from 'node:stream';
import { MASKED_FIELDS } from './mask';
import { Redactor } from './redactor';
import { isoTime } from '../clock';

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
  if (typeof value === 'bigint') return value.toString();
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

/** JSON with every object's keys sorted, so lines of one kind always read alike. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const obj = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, obj[k]]),
    );
  });
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time as `HH:mm:ss.SSS` for human-format lines. */
function clockTime(d: Date): string {
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms}`;
}

type Render = (level: LogLevel, message: string, ns: string | undefined, fields: LogMeta) => string;

/** `{"level":…,"message":…,"ns":…,"timestamp":…}` plus the fields, keys sorted (one line). */
const renderJson: Render = (level, message, ns, fields) =>
  sortedJson({
    ...fields,
    level,
    message,
    ...(ns !== undefined ? { ns } : {}),
    timestamp: isoTime(Date.now()),
  });

function humanRenderer(colorize: boolean): Render {
  return (level, message, ns, fields) => {
    const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    const levelText = level.padEnd(5);
    const shown = colorize ? `${COLOURS[level]}${levelText}${RESET}` : levelText;
    const nsText = ns !== undefined ? `[${ns}] ` : '';
    return `${clockTime(new Date())} ${shown} ${nsText}${message}${extra}`;
  };
}

/**
 * The logger: one line per record, rendered whole and then redacted (nothing can slip past
 * the redactor), written to stdout or the given stream. Written in-house rather than on
 * winston, which cost the daemon about 6 MiB of resident memory at idle (issue 11).
 */
export function createLogger(options: LoggerOptions): Logger {
  const { redactor } = options;
  const threshold = LEVELS[options.level];
  // At debug and trace, stack traces and ids in full; above, neither.
  const debugging = threshold >= LEVELS.debug;
  const render = options.format === 'json' ? renderJson : humanRenderer(options.colorize === true);
  const out = options.stream ?? process.stdout;

  const make = (ns: string | undefined): Logger => {
    const log = (level: LogLevel, message: string, meta?: LogMeta): void => {
      if (LEVELS[level] > threshold) return;
      const fields = meta ? serialiseErrors(meta, debugging) : {};
      out.write(`${redactor.redact(render(level, message, ns, fields))}${EOL}`);
    };
    return {
      error: (m, meta) => log('error', m, meta),
      warn: (m, meta) => log('warn', m, meta),
      info: (m, meta) => log('info', m, meta),
      debug: (m, meta) => log('debug', m, meta),
      trace: (m, meta) => log('trace', m, meta),
      child: (child) => make(ns === undefined ? child : `${ns}:${child}`),
      isLevelEnabled: (level) => LEVELS[level] <= threshold,
    };
  };
  return make(undefined);
}
