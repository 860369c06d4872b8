/** The Bot API methods the embedded server answers, by their canonical names. */
import type { UserFromGetMe } from '@telegraf/types';
import type { CallbackQueries } from './callbacks';
import type { ChatStore } from './chats';
import type { CommandRegistry } from './commands';
import type { MessageEditor } from './edits';
import { ApiError } from './errors';
import type { FileStore } from './media';
import type { Params } from './types';
import type { Webhook } from './webhook';

/** One Bot API method: parameters in, result out (ApiError for Telegram's errors). */
export type Handler = (p: Params) => unknown;

/** The parts of the server that methods act on. */
export interface MethodParts {
  bot: UserFromGetMe;
  chats: ChatStore;
  editor: MessageEditor;
  queries: CallbackQueries;
  commands: CommandRegistry;
  webhook: Webhook;
  files: FileStore;
}

/** Every method (getUpdates is served by the update queue before this table is asked). */
export function methodTable(s: MethodParts): Record<string, Handler> {
  return {
    getMe: () => s.bot,
    sendMessage: (p) => s.chats.sendMessage(p),
    sendPhoto: (p) => s.chats.sendMedia(p, 'photo'),
    sendDocument: (p) => s.chats.sendMedia(p, 'document'),
    sendMediaGroup: (p) => s.chats.sendMediaGroup(p),
    answerCallbackQuery: (p) => s.queries.answer(p),
    editMessageText: (p) => s.editor.edit(p, 'editMessageText'),
    editMessageCaption: (p) => s.editor.edit(p, 'editMessageCaption'),
    editMessageReplyMarkup: (p) => s.editor.edit(p, 'editMessageReplyMarkup'),
    editMessageMedia: (p) => s.editor.edit(p, 'editMessageMedia'),
    deleteMessage: (p) => s.chats.deleteMessage(p),
    sendChatAction: (p) => s.chats.sendChatAction(p),
    setMyCommands: (p) => s.commands.set(p),
    getMyCommands: (p) => s.commands.get(p),
    deleteMyCommands: (p) => s.commands.delete(p),
    setWebhook: (p) => s.webhook.set(p),
    deleteWebhook: (p) => s.webhook.delete(p),
    getWebhookInfo: () => {
      const info = s.webhook.info();
      delete info.secret_token;
      return info;
    },
    getFile: (p) => s.files.getFile(p),
    getChat: (p) => s.chats.require(p).chat,
    getUpdates: () => {
      throw new ApiError(400, 'Bad Request: getUpdates is not allowed here');
    },
  };
}
