import type { Keyboard } from './view';
import { rows } from './view';

/** Main menu labels; the router matches them exactly (emoji optional, any case). */
export const MAIN_MENU = {
  server: '🚀 Server',
  docker: '🐳 Docker',
  plugins: '🍭 Plugins',
  quickView: '👀 Quick view',
  health: '🩺 Health',
  about: '🍄 About me',
} as const;

export const BACK_TO_MAIN = '⬅️ Back to main menu';

export function mainMenuKeyboard(): Keyboard {
  return { kind: 'reply', rows: rows(Object.values(MAIN_MENU), 3) };
}

/** A reply keyboard of `labels` in rows of three, with "Back to main menu" last. */
export function subMenuKeyboard(labels: readonly string[]): Keyboard {
  return { kind: 'reply', rows: [...rows(labels, 3), [BACK_TO_MAIN]] };
}
