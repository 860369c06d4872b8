import type { ReleaseFeed } from '../adapters/releases/release-feed';
import { ReleaseFeedError } from '../adapters/releases/release-feed';
import type { Clock } from '../clock';
import { compareVersions } from '../version';
import type { Logger } from '../log/logger';
import { APP_VERSION } from '../version';
import {
  BOT_UPDATES_GUIDE,
  botUpdatesView,
  updateGuideView,
  type BotUpdateResult,
} from '../views/bot-updates';
import type { Feature } from './feature';

export interface BotUpdatesDeps {
  feed: ReleaseFeed;
  clock: Clock;
  log: Logger;
}

/** A successful answer is reused for this long, so a busy chat does not hammer the feed. */
const CACHE_MS = 10 * 60_000;

/** /check_bot_updates: tmbot's own latest release against this build, and the update guide. */
export function botUpdatesFeature(deps: BotUpdatesDeps): Feature {
  let cached: { at: number; result: BotUpdateResult } | undefined;

  async function check(): Promise<BotUpdateResult> {
    const now = deps.clock.now();
    if (cached !== undefined && now - cached.at < CACHE_MS) return cached.result;
    try {
      const latest = await deps.feed.latest();
      const order = compareVersions(latest.version, APP_VERSION);
      const comparison = order > 0 ? 'newer_available' : order < 0 ? 'development' : 'latest';
      const result: BotUpdateResult = { ok: true, latest, comparison };
      cached = { at: now, result };
      return result;
    } catch (err) {
      if (!(err instanceof ReleaseFeedError)) throw err;
      deps.log.warn(`could not check for tmbot updates: ${err.reason}`);
      return { ok: false, reason: err.reason };
    }
  }

  return {
    name: 'bot-updates',
    install(router) {
      router.command(
        'check_bot_updates',
        async (req) => {
          await req.reply(botUpdatesView(await check()));
        },
        'Check for tmbot updates',
      );
      router.on(BOT_UPDATES_GUIDE, async (req) => {
        await req.toast();
        await req.reply(updateGuideView());
      });
    },
  };
}
