/**
 * The test-side driver of the Bot API emulator: a Telegram user in one chat who types, sends
 * commands and files, presses inline buttons, and reads the bot's replies.
 */
import type { Chat, User } from '@telegraf/types';
import type {
  EmuMessage,
  GroupChatSpec,
  MessageRef,
  PressOptions,
  TranscriptEntry,
  UserContent,
} from '../../src/demo/bot-api/types';

export type {
  GroupChatSpec,
  MessageRef,
  PressOptions,
  UserContent,
  UserProfile,
} from '../../src/demo/bot-api/types';

/** The part of the emulator a driver talks to. Implemented by BotApiEmulator. */
export interface DriverHost {
  /** @internal */
  sendAsUser(user: User, chat: Chat, content: UserContent): EmuMessage;
  /** @internal */
  pressAsUser(user: User, chat: Chat, ref: MessageRef, data: string, opts: PressOptions): string;
  /** @internal */
  nextBotMessage(
    user: User,
    chat: Chat,
    timeoutMs: number,
    match?: (m: EmuMessage) => boolean,
  ): Promise<EmuMessage>;
  /** @internal */
  registerChat(chat: Chat): void;
  transcript(chatId: number): TranscriptEntry[];
}

/** One emulated Telegram user in one chat (the private chat unless made with `inChat`). */
export class UserDriver {
  /** @internal use `emu.user(id)` */
  constructor(
    private readonly host: DriverHost,
    /** The user as Telegram describes them in updates. */
    readonly user: User,
    /** The chat this driver writes in. */
    readonly chat: Chat,
  ) {}

  /** The user's id. */
  get id(): number {
    return this.user.id;
  }

  /** The chat's id (equal to the user id in the private chat). */
  get chatId(): number {
    return this.chat.id;
  }

  /** The same user writing in a group chat (the chat becomes known to the emulator). */
  inChat(spec: GroupChatSpec): UserDriver {
    const chat = { ...spec } as Chat;
    this.host.registerChat(chat);
    return new UserDriver(this.host, this.user, chat);
  }

  /** Sends a text message; a leading `/command` gets its bot_command entity, as Telegram adds it. */
  text(text: string, opts: { replyTo?: number } = {}): Promise<EmuMessage> {
    const replyTo = opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {};
    return attempt(() => this.host.sendAsUser(this.user, this.chat, { text, ...replyTo }));
  }

  /** Sends `/cmd args` with a bot_command entity; rejects unless it starts with `/`. */
  command(command: string): Promise<EmuMessage> {
    return attempt(() => {
      if (!command.startsWith('/')) {
        throw new Error(`command() needs a leading "/": ${JSON.stringify(command)}`);
      }
      return this.host.sendAsUser(this.user, this.chat, { text: command, commandEntity: true });
    });
  }

  /** Sends a file as a document message; the bytes are downloadable through getFile. */
  document(
    data: Buffer,
    fileName: string,
    opts: { caption?: string; mimeType?: string } = {},
  ): Promise<EmuMessage> {
    const document = { data, fileName, ...opts };
    return attempt(() => this.host.sendAsUser(this.user, this.chat, { document }));
  }

  /**
   * Presses an inline button of a bot message: `data` is the button's callback_data (or its text).
   * Resolves with the callback query id, for `emu.waitForCallbackAnswer`; rejects when the message
   * has no such button (a real user cannot press it either).
   */
  press(message: MessageRef, data: string, opts: PressOptions = {}): Promise<string> {
    return attempt(() => this.host.pressAsUser(this.user, this.chat, message, data, opts));
  }

  /** The next bot message in this chat after this user's last action (each call moves past it). */
  nextReply(timeoutMs = 20_000): Promise<EmuMessage> {
    return this.host.nextBotMessage(this.user, this.chat, timeoutMs);
  }

  /**
   * The next bot message in this chat after this user's last action whose text (or caption)
   * matches `re`, skipping others: in a chat that also receives alerts, one can land between a
   * message and its reply.
   */
  nextReplyMatching(re: RegExp, timeoutMs = 20_000): Promise<EmuMessage> {
    return this.host.nextBotMessage(this.user, this.chat, timeoutMs, (m) =>
      re.test(m.text ?? m.caption ?? ''),
    );
  }

  /** Every message of this chat, user and bot, in order. */
  transcript(): TranscriptEntry[] {
    return this.host.transcript(this.chat.id);
  }
}

/** Runs a synchronous step and reports its outcome as a promise, so misuse rejects instead of throwing. */
function attempt<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** The callback_data of the inline button labelled exactly `text`; throws, listing the markup, if absent. */
export function buttonData(message: EmuMessage, text: string): string {
  const button = message.reply_markup?.inline_keyboard.flat().find((b) => b.text === text);
  if (button === undefined || !('callback_data' in button) || button.callback_data === undefined)
    throw new Error(`no "${text}" button in ${JSON.stringify(message.reply_markup)}`);
  return button.callback_data;
}
