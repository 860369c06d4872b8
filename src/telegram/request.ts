import type { View } from '../views/view';
import type { SendOptions, SentMessage } from './sender';

export interface RequestUser {
  readonly id: number;
  readonly firstName: string;
  readonly lastName?: string;
  readonly username?: string;
}

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface RequestChat {
  readonly id: number;
  readonly type: ChatType;
  readonly title?: string;
}

/**
 * One update as a feature sees it: who, where, and how to answer. Handlers never
 * touch telegraf's ctx, so they are testable with a fake.
 */
export interface Req {
  readonly user: RequestUser;
  readonly chat: RequestChat;
  /** Text of the message, or undefined for a button press. */
  readonly text: string | undefined;
  /** The user's message id (messages) or the message holding the pressed button (callbacks). */
  readonly messageId: number | undefined;
  readonly isCallback: boolean;
  readonly isAdmin: boolean;
  /** Sends a new message to this chat; buttons are bound to this user. */
  reply(view: View, options?: Omit<SendOptions, 'forUser'>): Promise<SentMessage>;
  /** For a button press: replaces the pressed message in place. For a message: replies. */
  show(view: View): Promise<'edited' | 'unchanged' | 'sent'>;
  /** Answers the button press (once; later calls are ignored). No-op for messages. */
  toast(text?: string, alert?: boolean): Promise<void>;
  /** Deletes a message in this chat after `delayMs` (persisted across restarts). */
  deleteLater(messageId: number, delayMs: number): void;
  /** Deletes a message in this chat now; false if it was already gone. */
  deleteNow(messageId: number): Promise<boolean>;
  sendPhoto(
    png: Buffer,
    caption: View,
    options?: { spoiler?: boolean; protect?: boolean },
  ): Promise<SentMessage>;
  sendDocument(content: Buffer, filename: string, caption: View): Promise<SentMessage>;
  /** For a button under a photo: replaces that photo in place. Otherwise sends a new photo. */
  showPhoto(png: Buffer, caption: View): Promise<SentMessage>;
}

/** A route handler; `args` are the action's arguments or a command's words. */
export type Handler = (req: Req, args: readonly string[]) => Promise<void>;
