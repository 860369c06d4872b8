/** setMyCommands / getMyCommands / deleteMyCommands, kept per scope and language. */
import type { BotCommand } from '@telegraf/types';
import { ApiError, TG_ERRORS } from './errors';
import { isRecord, optJson, optStr } from './params';
import type { CommandsPayload, Params } from './types';

/** The bot's command lists. */
export class CommandRegistry {
  private sets = new Map<string, CommandsPayload>();
  private last: CommandsPayload | undefined;

  /** The last setMyCommands payload (any scope), or undefined. */
  get latest(): CommandsPayload | undefined {
    return this.last;
  }

  /** getMyCommands. */
  get(p: Params): BotCommand[] {
    return this.sets.get(key(p))?.commands ?? [];
  }

  /** deleteMyCommands. */
  delete(p: Params): true {
    this.sets.delete(key(p));
    return true;
  }

  /** Forgets every list. */
  reset(): void {
    this.sets = new Map();
    this.last = undefined;
  }

  /** setMyCommands: 1-32 lowercase characters per command, 1-256 per description, 100 at most. */
  set(p: Params): true {
    const commands = optJson(p, 'commands');
    if (!Array.isArray(commands) || commands.length > 100)
      throw new ApiError(400, TG_ERRORS.commandInvalid);
    for (const c of commands) {
      if (
        !isRecord(c) ||
        typeof c['command'] !== 'string' ||
        !/^[a-z0-9_]{1,32}$/.test(c['command'])
      )
        throw new ApiError(400, TG_ERRORS.commandInvalid);
      if (
        typeof c['description'] !== 'string' ||
        c['description'].length < 1 ||
        c['description'].length > 256
      ) {
        throw new ApiError(400, 'Bad Request: command description must be non-empty');
      }
    }
    const scope = optJson(p, 'scope');
    const language_code = optStr(p, 'language_code');
    const payload: CommandsPayload = {
      commands: structuredClone(commands as BotCommand[]),
      ...(scope !== undefined && { scope }),
      ...(language_code !== undefined && { language_code }),
    };
    this.sets.set(key(p), payload);
    this.last = payload;
    return true;
  }
}

function key(p: Params): string {
  const scope = optJson(p, 'scope');
  return `${JSON.stringify(scope ?? { type: 'default' })}|${optStr(p, 'language_code') ?? ''}`;
}
