import { DOCKER, LOG_MODES, type LogMode } from './docker-actions';
import { ContainerRedaction } from '../security/redact-container';
import { hostLine } from './docker-format';
import { clip, html } from './html';
import type { InlineButton, View } from './view';

/** Characters of log text per page (pyTMBot parity), far enough below 4096 for the header. */
export const LOG_PAGE_CHARS = 3200;
/** A longer line is cut on the page (the file keeps it whole). */
export const LOG_LINE_CHARS = 1000;

/**
 * Makes container output safe to show: ANSI and other control sequences removed,
 * bidi overrides dropped, then secrets masked (`redact`: the bot token and
 * configured secrets; then the shared container-data rules of `ContainerRedaction`).
 */
export function sanitiseLog(text: string, redact: (s: string) => string): string {
  return new ContainerRedaction(redact).log(text);
}

/** Splits sanitised text into pages of at most `maxChars`, newest page first; lines stay in order within a page. */
export function paginateNewestFirst(
  text: string,
  maxChars = LOG_PAGE_CHARS,
  maxLine = LOG_LINE_CHARS,
): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return [];
  const pages: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const raw = lines[i] ?? '';
    const line =
      raw.length > maxLine ? `${raw.slice(0, maxLine)}… [+${raw.length - maxLine} chars]` : raw;
    const cost = line.length + 1;
    if (size + cost > maxChars && current.length > 0) {
      pages.push(current.join('\n'));
      current = [];
      size = 0;
    }
    current.unshift(line);
    size += cost;
  }
  if (current.length > 0) pages.push(current.join('\n'));
  return pages;
}

export const LOG_MODE_LABEL: Record<LogMode, string> = {
  tail100: 'last 100 lines',
  tail500: 'last 500 lines',
  hour: 'last hour',
};

const MODE_BUTTON: Record<LogMode, string> = {
  tail100: '100 lines',
  tail500: '500 lines',
  hour: 'Last hour',
};

export interface LogsViewData {
  readonly host: number;
  readonly hostLabel: string | undefined;
  readonly containerId: string;
  readonly name: string;
  /** The container list page to go back to. */
  readonly listPage: number;
  readonly mode: LogMode;
  readonly session: string;
  readonly pages: readonly string[];
  readonly page: number;
  readonly lines: number;
  /** The engine sent more than was kept. */
  readonly clipped: boolean;
}

export function logsView(d: LogsViewData): View {
  const pages = Math.max(1, d.pages.length);
  const page = Math.min(Math.max(0, d.page), pages - 1);
  const body = d.pages[page] ?? '';
  const base = { host: d.host, id: d.containerId, page: d.listPage };
  const at = (text: string, mode: LogMode, session: string, logPage: number): InlineButton =>
    DOCKER.logs.button(text, { ...base, mode, session, logPage });
  const nav: InlineButton[] = [];
  if (page > 0) nav.push(at('⬅️ Newer', d.mode, d.session, page - 1));
  if (page < pages - 1) nav.push(at('Older ➡️', d.mode, d.session, page + 1));
  const rows: InlineButton[][] = [];
  if (nav.length > 0) rows.push(nav);
  rows.push([
    at('🔄 Refresh', d.mode, '', 0),
    DOCKER.logFile.button('📎 As file', { ...base, mode: d.mode, session: d.session }),
  ]);
  rows.push(
    LOG_MODES.map((m) => at(m === d.mode ? `• ${MODE_BUTTON[m]}` : MODE_BUTTON[m], m, '', 0)),
  );
  rows.push([DOCKER.container.button(`⬅️ Back to ${clip(d.name, 30)}`, base)]);
  const header = html`${hostLine(d.hostLabel)}📜 <b>Logs of ${clip(d.name, 64)}</b> · ${LOG_MODE_LABEL[d.mode]}
Page ${page + 1}/${pages} · newest first · ${d.lines} line(s)${d.clipped ? ' · oldest part dropped' : ''}`;
  const content = body === '' ? html`<i>No log output.</i>` : html`<pre>${body}</pre>`;
  return {
    html: html`${header}
${content}
<i>Secrets are masked. Full log on the host: </i><code>docker logs ${clip(d.name, 64)}</code>`,
    keyboard: { kind: 'inline', rows },
  };
}

/** A file name made of safe characters only. */
export function logFileName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 60);
  return `${safe || 'container'}-logs.txt`;
}

/** The caption of an "As file" log document. */
export function logFileCaptionView(name: string, mode: LogMode, deleteMs: number): View {
  return {
    html: html`📎 Logs of <b>${clip(name, 64)}</b> · ${LOG_MODE_LABEL[mode]} · secrets masked. Deleted in ${Math.round(deleteMs / 1000)} s.`,
  };
}

/** The toast after an "As file" document was sent. */
export const logFileSentText = (deleteMs: number): string =>
  `Sent. Auto-delete in ${Math.round(deleteMs / 1000)} s.`;
