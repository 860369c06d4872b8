/** People in the embedded Bot API server: their private chats, messages and button presses. */
import type { Chat, User } from '@telegraf/types';
import { buttonCallbackData, type CallbackQueries } from './callbacks';
import type { ChatStore } from './chats';
import type { FileStore } from './media';
import type {
  EmuMessage,
  MessageRef,
  PressOptions,
  RawUpdate,
  StoredMessage,
  UserContent,
  UserProfile,
} from './types';

/** What people act on. */
export interface PeopleDeps {
  chats: ChatStore;
  files: FileStore;
  queries: CallbackQueries;
  inject(raw: Record<string, unknown>): RawUpdate;
}

/** Users known to the server and what they do. */
export class People {
  private users = new Map<number, User>();

  constructor(private readonly deps: PeopleDeps) {}

  /** Forgets every user. */
  reset(): void {
    this.users = new Map();
  }

  /** Makes a user and their private chat known; profile fields stick for later calls. */
  privateChat(id: number, profile: UserProfile): { user: User; chat: Chat } {
    const merged = { ...this.users.get(id), ...profile };
    const user: User = { id, is_bot: false, first_name: merged.first_name ?? `User${id}` };
    if (merged.last_name !== undefined) user.last_name = merged.last_name;
    if (merged.username !== undefined) user.username = merged.username;
    if (merged.language_code !== undefined) user.language_code = merged.language_code;
    this.users.set(id, user);
    const chat: Chat = {
      id,
      type: 'private',
      first_name: user.first_name,
      ...(user.last_name !== undefined ? { last_name: user.last_name } : {}),
      ...(user.username !== undefined ? { username: user.username } : {}),
    };
    this.deps.chats.register(chat);
    return { user, chat };
  }

  /** A user's message (text with its bot_command entity, or a document) queued as an update. */
  send(user: User, chat: Chat, content: UserContent): EmuMessage {
    const { chats, files } = this.deps;
    const state = chats.register(chat);
    const fields: Partial<StoredMessage> = {};
    if (content.text !== undefined) {
      fields.text = content.text;
      const cmd = /^\/[\w@]+/.exec(content.text);
      if (cmd) fields.entities = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
      else if (content.commandEntity) throw new Error(`not a command: ${content.text}`);
    }
    if (content.document) {
      const { data, fileName, mimeType, caption } = content.document;
      const f = files.store(data, 'documents', fileName);
      fields.document = files.document(f, fileName, mimeType);
      if (caption !== undefined) fields.caption = caption;
    }
    if (content.replyTo !== undefined) fields.reply_to_message_id = content.replyTo;
    const message = chats.toMessage(chats.add(state, 'user', user, fields));
    this.deps.inject({ message });
    return message;
  }

  /** A press of an inline button of a bot message, queued as a callback_query; returns its id. */
  press(user: User, ref: MessageRef, data: string, opts: PressOptions): string {
    const { chats, queries } = this.deps;
    const state = chats.get(ref.chat.id);
    const stored = state?.messages.get(ref.message_id);
    if (!state || !stored || stored.deleted) {
      throw new Error(
        `press: message ${ref.message_id} in chat ${ref.chat.id} does not exist (or was deleted)`,
      );
    }
    const callbackData = opts.unchecked ? data : buttonCallbackData(stored, data);
    const query = queries.open(user, state, chats.toMessage(stored), callbackData);
    this.deps.inject({ callback_query: query });
    return String(query['id']);
  }
}
