import type { Release, ReleaseFeedErrorCode } from '../adapters/releases/release-feed';
import { defineAction } from '../telegram/actions';
import { APP_VERSION } from '../version';
import { clip, html, type Html } from './html';
import type { View } from './view';
import { isoTime } from '../clock';

/** The "How to update" button on the /check_bot_updates answer. */
export const BOT_UPDATES_GUIDE = defineAction('botupd.guide');

/** How this build compares with the latest release. */
export type ReleaseComparison = 'newer_available' | 'latest' | 'development';

export type BotUpdateResult =
  | { readonly ok: true; readonly latest: Release; readonly comparison: ReleaseComparison }
  | { readonly ok: false; readonly reason: ReleaseFeedErrorCode };

const FEED_PROBLEM: Record<ReleaseFeedErrorCode, string> = {
  unreachable: 'the release feed is not reachable from this server',
  timeout: 'the release feed did not answer in time',
  bad_status: 'the release feed refused the request',
  bad_response: 'the release feed answered something that is not a release list',
};

/** Release notes shown in the chat are cut here; the button links to the full text. */
const NOTES_SHOWN = 1500;

const guideButton = BOT_UPDATES_GUIDE.button('📘 How to update');

function releaseDate(ms: number | undefined): string {
  return ms === undefined ? '' : ` (released ${isoTime(ms).slice(0, 10)})`;
}

function notesBlock(notes: string): Html {
  const trimmed = notes.trim();
  if (trimmed === '') return html``;
  const shown = clip(trimmed, NOTES_SHOWN);
  return html`\n\n<b>What's new</b>\n<blockquote expandable>${shown}</blockquote>`;
}

/** The answer to /check_bot_updates (pyTMBot's CMD-10), with the update guide one press away. */
export function botUpdatesView(result: BotUpdateResult): View {
  if (!result.ok) {
    return {
      html: html`⚠️ <b>Could not check for tmbot updates</b>: ${FEED_PROBLEM[result.reason]}.
You run tmbot <b>${APP_VERSION}</b>. Try again later, or see the update guide.`,
      keyboard: { kind: 'inline', rows: [[guideButton]] },
    };
  }
  const { latest, comparison } = result;
  const link = latest.url !== undefined ? [{ text: '📰 Release notes', url: latest.url }] : [];
  if (comparison === 'latest') {
    return {
      html: html`✅ <b>tmbot ${APP_VERSION}</b> is the latest release${releaseDate(latest.publishedAt)}.`,
      keyboard: { kind: 'inline', rows: [[guideButton, ...link]] },
      disablePreview: true,
    };
  }
  if (comparison === 'development') {
    return {
      html: html`🧪 This build (<b>${APP_VERSION}</b>) is newer than the latest release (<b>${latest.version}</b>${releaseDate(latest.publishedAt)}): a development build. Nothing to update.`,
      keyboard: { kind: 'inline', rows: [[guideButton, ...link]] },
      disablePreview: true,
    };
  }
  return {
    html: html`🆕 <b>tmbot ${latest.version}</b> is available${releaseDate(latest.publishedAt)}. You run <b>${APP_VERSION}</b>.${notesBlock(latest.notes)}`,
    keyboard: { kind: 'inline', rows: [[guideButton, ...link]] },
    disablePreview: true,
  };
}

/** How to update each kind of install (pyTMBot's SCR-UPD-GUIDE). */
export function updateGuideView(): View {
  return {
    html: html`📘 <b>How to update tmbot</b>

🐳 <b>Container (docker compose)</b>
<pre>cd /path/to/tmbot
git pull
docker compose up -d --build</pre>
State (lockouts, bans, alert state, history) lives on the <code>tmbot-state</code> volume and survives the update.

📦 <b>From source / npm</b>
<pre>git pull
npm ci
npm run build</pre>
Then restart the process that runs <code>node dist/main.js</code>.

⚙️ <b>systemd</b>
<pre>sudo systemctl restart tmbot
journalctl -u tmbot -f</pre>
after updating the files as above.

Your <code>pytmbot.yaml</code> keeps working; new keys are optional and listed in the release notes. Check with /check_bot_updates.`,
  };
}
