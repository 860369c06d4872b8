/**
 * What the chat page shows of a message: the content the Bot API received (text or caption with
 * its entities, photo, document, keyboard) and its edit and delete state. Text stays plain text
 * plus entities; the page builds DOM nodes from them and never parses markup.
 */
import type { MessageEntity } from '@telegraf/types';
import type { TranscriptEntry } from './bot-api/types';

/** A keyboard as the page draws it. */
export type PageMarkup =
  | { kind: 'inline'; rows: Array<Array<{ text: string; data?: string; url?: string }>> }
  | { kind: 'reply'; rows: string[][] }
  | { kind: 'remove' }
  | { kind: 'force_reply'; placeholder?: string };

/** One message of a demo chat. */
export interface PageMessage {
  id: number;
  from: 'user' | 'bot';
  text?: string;
  entities?: MessageEntity[];
  photo?: { fileId: string; width: number; height: number };
  document?: { fileId: string; name: string; size: number };
  markup?: PageMarkup;
  replyTo?: number;
  edited: boolean;
  deleted: boolean;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;

const rowsOf = (v: unknown): unknown[][] =>
  Array.isArray(v) ? v.filter((r): r is unknown[] => Array.isArray(r)) : [];

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function inlineButton(b: unknown): { text: string; data?: string; url?: string } {
  const r = asRecord(b) ?? {};
  const data = str(r['callback_data']);
  const url = str(r['url']);
  return {
    text: str(r['text']) ?? '',
    ...(data !== undefined && { data }),
    ...(url !== undefined && { url }),
  };
}

/** The page's view of any reply_markup kind (undefined: none or not understood). */
export function pageMarkup(raw: unknown): PageMarkup | undefined {
  const m = asRecord(raw);
  if (!m) return undefined;
  if ('inline_keyboard' in m)
    return { kind: 'inline', rows: rowsOf(m['inline_keyboard']).map((r) => r.map(inlineButton)) };
  if ('keyboard' in m) {
    const label = (b: unknown): string => str(b) ?? str(asRecord(b)?.['text']) ?? '';
    return { kind: 'reply', rows: rowsOf(m['keyboard']).map((r) => r.map(label)) };
  }
  if (m['remove_keyboard'] === true) return { kind: 'remove' };
  if (m['force_reply'] === true) {
    const placeholder = str(m['input_field_placeholder']);
    return { kind: 'force_reply', ...(placeholder !== undefined && { placeholder }) };
  }
  return undefined;
}

/** A transcript entry as the page shows it. */
export function pageMessage(e: TranscriptEntry): PageMessage {
  const biggest = e.photo?.[e.photo.length - 1];
  const markup = pageMarkup(e.reply_markup);
  const text = e.text ?? e.caption;
  return {
    id: e.message_id,
    from: e.sender,
    ...(text !== undefined && { text }),
    ...(e.entities !== undefined && { entities: e.entities }),
    ...(biggest !== undefined && {
      photo: { fileId: biggest.file_id, width: biggest.width, height: biggest.height },
    }),
    ...(e.document !== undefined && {
      document: {
        fileId: e.document.file_id,
        name: e.document.file_name ?? 'file',
        size: e.document.file_size ?? 0,
      },
    }),
    ...(markup !== undefined && { markup }),
    ...(e.reply_to_message_id !== undefined && { replyTo: e.reply_to_message_id }),
    edited: e.edit_date !== undefined,
    deleted: e.deleted,
  };
}
