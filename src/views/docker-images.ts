import type {
  ContainerSummary,
  ImageDetails,
  ImageLayer,
  ImageSummary,
} from '../adapters/docker/port';
import type { ImageUpdate } from '../adapters/docker/update-checker';
import { DOCKER } from './docker-actions';
import { pager, sortContainers, type HostContext } from './docker-containers';
import {
  ago,
  argv,
  capped,
  fitSections,
  formatBytes,
  formatDuration,
  formatTime,
  hostLine,
  keyValueLines,
  orDash,
  pageOf,
  pageLabel,
  shortId,
  stateBadge,
} from './docker-format';
import { clip, html, joinHtml, type Html } from './html';
import type { InlineButton, View } from './view';

/** Images per list page: each entry takes four lines. */
export const IMAGES_PER_PAGE = 5;

/** The name an image goes by: its first tag, or its short id when untagged. */
export const imageName = (i: ImageSummary): string => i.tags[0] ?? `<none> (${shortId(i.id)})`;

/** Tagged images first, by name; untagged ones by id. */
export function sortImages(list: readonly ImageSummary[]): ImageSummary[] {
  const key = (i: ImageSummary): string => (i.tags[0] !== undefined ? `0${i.tags[0]}` : `1${i.id}`);
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export interface ImageListData extends HostContext {
  readonly images: readonly ImageSummary[];
  readonly page: number;
  readonly now: number;
  /** "os/arch[/variant]" of the images on this page, by id (from inspect; absent when it failed). */
  readonly platforms?: ReadonlyMap<string, string>;
}

/** The images a list page shows, in order: the ones whose platform the list wants. */
export function imagesOnPage(
  images: readonly ImageSummary[],
  page: number,
): readonly ImageSummary[] {
  return pageOf(sortImages(images), page, IMAGES_PER_PAGE).shown;
}

/** "linux/arm64/v8" from an image's inspect fields; '' when the engine gave none. */
export const imagePlatform = (i: Pick<ImageDetails, 'os' | 'architecture' | 'variant'>): string =>
  [i.os, i.architecture, i.variant].filter(Boolean).join('/');

/** Size, plus what other images share of it (pyTMBot's size / shared). */
function sizeWithShared(i: ImageSummary): Html {
  const shared = i.sharedSize;
  return shared !== undefined && shared > 0
    ? html`${formatBytes(i.size)} (shared ${formatBytes(shared)}, own ${formatBytes(Math.max(0, i.size - shared))})`
    : html`${formatBytes(i.size)}`;
}

export function imageListView(d: ImageListData): View {
  const sorted = sortImages(d.images);
  const { page, pages, shown } = pageOf(sorted, d.page, IMAGES_PER_PAGE);
  const refresh = DOCKER.imagesFresh.button('🔄 Refresh', { host: d.host, page });
  if (sorted.length === 0) {
    return {
      html: html`${hostLine(d.hostLabel)}🖼 <b>Images</b>\n\nThere are no images on this host.`,
      keyboard: { kind: 'inline', rows: [[refresh]] },
    };
  }
  const entries = shown.map((i) => {
    const others = i.tags.slice(1);
    const platform = d.platforms?.get(i.id);
    return html`📦 <b>${clip(imageName(i), 90)}</b>
   <code>${shortId(i.id)}</code>${platform ? html` · ${clip(platform, 40)}` : ''} · ${sizeWithShared(i)} · created ${ago(i.createdAt, d.now)}${
     others.length > 0 ? html`\n   Also: ${capped(others, 5, 90)}` : ''
   }`;
  });
  const rows: InlineButton[][] = shown.map((i) => [
    DOCKER.image.button(`📦 ${clip(imageName(i), 50)}`, { host: d.host, id: i.id, page }),
  ]);
  const nav = pager(page, pages, (p) => DOCKER.images.button('', { host: d.host, page: p }));
  if (nav.length > 0) rows.push(nav);
  rows.push([
    DOCKER.updates.button('🔎 Check updates', { host: d.host, scope: 'all', page }),
    refresh,
  ]);
  rows.push([DOCKER.overview.button('🐳 Overview', { host: d.host })]);
  return {
    html: html`${hostLine(d.hostLabel)}🖼 <b>Images</b> · ${sorted.length} · ${pageLabel(page, pages)}

${joinHtml(entries, '\n\n')}`,
    keyboard: { kind: 'inline', rows },
  };
}

export interface ImageDetailsData extends HostContext {
  readonly image: ImageDetails;
  readonly page: number;
  readonly now: number;
}

const seconds = (ns: number): string => (ns > 0 ? formatDuration(ns / 1e6) : '—');

export function imageDetailsView(d: ImageDetailsData): View {
  const i = d.image;
  const cfg = i.config;
  const platform = imagePlatform(i) || '—';
  const virtual =
    i.virtualSize !== undefined && i.virtualSize !== i.size
      ? html` · virtual ${formatBytes(i.virtualSize)}`
      : '';
  const head = html`${hostLine(d.hostLabel)}📦 <b>${clip(imageName(i), 100)}</b>
ID: <code>${shortId(i.id)}</code>
Tags: ${i.tags.length > 0 ? capped(i.tags, 12, 160) : '—'}
Digests: ${i.digests.length > 0 ? capped(i.digests, 12, 160, '\n  ') : '—'}
Platform: ${clip(platform, 60)} · Size: ${sizeWithShared(i)}${virtual}
Layers: ${i.layers} · root fs: ${orDash(i.rootfsType, 30)}
Created: ${formatTime(i.createdAt)} (${ago(i.createdAt, d.now)})${i.parent ? html`\nParent: <code>${shortId(i.parent)}</code>` : ''}`;
  const hc = cfg.healthcheck;
  const config = html`<b>Config</b>
User: ${orDash(cfg.user, 60)} · Workdir: ${orDash(cfg.workdir, 80)} · Stop signal: ${orDash(cfg.stopSignal, 20)}
Entrypoint: <code>${argv(cfg.entrypoint)}</code>
Command: <code>${argv(cfg.cmd)}</code>${cfg.shell.length > 0 ? html`\nShell: <code>${argv(cfg.shell)}</code>` : ''}
Healthcheck: ${hc === undefined ? '—' : html`<code>${argv(hc.test)}</code> every ${seconds(hc.intervalNs)}, timeout ${seconds(hc.timeoutNs)}, start period ${seconds(hc.startPeriodNs)}, retries ${hc.retries}`}
Exposed ports: ${cfg.exposedPorts.length > 0 ? capped(cfg.exposedPorts, 20, 30) : '—'}
Volumes: ${cfg.volumes.length > 0 ? capped(cfg.volumes, 20, 100) : '—'}`;
  const meta: Html[] = [];
  if (i.author) meta.push(html`Author: ${clip(i.author, 100)}`);
  if (i.dockerVersion) meta.push(html`Docker version: ${clip(i.dockerVersion, 40)}`);
  if (i.comment) meta.push(html`Comment: ${clip(i.comment, 160)}`);
  const env =
    cfg.env.length > 0
      ? html`<b>Environment</b> (secret values hidden)\n${keyValueLines(cfg.env, 12)}`
      : '';
  const labels =
    cfg.labels.length > 0 ? html`<b>Labels</b>\n${keyValueLines(cfg.labels, 12, 64, 180)}` : '';
  const args = { host: d.host, id: i.id, page: d.page };
  return {
    html: fitSections([head, config, meta.length > 0 ? joinHtml(meta, '\n') : '', env, labels]),
    keyboard: {
      kind: 'inline',
      rows: [
        [DOCKER.history.button('📜 History', args), DOCKER.usedBy.button('📦 Used by', args)],
        [
          DOCKER.updates.button('🔎 Check updates', { host: d.host, scope: i.id, page: d.page }),
          DOCKER.images.button('⬅️ All images', { host: d.host, page: d.page }),
        ],
      ],
    },
  };
}

function backToImage(ctx: HostContext, id: string, page: number): InlineButton[] {
  return [
    DOCKER.image.button('⬅️ Back to image', { host: ctx.host, id, page }),
    DOCKER.images.button('🖼 All images', { host: ctx.host, page }),
  ];
}

/** Layers shown on the history screen (pyTMBot parity). */
const MAX_LAYERS = 12;

export function imageHistoryView(
  d: HostContext & {
    image: ImageSummary;
    layers: readonly ImageLayer[];
    page: number;
    now: number;
  },
): View {
  const rows = d.layers.slice(0, MAX_LAYERS).map(
    (
      l,
    ) => html`• <code>${l.id === '<missing>' ? l.id : shortId(l.id)}</code> · ${formatBytes(l.size)} · ${ago(l.createdAt, d.now)}
   <code>${clip(l.createdBy.replace(/\s+/g, ' ') || '—', 180)}</code>${l.comment ? html`\n   ${clip(l.comment, 100)}` : ''}`,
  );
  if (d.layers.length > MAX_LAYERS)
    rows.push(html`<i>+${d.layers.length - MAX_LAYERS} more layers</i>`);
  return {
    html: fitSections([
      html`${hostLine(d.hostLabel)}📜 <b>History of ${clip(imageName(d.image), 90)}</b> · ${d.layers.length} layer(s)`,
      rows.length > 0 ? joinHtml(rows, '\n') : html`No history.`,
    ]),
    keyboard: { kind: 'inline', rows: [backToImage(d, d.image.id, d.page)] },
  };
}

/** Containers listed on the "used by" screen. */
const MAX_USERS = 12;

export function imageUsedByView(
  d: HostContext & { image: ImageSummary; containers: readonly ContainerSummary[]; page: number },
): View {
  const users = sortContainers(d.containers.filter((c) => c.imageId === d.image.id));
  const running = users.filter((c) => c.state === 'running');
  const ordered = [...running, ...users.filter((c) => c.state !== 'running')];
  const lines = ordered
    .slice(0, MAX_USERS)
    .map(
      (c) =>
        html`${stateBadge(c.state)} <b>${clip(c.name, 64)}</b> · <code>${shortId(c.id)}</code> · ${clip(c.status, 60)}`,
    );
  if (ordered.length > MAX_USERS) lines.push(html`<i>+${ordered.length - MAX_USERS} more</i>`);
  return {
    html: html`${hostLine(d.hostLabel)}📦 <b>Containers using ${clip(imageName(d.image), 90)}</b>
${running.length} running · ${users.length - running.length} stopped

${lines.length > 0 ? joinHtml(lines, '\n') : 'No container uses this image.'}`,
    keyboard: { kind: 'inline', rows: [backToImage(d, d.image.id, d.page)] },
  };
}

const shortDigest = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);

