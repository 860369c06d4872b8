import type { Logger } from '../log/logger';
import type { Sender } from '../telegram/sender';
import type { View } from '../views/view';

/** Short security notices for the admin chats (`chat_id.global_chat_id`). */
export interface AdminNotifier {
  /** Best effort: a chat that cannot be reached is logged, never thrown. `exceptChatId` already knows. */
  notify(view: View, exceptChatId?: number): Promise<void>;
}

/** Sends notices to every configured admin chat, silently (no sound: they are records, not alarms). */
export class ChatAdminNotifier implements AdminNotifier {
  constructor(
    private readonly sender: Sender,
    private readonly chatIds: readonly number[],
    private readonly log: Logger,
  ) {}

  async notify(view: View, exceptChatId?: number): Promise<void> {
    for (const chatId of this.chatIds) {
      if (chatId === exceptChatId) continue;
      try {
        await this.sender.send(chatId, view, { silent: true, bulk: true });
      } catch (err) {
        this.log.warn('could not send a notice to an admin chat', { chat: chatId, error: err });
      }
    }
  }
}
