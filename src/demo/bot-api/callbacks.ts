/**
 * Inline button presses as Telegram makes them (a callback_query carrying the bot's message and
 * the chat instance) and answerCallbackQuery, which answers each query id once.
 */
import type { User } from '@telegraf/types';
import type { Clock } from '../../clock';
import { ApiError, TG_ERRORS } from './errors';
import { isRecord, optBool, optNum, optStr } from './params';
import type { CallbackAnswer, ChatState, EmulatorEvent, Params, StoredMessage } from './types';

/** The inline buttons of a stored message, as raw records. */
function inlineButtons(stored: StoredMessage): Array<Record<string, unknown>> {
  const markup = stored.reply_markup;
  const rawRows: unknown = isRecord(markup) ? markup['inline_keyboard'] : undefined;
  const rows: unknown[] = Array.isArray(rawRows) ? rawRows : [];
  return rows
    .flatMap((r): unknown[] => (Array.isArray(r) ? (r as unknown[]) : []))
    .filter(isRecord);
}

/**
 * The callback_data of the button whose data or text is `data`; throws, listing the buttons, when
 * the message has none (a real user cannot press it either).
 */
export function buttonCallbackData(stored: StoredMessage, data: string): string {
  const buttons = inlineButtons(stored);
  const hit =
    buttons.find((b) => b['callback_data'] === data) ??
    buttons.find((b) => b['text'] === data && typeof b['callback_data'] === 'string');
  if (!hit) {
    const have = buttons
      .map((b) => `${String(b['text'])} → ${String(b['callback_data'])}`)
      .join('; ');
    throw new Error(
      `press: message ${stored.message_id} has no button with callback_data or text ${JSON.stringify(data)} (buttons: ${have || 'none'})`,
    );
  }
  return String(hit['callback_data']);
}

/** Open callback queries and the bot's answers. */
export class CallbackQueries {
  /** Every answerCallbackQuery, in order. */
  readonly answers: CallbackAnswer[] = [];
  private pending = new Map<string, { chatId: number }>();
  private nextId = 1;

  constructor(
    private readonly emit: (event: EmulatorEvent) => void,
    private readonly clock: Clock,
  ) {}

  /** A new callback_query update payload for a press of `data` on `stored`. */
  open(user: User, state: ChatState, message: unknown, data: string): Record<string, unknown> {
    const id = String(4_200_000_000_000_000 + this.nextId++);
    this.pending.set(id, { chatId: state.chat.id });
    return { id, from: user, message, chat_instance: state.instance, data };
  }

  /** Forgets open queries and recorded answers. */
  reset(): void {
    this.pending = new Map();
    this.answers.length = 0;
  }

  /** answerCallbackQuery: records text, show_alert, url and cache_time. */
  answer(p: Params): true {
    const id = optStr(p, 'callback_query_id') ?? '';
    if (!this.pending.delete(id)) throw new ApiError(400, TG_ERRORS.queryInvalid);
    const text = optStr(p, 'text');
    const show_alert = optBool(p, 'show_alert');
    const url = optStr(p, 'url');
    const cache_time = optNum(p, 'cache_time');
    const answer: CallbackAnswer = {
      callback_query_id: id,
      ...(text !== undefined && { text }),
      ...(show_alert !== undefined && { show_alert }),
      ...(url !== undefined && { url }),
      ...(cache_time !== undefined && { cache_time }),
      at: this.clock.now(),
    };
    this.answers.push(answer);
    this.emit({ type: 'callback_answer', at: answer.at, answer });
    return true;
  }
}
