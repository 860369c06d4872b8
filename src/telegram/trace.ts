import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareFn } from 'telegraf';
import type { Clock } from '../clock';
import type { Logger, LogLevel } from '../log/logger';

/** Handling slower than this is logged at info, slower than {@link SLOW_MS} at warn (pyTMBot's levels). */
export const NOTABLE_MS = 500;
export const SLOW_MS = 2000;

/** The level of a "handled update" line by how long the update took. */
export function levelForDuration(ms: number): LogLevel {
  return ms > SLOW_MS ? 'warn' : ms >= NOTABLE_MS ? 'info' : 'debug';
}

/** What kind of update this is, without anything the user typed (a 2FA code is text too). */
export function updateKind(ctx: Context): string {
  const text = ctx.message !== undefined && 'text' in ctx.message ? ctx.message.text : undefined;
  // Only the command's name: a leading "/", up to 32 name characters, then space, "@" or the end.
  const command = text === undefined ? undefined : /^\/([A-Za-z0-9_]{1,32})(?=[\s@]|$)/.exec(text);
  if (command?.[1] !== undefined) return `command /${command[1].toLowerCase()}`;
  return ctx.updateType;
}

/**
 * The first middleware: gives each update a trace id (12 hex characters, in `ctx.state.trace`
 * for later log lines) and logs "handled update" with it, the update kind, user and chat (shown
 * partially above debug level) and the time the whole chain took; debug under
 * {@link NOTABLE_MS}, info up to {@link SLOW_MS}, warn above.
 */
export function traceUpdates(deps: { clock: Clock; log: Logger }): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const trace = randomBytes(6).toString('hex');
    (ctx.state as { trace?: string }).trace = trace;
    const started = deps.clock.now();
    let failed = false;
    try {
      await next();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      const ms = deps.clock.now() - started;
      const level = failed ? 'warn' : levelForDuration(ms);
      if (deps.log.isLevelEnabled(level)) {
        deps.log[level]('handled update', {
          trace,
          update: ctx.update.update_id,
          kind: updateKind(ctx),
          ...(ctx.from !== undefined ? { user: ctx.from.id } : {}),
          ...(ctx.chat !== undefined ? { chat: ctx.chat.id } : {}),
          ms,
          ...(failed ? { failed: true } : {}),
        });
      }
    }
  };
}

/** The trace id {@link traceUpdates} gave this update, for log lines about it. */
export const traceOf = (ctx: Context): string | undefined =>
  (ctx.state as { trace?: string }).trace;