function updateLine(u: ImageUpdate): Html {
  const s = u.status;
  const name = html`<b>${clip(u.tag, 100)}</b>`;
  const newer = u.newerTags.length > 0 ? html`\n   Newer tags: ${capped(u.newerTags, 5, 40)}` : '';
  switch (s.kind) {
    case 'update':
      return html`⬆️ ${name}: update available
   here <code>${shortDigest(s.localDigest)}</code> → registry <code>${shortDigest(s.remoteDigest)}</code>${newer}`;
    case 'up-to-date':
      return html`✅ ${name}: up to date${newer}`;
    case 'unknown':
      return html`❔ ${name}: cannot tell (${clip(s.reason, 120)})${newer}`;
    case 'rate-limited':
      return html`⏳ ${name}: the registry is rate-limiting; try again in ${formatDuration(s.retryAfterSec * 1000)}`;
    case 'error':
      return html`⚠️ ${name}: ${clip(s.reason, 160)}`;
  }
}

export interface UpdatesData extends HostContext {
  readonly results: readonly ImageUpdate[];
  /** 'all' or the image id the check was started from. */
  readonly scope: string;
  readonly page: number;
  readonly now: number;
}

export function updatesView(d: UpdatesData): View {
  const updates = d.results.filter((r) => r.status.kind === 'update').length;
  const oldest = d.results.reduce((m, r) => Math.min(m, r.checkedAt), d.now);
  const summary =
    d.results.length === 0
      ? html`No tagged images to check.`
      : html`${updates} update(s) among ${d.results.length} tag(s) · registry answers from ${ago(oldest, d.now)} (kept up to 1 h)`;
  const back =
    d.scope === 'all'
      ? DOCKER.images.button('⬅️ All images', { host: d.host, page: d.page })
      : DOCKER.image.button('⬅️ Back to image', { host: d.host, id: d.scope, page: d.page });
  return {
    html: fitSections([
      html`${hostLine(d.hostLabel)}🔎 <b>Image updates</b>\n${summary}`,
      ...d.results.map(updateLine),
    ]),
    keyboard: {
      kind: 'inline',
      rows: [
        [
          DOCKER.updates.button('🔄 Check again', { host: d.host, scope: d.scope, page: d.page }),
          back,
        ],
      ],
    },
  };
}

/** Shown at once while an update check asks the registries. */
export const UPDATES_TOAST = 'Asking the registries…';
