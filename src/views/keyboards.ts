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

/** On the main menu when remote hosts are configured (`hosts:` in the config). */
export const FLEET_BUTTON = '🌐 Fleet';

/** The main menu; `extra` labels (the Fleet button) follow the six sections. */
export function mainMenuKeyboard(extra: readonly string[] = []): Keyboard {
  return { kind: 'reply', rows: rows([...Object.values(MAIN_MENU), ...extra], 3) };
}

/** A reply keyboard of `labels` in rows of three, with "Back to main menu" last. */
export function subMenuKeyboard(labels: readonly string[]): Keyboard {
  return { kind: 'reply', rows: [...rows(labels, 3), [BACK_TO_MAIN]] };
}
