import { defineAction } from '../telegram/actions';
import { clip, html } from './html';
import { BACK_TO_MAIN, FLEET_BUTTON, mainMenuKeyboard } from './keyboards';
import type { View } from './view';
import { APP_VERSION } from '../version';

/** Deletes the message holding the button (the /getmyid answer). */
export const DELETE_NOW = defineAction('menu.delete');

/** `extra`: labels shown after the six sections (the Fleet button when remote hosts are configured). */
export function welcomeView(firstName: string, extra: readonly string[] = []): View {
  return {
    html: html`👋 Hi, <b>${clip(firstName, 64)}</b>! This is <b>tmbot</b> ${APP_VERSION}.

Pick a section below:
🚀 <b>Server</b> — load, CPU, memory, sensors, processes, disks, network
🐳 <b>Docker</b> — containers, images, logs and management
👀 <b>Quick view</b> — everything at a glance
🩺 <b>Health</b> — the bot's and the host's health
🍭 <b>Plugins</b> — extra features${
      extra.includes(FLEET_BUTTON)
        ? html`
🌐 <b>Fleet</b> — your other hosts`
        : ''
    }

Commands: /start /help /back /getmyid`,
    keyboard: mainMenuKeyboard(extra),
  };
}

export function backToMainView(firstName: string, extra: readonly string[] = []): View {
  return {
    html: html`OK, ${clip(firstName, 64)}! Here's the main menu.`,
    keyboard: mainMenuKeyboard(extra),
  };
}

const CHAT_TYPE_LABEL: Record<string, string> = {
  private: 'Private chat',
  group: 'Group',
  supergroup: 'Supergroup',
  channel: 'Channel',
};

export interface IdCard {
  userId: number;
  firstName: string;
  lastName?: string;
  username?: string;
  chatId: number;
  chatType: string;
  chatTitle?: string;
  allowed: boolean;
  deleteAfterSeconds: number;
}

export function getMyIdView(card: IdCard): View {
  const name = [card.firstName, card.lastName].filter(Boolean).join(' ');
  return {
    html: html`🪪 <b>Your Telegram ids</b>
User id: <code>${card.userId}</code>
Name: ${clip(name, 64)}${
      card.username !== undefined
        ? html`
Username: @${clip(card.username, 64)}`
        : ''
    }
Chat id: <code>${card.chatId}</code>
Chat type: ${CHAT_TYPE_LABEL[card.chatType] ?? clip(card.chatType, 20)}${
      card.chatTitle !== undefined
        ? html`
Chat title: ${clip(card.chatTitle, 64)}`
        : ''
    }
Access: ${card.allowed ? '✅ allowed' : '⛔ not on the allowlist — give the user id to the bot owner'}

<i>This message is deleted in ${card.deleteAfterSeconds} s for privacy.</i>`,
    keyboard: { kind: 'inline', rows: [[DELETE_NOW.button('🗑 Delete now')]] },
  };
}

export function unknownTextView(extra: readonly string[] = []): View {
  return {
    html: html`🤔 I don't know that one. Use the buttons below, or /help for the list of sections.`,
    keyboard: mainMenuKeyboard(extra),
  };
}

export function pluginsView(
  plugins: readonly { label: string; description: string }[],
  extra: readonly string[] = [],
): View {
  if (plugins.length === 0) {
    return {
      html: html`🍭 <b>Plugins</b>

No plugins are enabled. Start tmbot with <code>--plugins name,…</code> to enable one (see docs/commands.md).`,
      keyboard: mainMenuKeyboard(extra),
    };
  }
  return {
    html: html`🍭 <b>Plugins</b>

${plugins.map((p) => html`• <b>${clip(p.label, 64)}</b> — ${clip(p.description, 300)}\n`)}`,
    keyboard: { kind: 'reply', rows: [...plugins.map((p) => [p.label]), [BACK_TO_MAIN]] },
  };
}

/** The bot's profile texts (setMyDescription / setMyShortDescription): plain text, within Telegram's 512/120. */
export function botDescriptionTexts(): { readonly description: string; readonly short: string } {
  return {
    description: `tmbot ${APP_VERSION} watches your server and its Docker engine: load, CPU, memory, disks, network, containers, images and logs, with alerts and 2FA for risky actions. Press Start to open the menu (only allowed users get answers).`,
    short: 'Server and Docker monitoring and management, with alerts and 2FA.',
  };
}
