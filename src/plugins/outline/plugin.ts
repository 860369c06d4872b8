import type { Clock } from '../../clock';
import type { Feature } from '../../features/feature';
import type { Logger } from '../../log/logger';
import type { Req } from '../../telegram/request';
import { definePlugin } from '../plugin';
import {
  OUTLINE_MENU,
  outlineErrorView,
  outlineInfoView,
  outlineKeysView,
  outlineMenuView,
  outlineTrafficView,
} from './views';
import type { View } from '../../views/view';
import { OutlineClient, OutlineUnavailableError, type OutlinePort } from './client';

export interface OutlineFeatureDeps {
  outline: OutlinePort;
  log: Logger;
}

/**
 * The Outline VPN screens: any allowed user sees server info, key names and traffic;
 * access URLs are never fetched into a view. Failures answer "Outline server not reachable".
 */
export function outlineFeature(deps: OutlineFeatureDeps): Feature {
  const screen =
    (load: () => Promise<View>) =>
    async (req: Req): Promise<void> => {
      let view: View;
      try {
        view = await load();
      } catch (err) {
        if (!(err instanceof OutlineUnavailableError)) throw err;
        deps.log.warn(err.message);
        view = outlineErrorView(err.reason);
      }
      await req.reply(view);
    };
  return {
    name: 'outline',
    install(router) {
      const open = async (req: Req): Promise<void> => {
        await req.reply(outlineMenuView());
      };
      router.command('outline', open, 'Outline VPN server');
      router.button(OUTLINE_MENU.open, open);
      router.button(
        OUTLINE_MENU.info,
        screen(async () => outlineInfoView(await deps.outline.server())),
      );
      router.button(
        OUTLINE_MENU.keys,
        screen(async () => outlineKeysView(await deps.outline.accessKeys())),
      );
      router.button(
        OUTLINE_MENU.traffic,
        screen(async () => {
          const [keys, transfer] = await Promise.all([
            deps.outline.accessKeys(),
            deps.outline.transfer(),
          ]);
          return outlineTrafficView(keys, transfer);
        }),
      );
    },
  };
}

/**
 * Builds the plugin from its settings, or says in one user-safe line why it stays off
 * (empty or placeholder URL or fingerprint). The API URL never appears in that line.
 */
export function createOutlinePlugin(
  settings: { apiUrl: string; cert: string },
  log: Logger,
  clock: Clock,
): { feature: Feature } | { off: string } {
  if (settings.apiUrl.trim() === '') return { off: 'plugins_config.outline.api_url is empty' };
  if (settings.cert.trim() === '') return { off: 'plugins_config.outline.cert is empty' };
  try {
    const outline = new OutlineClient({
      apiUrl: settings.apiUrl,
      certSha256: settings.cert,
      clock,
    });
    return { feature: outlineFeature({ outline, log }) };
  } catch (err) {
    if (err instanceof OutlineUnavailableError) return { off: err.reason };
    throw err;
  }
}

/** `--plugins outline`: the Outline VPN screens; off, with a warning, until its settings are filled in. */
export const outlinePlugin = definePlugin({
  name: 'outline',
  label: OUTLINE_MENU.open,
  description: 'Outline VPN server info, access keys and traffic',
  settings: (config) => config.plugins.outline,
  create: (ctx) => createOutlinePlugin(ctx.settings, ctx.log, ctx.clock),
});
