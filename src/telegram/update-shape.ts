/**
 * The shape check every incoming update passes before telegraf or our middleware touch it.
 * Telegram only sends well-typed updates, but a webhook body or a broken proxy can carry
 * anything; the middleware reads `from`, `chat`, `text` and `data` as typed, so an update whose
 * fields have other types is dropped here instead of throwing deep inside a handler.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, type: 'string' | 'boolean'): boolean =>
  v === undefined || typeof v === type;
const isId = (v: unknown): boolean => Number.isSafeInteger(v);

function userProblem(from: unknown): string | undefined {
  if (!isObject(from)) return 'from is not an object';
  if (!isId(from.id)) return 'from.id is not an integer';
  if (!optional(from.is_bot, 'boolean')) return 'from.is_bot is not a boolean';
  if (typeof from.first_name !== 'string') return 'from.first_name is not a string';
  if (!optional(from.last_name, 'string') || !optional(from.username, 'string'))
    return 'from name fields are not strings';
  return undefined;
}

function chatProblem(chat: unknown): string | undefined {
  if (!isObject(chat)) return 'chat is not an object';
  if (!isId(chat.id)) return 'chat.id is not an integer';
  if (typeof chat.type !== 'string') return 'chat.type is not a string';
  if (!optional(chat.title, 'string') || !optional(chat.first_name, 'string'))
    return 'chat name fields are not strings';
  return undefined;
}

function messageProblem(message: unknown): string | undefined {
  if (!isObject(message)) return 'message is not an object';
  if (!isId(message.message_id)) return 'message_id is not an integer';
  if (message.from !== undefined) {
    const p = userProblem(message.from);
    if (p !== undefined) return p;
  }
  if (!optional(message.text, 'string') || !optional(message.caption, 'string'))
    return 'message text is not a string';
  return chatProblem(message.chat);
}

/** Why `value` cannot be handled as an update, or undefined when it can. */
export function malformedUpdate(value: unknown): string | undefined {
  if (!isObject(value)) return 'the update is not an object';
  if (!isId(value.update_id)) return 'update_id is not an integer';
  let bodies = 0;
  for (const [key, body] of Object.entries(value)) {
    if (key === 'update_id') continue;
    bodies++;
    // Only known-looking key names reach the log; the rest of the update never does.
    if (!isObject(body)) return `${/^[a-z_]{1,40}$/.test(key) ? key : 'a field'} is not an object`;
    if (
      key === 'message' ||
      key === 'edited_message' ||
      key === 'channel_post' ||
      key === 'edited_channel_post'
    ) {
      const p = messageProblem(body);
      if (p !== undefined) return `${key}: ${p}`;
      continue;
    }
    if (body.from !== undefined) {
      const p = userProblem(body.from);
      if (p !== undefined) return `${key}: ${p}`;
    }
    if (body.chat !== undefined) {
      const p = chatProblem(body.chat);
      if (p !== undefined) return `${key}: ${p}`;
    }
    if (key === 'callback_query') {
      if (typeof body.id !== 'string') return 'callback_query.id is not a string';
      if (!optional(body.data, 'string')) return 'callback_query.data is not a string';
      if (body.message !== undefined) {
        const p = messageProblem(body.message);
        if (p !== undefined) return `callback_query.message: ${p}`;
      }
    }
  }
  return bodies === 0 ? 'the update carries nothing' : undefined;
}
