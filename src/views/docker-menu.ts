import type { DockerSummary } from '../adapters/docker/port';
import { DOCKER } from './docker-actions';
import { STACKS } from './docker-stacks';
import { buttonFor } from '../telegram/actions';
import type { ActionCall } from './view';
import { clip, clipMiddle, html, joinHtml } from './html';
import { subMenuKeyboard } from './keyboards';
import type { InlineButton, View } from './view';

/** Labels of the Docker sub-menu (reply keyboard). */
export const DOCKER_MENU = {
  containers: '📦 Containers',
  images: '🖼 Images',
  stacks: '🧱 Stacks',
  hosts: '🖥 Docker hosts',
} as const;

/** One host as the overview shows it. */
export interface HostOverview {
  readonly index: number;
  readonly label: string;
  readonly summary: DockerSummary | undefined;
  /** Why the host gave no summary. */
  readonly error?: string | undefined;
}

export interface OverviewData {
  readonly hosts: readonly HostOverview[];
  /** The host the user's Containers / Images buttons open. */
  readonly current: number;
  /** 'reply': with the Docker sub-menu keyboard; 'inline': with the host picker and section buttons. */
  readonly keyboard: 'reply' | 'inline';
}

function counts(s: DockerSummary): string {
  return `${s.running} running / ${s.total} containers · ${s.images} image${s.images === 1 ? '' : 's'}`;
}

export function dockerOverviewView(d: OverviewData): View {
  const several = d.hosts.length > 1;
  const lines = d.hosts.map((h) => {
    const mark = several ? (h.index === d.current ? '✅ ' : '▫️ ') : '';
    const status =
      h.summary !== undefined
        ? html`${counts(h.summary)}`
        : html`⚠️ ${clip(h.error ?? 'not reachable', 200)}`;
    return several
      ? html`${mark}<code>${clipMiddle(h.label, 80)}</code>\n   ${status}`
      : html`🖥 <code>${clipMiddle(h.label, 80)}</code>\n${status}`;
  });
  const text = html`🐳 <b>Docker</b>

${joinHtml(lines, '\n')}${several ? html`\n\nContainers and Images open the ✅ host. ${d.keyboard === 'reply' ? `Switch with “${DOCKER_MENU.hosts}”.` : 'Tap a host to switch.'}` : ''}`;
  if (d.keyboard === 'reply') {
    return {
      html: text,
      keyboard: subMenuKeyboard(
        several
          ? Object.values(DOCKER_MENU)
          : [DOCKER_MENU.containers, DOCKER_MENU.images, DOCKER_MENU.stacks],
      ),
    };
  }
  const cur = { host: d.current, page: 0 };
  const rows: InlineButton[][] = [];
  if (several) {
    for (const h of d.hosts) {
      rows.push([
        DOCKER.overview.button(`${h.index === d.current ? '✅' : '🖥'} ${clipMiddle(h.label, 50)}`, {
          host: h.index,
        }),
      ]);
    }
  }
  rows.push([
    DOCKER.containers.button(DOCKER_MENU.containers, cur),
    DOCKER.imagesFresh.button(DOCKER_MENU.images, cur),
  ]);
  rows.push([STACKS.list.button(DOCKER_MENU.stacks, cur)]);
  return { html: text, keyboard: { kind: 'inline', rows } };
}

/** A Docker screen that could not be built: the reason as the user may see it, and a retry. */
export function dockerErrorView(message: string, retry?: ActionCall): View {
  return {
    html: html`⚠️ ${clip(message, 600)}`,
    ...(retry !== undefined
      ? { keyboard: { kind: 'inline', rows: [[buttonFor('🔄 Try again', retry)]] } }
      : {}),
  };
}
