import type { Req } from '../telegram/request';
import type { Feature } from './feature';
import { BACK_TO_MAIN, MAIN_MENU } from '../views/keyboards';
import { backToMainView, DELETE_NOW, getMyIdView, pluginsView, welcomeView } from '../views/menu';

export interface MenuDeps {
  isAllowed(userId: number): boolean;
  /** How long the /getmyid card stays in the chat. */
  getMyIdDeleteMs: number;
  /** Enabled plugins, for the Plugins screen. */
  plugins: readonly { label: string; description: string }[];
  /** Buttons after the six sections of the main menu (Fleet, when remote hosts are configured). */
  mainExtras?: readonly string[];
}

/** /start, /help, /back, /getmyid and the Plugins screen. */
export function menuFeature(deps: MenuDeps): Feature {
  return {
    name: 'menu',
    install(router) {
      const welcome = async (req: Req): Promise<void> => {
        await req.reply(welcomeView(req.user.firstName, deps.mainExtras));
      };
      router.command('start', welcome, 'Main menu');
      router.command('help', welcome, 'What this bot can do');
      const back = async (req: Req): Promise<void> => {
        await req.reply(backToMainView(req.user.firstName, deps.mainExtras));
      };
      router.command('back', back, 'Back to the main menu');
      router.button(BACK_TO_MAIN, back);
      router.command(
        'getmyid',
        async (req) => {
          const sent = await req.reply(
            getMyIdView({
              userId: req.user.id,
              firstName: req.user.firstName,
              ...(req.user.lastName !== undefined ? { lastName: req.user.lastName } : {}),
              ...(req.user.username !== undefined ? { username: req.user.username } : {}),
              chatId: req.chat.id,
              chatType: req.chat.type,
              ...(req.chat.title !== undefined ? { chatTitle: req.chat.title } : {}),
              allowed: deps.isAllowed(req.user.id),
              deleteAfterSeconds: Math.round(deps.getMyIdDeleteMs / 1000),
            }),
          );
          req.deleteLater(sent.messageId, deps.getMyIdDeleteMs);
        },
        'Show your user and chat id',
        { public: true },
      );
      router.on(DELETE_NOW, async (req) => {
        if (req.messageId !== undefined) await req.deleteNow(req.messageId);
        await req.toast('Deleted.');
      });
      const plugins = async (req: Req): Promise<void> => {
        await req.reply(pluginsView(deps.plugins, deps.mainExtras));
      };
      router.command('plugins', plugins, 'Enabled plugins');
      router.button(MAIN_MENU.plugins, plugins);
    },
  };
}
