import type { Html } from './html';

declare const callBrand: unique symbol;

/**
 * One press of a typed action, encoded: the action name and its arguments as the
 * token store keeps them. Only an {@link Action} makes one, so a button can only
 * carry arguments its handler accepts.
 */
export interface ActionCall {
  readonly action: string;
  readonly args: readonly string[];
  readonly [callBrand]: true;
}

/**
 * A button that runs a server-side action; the sender turns it into an opaque
 * callback token. Made by a typed action (`containerAction.button(label, args)`).
 */
export interface ActionButton extends ActionCall {
  readonly text: string;
}

export interface UrlButton {
  readonly text: string;
  readonly url: string;
}

export type InlineButton = ActionButton | UrlButton;

export type Keyboard =
  | { readonly kind: 'reply'; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: 'inline'; readonly rows: readonly (readonly InlineButton[])[] }
  | { readonly kind: 'remove' }
  | { readonly kind: 'force_reply' };

/** What a screen renders to: HTML text plus an optional keyboard. Views are pure. */
export interface View {
  readonly html: Html;
  readonly keyboard?: Keyboard;
  readonly disablePreview?: boolean;
}

/** Telegram's limits, owned by the view layer. */
export const TELEGRAM_LIMITS = {
  /** Characters of a message after entity parsing. */
  messageText: 4096,
  /** Characters of a photo/document caption after entity parsing. */
  caption: 1024,
  /** Bytes of callback_data. */
  callbackData: 64,
  /** Characters of a button label we allow ourselves. */
  buttonText: 60,
} as const;

export const isActionButton = (b: InlineButton): b is ActionButton => 'action' in b;

/** Lays buttons out in rows of `perRow`. */
export function rows<T>(items: readonly T[], perRow: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += perRow) out.push(items.slice(i, i + perRow));
  return out;
}
