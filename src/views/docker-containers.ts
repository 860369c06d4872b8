import { containerChartButtons } from './history';
import type {
  ContainerDetails,
  ContainerLiveStats,
  ContainerSummary,
} from '../adapters/docker/port';
import { DOCKER } from './docker-actions';
import { UPDATE } from './docker-update-actions';
import {
  ago,
  argv,
  capped,
  fitSections,
  formatBytes,
  formatClock,
  formatDuration,
  formatTime,
  healthText,
  hostLine,
  keyValueLines,
  orDash,
  pageOf,
  pageLabel,
  shortId,
  stateBadge,
} from './docker-format';
import { clip, html, joinHtml, type Html } from './html';
import type { ActionButton, InlineButton, View } from './view';

/** Containers per list page (pyTMBot parity). */
export const CONTAINERS_PER_PAGE = 8;

/** Where a screen is: which host, and how to say it (undefined with a single host). */
export interface HostContext {
  readonly host: number;
  readonly hostLabel: string | undefined;
}

/** Stable order: by name (code points), then id. */
export function sortContainers(list: readonly ContainerSummary[]): ContainerSummary[] {
  return [...list].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}

/** Prev / page / Next buttons; none when everything fits on one page. */
export function pager(
  page: number,
  pages: number,
  button: (page: number) => ActionButton,
): InlineButton[] {
  if (pages <= 1) return [];
  const row: InlineButton[] = [];
  if (page > 0) row.push({ ...button(page - 1), text: '⬅️ Prev' });
  if (page < pages - 1) row.push({ ...button(page + 1), text: 'Next ➡️' });
  return row;
}

export interface ContainerListData extends HostContext {
  readonly containers: readonly ContainerSummary[];
  readonly page: number;
  readonly now: number;
}

export function containerListView(d: ContainerListData): View {
  const sorted = sortContainers(d.containers);
  const running = sorted.filter((c) => c.state === 'running').length;
  const { page, pages, shown } = pageOf(sorted, d.page, CONTAINERS_PER_PAGE);
  const refresh = DOCKER.containers.button('🔄 Refresh', { host: d.host, page });
  if (sorted.length === 0) {
    return {
      html: html`${hostLine(d.hostLabel)}📦 <b>Containers</b>

There are no containers on this host.`,
      keyboard: { kind: 'inline', rows: [[refresh]] },
    };
  }
  const entries = shown.map((c) => {
    const health = healthText(c.health);
    return html`${stateBadge(c.state)} <b>${clip(c.name, 64)}</b>${health ? html` · ${health}` : ''}
   <code>${shortId(c.id)}</code> · ${clip(c.image, 60)}
   ${clip(c.status, 60)} · created ${ago(c.createdAt, d.now)}`;
  });
  const buttons: InlineButton[][] = shown.map((c) => [
    DOCKER.container.button(`${stateBadge(c.state)} ${clip(c.name, 50)}`, {
      host: d.host,
      id: c.id,
      page,
    }),
  ]);
  const nav = pager(page, pages, (p) => DOCKER.containers.button('', { host: d.host, page: p }));
  if (nav.length > 0) buttons.push(nav);
  buttons.push([refresh, DOCKER.overview.button('🐳 Overview', { host: d.host })]);
  return {
    html: html`${hostLine(d.hostLabel)}📦 <b>Containers</b> · ${running}/${sorted.length} running · ${pageLabel(page, pages)}

${joinHtml(entries, '\n\n')}`,
    keyboard: { kind: 'inline', rows: buttons },
  };
}

export interface ContainerDetailsData extends HostContext {
  readonly container: ContainerDetails;
  /** Undefined when not running or the sample failed. */
  readonly stats: ContainerLiveStats | undefined;
  /** Why there are no live figures, when there are none. */
  readonly statsNote?: string;
  /** The list page to go back to. */
  readonly page: number;
  readonly isAdmin: boolean;
  readonly now: number;
  /** Offer CPU and memory history charts (history is on). */
  readonly charts?: boolean;
  /** Offer the image update screen (updates are on and the container's policy allows them). */
  readonly updates?: boolean;
}

const pct = (part: number, whole: number): string =>
  whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : '—';

function usageSection(d: ContainerDetailsData): Html {
  const s = d.stats;
  if (s === undefined) return html`<b>Live usage</b>\n${d.statsNote ?? 'not running'}`;
  return html`<b>Live usage</b> · as of ${formatClock(d.now)}
Memory: ${formatBytes(s.memoryUsed)} / ${formatBytes(s.memoryLimit)} (${pct(s.memoryUsed, s.memoryLimit)})${s.memoryLimit > 0 ? html` · headroom ${formatBytes(Math.max(0, s.memoryLimit - s.memoryUsed))}` : ''}
CPU: ${s.cpuPercent === undefined ? '— (needs a second sample; refresh)' : `${s.cpuPercent.toFixed(1)} %`}
Network: ↓ ${formatBytes(s.netRx)} · ↑ ${formatBytes(s.netTx)} · errors ${s.rxErrors}/${s.txErrors}
Throttled periods: ${s.throttledPeriods} · PIDs: ${s.pids}`;
}

function limitsSection(c: ContainerDetails): Html {
  const l = c.limits;
  const cpus =
    l.nanoCpus > 0
      ? (l.nanoCpus / 1e9).toFixed(2)
      : l.cpuQuota > 0 && l.cpuPeriod > 0
        ? (l.cpuQuota / l.cpuPeriod).toFixed(2)
        : 'unlimited';
  return html`<b>Limits</b>
Memory: ${l.memory > 0 ? formatBytes(l.memory) : 'unlimited'} · reservation ${l.memoryReservation > 0 ? formatBytes(l.memoryReservation) : '—'}
CPUs: ${cpus}${l.cpusetCpus ? html` · cpuset ${clip(l.cpusetCpus, 40)}` : ''} · PIDs limit ${l.pidsLimit > 0 ? l.pidsLimit : 'none'}
Restart policy: ${clip(l.restartPolicy, 30)}${l.maxRetries > 0 ? html` (max ${l.maxRetries})` : ''}`;
}

function stateSection(c: ContainerDetails, now: number): Html {
  const lines: Html[] = [];
  if (c.failingStreak > 0) lines.push(html`Failing streak: ${c.failingStreak}`);
  if (c.lastHealthCheck !== undefined) {
    lines.push(
      html`Last health check: ${ago(c.lastHealthCheck.at, now)}, exit ${c.lastHealthCheck.exitCode}`,
    );
  }
  if (c.oomKilled) lines.push(html`⚠️ OOM killed`);
  if (c.dead) lines.push(html`⚠️ Dead`);
  if (c.error) lines.push(html`Error: ${clip(c.error, 200)}`);
  return lines.length === 0 ? html`` : html`<b>Runtime state</b>\n${joinHtml(lines, '\n')}`;
}

function networkSection(c: ContainerDetails): Html {
  const ports = c.network.ports.map((p) =>
    p.host === undefined ? p.container : `${p.host}→${p.container}`,
  );
  return html`<b>Network</b>
Mode: ${orDash(c.network.mode, 60)}
Ports: ${ports.length > 0 ? capped(ports, 10, 60) : '—'}
Networks: ${
    c.network.networks.length > 0
      ? capped(
          c.network.networks.map((n) => n.name),
          5,
          60,
        )
      : '—'
  }`;
}

function configSection(c: ContainerDetails): Html {
  return html`<b>Config</b>
User: ${orDash(c.config.user, 60)} · Workdir: ${orDash(c.config.workdir, 80)}
Entrypoint: <code>${argv(c.config.entrypoint)}</code>
Command: <code>${argv(c.config.cmd)}</code>`;
}

/** Variables shown on the details screen; the rest are counted. */
const MAX_ENV = 20;
const MAX_LABELS = 10;

export function containerDetailsView(d: ContainerDetailsData): View {
  const c = d.container;
  const health = healthText(c.health);
  const uptime =
    c.state === 'running' && c.startedAt !== undefined
      ? html` (up ${formatDuration(d.now - c.startedAt)})`
      : '';
  const head = html`${hostLine(d.hostLabel)}${stateBadge(c.state)} <b>${clip(c.name, 64)}</b> · ${c.state}${health ? html` · ${health}` : ''}
ID: <code>${shortId(c.id)}</code>
Image: ${clip(c.image, 100)}
Created: ${formatTime(c.createdAt)}
Started: ${formatTime(c.startedAt)}${uptime}
Finished: ${formatTime(c.finishedAt)}
Restarts: ${c.restartCount} · PID: ${c.pid > 0 ? c.pid : '—'} · Exit code: ${c.exitCode}`;
  const env =
    c.config.env.length > 0
      ? html`<b>Environment</b> (secret values hidden)\n${keyValueLines(c.config.env, MAX_ENV)}`
      : '';
  const labels =
    c.config.labels.length > 0
      ? html`<b>Labels</b>\n${keyValueLines(c.config.labels, MAX_LABELS, 64, 80)}`
      : '';
  const args = { host: d.host, id: c.id, page: d.page };
  const rows: InlineButton[][] = [];
  if (d.isAdmin) {
    rows.push([
      DOCKER.volumes.button('🧳 Volumes', args),
      DOCKER.networks.button('🌐 Networks', args),
      DOCKER.runtime.button('🩺 Runtime', args),
    ]);
    rows.push([
      DOCKER.logs.button('📜 Logs', { ...args, mode: 'tail100', session: '', logPage: 0 }),
      DOCKER.manage.button('🎯 Manage', args),
      ...(d.updates === true ? [UPDATE.screen.button('⬆️ Update', args)] : []),
    ]);
  }
  if (d.charts === true) rows.push(containerChartButtons(d.host, c.name));
  rows.push([
    DOCKER.container.button('🔄 Refresh', args),
    DOCKER.containers.button('⬅️ All containers', { host: d.host, page: d.page }),
  ]);
  return {
    html: fitSections([
      head,
      usageSection(d),
      limitsSection(c),
      stateSection(c, d.now),
      networkSection(c),
      configSection(c),
      env,
      labels,
    ]),
    keyboard: { kind: 'inline', rows },
  };
}

/** "Back to <name>" for the admin sub-screens. */
export function backToContainer(
  ctx: HostContext,
  c: { id: string; name: string },
  page: number,
): InlineButton[] {
  return [
    DOCKER.container.button(`⬅️ Back to ${clip(c.name, 30)}`, { host: ctx.host, id: c.id, page }),
    DOCKER.containers.button('📦 All containers', { host: ctx.host, page }),
  ];
}

/** Items per list on the volumes / networks / runtime screens. */
const MAX_ITEMS = 20;
const MAX_ALIASES = 8;

export interface ContainerSubData extends HostContext {
  readonly container: ContainerDetails;
  readonly page: number;
  readonly now: number;
}

export function volumesView(d: ContainerSubData): View {
  const c = d.container;
  const s = c.storage;
  const mounts = s.mounts.slice(0, MAX_ITEMS).map(
    (
      m,
    ) => html`• <b>${clip(m.type, 12)}</b> ${m.name !== undefined ? html`<code>${clip(m.name, 64)}</code> ` : ''}${clip(m.source, 120)} → <code>${clip(m.destination, 120)}</code>
   ${m.readWrite ? 'rw' : 'ro'}${m.mode ? html` · mode ${clip(m.mode, 20)}` : ''}${m.propagation ? html` · ${clip(m.propagation, 20)}` : ''}${m.driver !== undefined ? html` · driver ${clip(m.driver, 30)}` : ''}`,
  );
  if (s.mounts.length > MAX_ITEMS) mounts.push(html`<i>+${s.mounts.length - MAX_ITEMS} more</i>`);
  const extra: Html[] = [];
  if (c.config.imageVolumes.length > 0)
    extra.push(html`Declared by the image: ${capped(c.config.imageVolumes, MAX_ITEMS, 120)}`);
  if (s.binds.length > 0) extra.push(html`Binds: ${capped(s.binds, MAX_ITEMS, 160)}`);
  if (s.volumesFrom.length > 0)
    extra.push(html`Volumes from: ${capped(s.volumesFrom, MAX_ITEMS, 80)}`);
  if (s.tmpfs.length > 0)
    extra.push(
      html`Tmpfs: ${capped(
        s.tmpfs.map((t) => (t.value ? `${t.key} (${t.value})` : t.key)),
        MAX_ITEMS,
        120,
      )}`,
    );
  return {
    html: fitSections([
      html`${hostLine(d.hostLabel)}🧳 <b>Volumes of ${clip(c.name, 64)}</b>`,
      mounts.length > 0 ? joinHtml(mounts, '\n') : html`No mounts.`,
      extra.length > 0 ? joinHtml(extra, '\n') : '',
    ]),
    keyboard: { kind: 'inline', rows: [backToContainer(d, c, d.page)] },
  };
}

export function networksView(d: ContainerSubData): View {
  const c = d.container;
  const n = c.network;
  const published = n.ports
    .filter((p) => p.host !== undefined)
    .map((p) => `${p.host ?? ''}→${p.container}`);
  const head = html`${hostLine(d.hostLabel)}🌐 <b>Networks of ${clip(c.name, 64)}</b>
Mode: ${orDash(n.mode, 60)} · Hostname: ${orDash(c.config.domainname ? `${c.config.hostname}.${c.config.domainname}` : c.config.hostname, 80)}
Sandbox: <code>${n.sandboxId ? shortId(n.sandboxId) : '—'}</code> · Publish all: ${n.publishAll ? 'yes' : 'no'}
Published: ${published.length > 0 ? capped(published, MAX_ITEMS, 60) : '—'}
Exposed: ${c.config.exposedPorts.length > 0 ? capped(c.config.exposedPorts, MAX_ITEMS, 30) : '—'}
DNS: ${n.dns.length > 0 ? capped(n.dns, MAX_ITEMS, 60) : '—'} · search ${n.dnsSearch.length > 0 ? capped(n.dnsSearch, MAX_ITEMS, 60) : '—'} · options ${n.dnsOptions.length > 0 ? capped(n.dnsOptions, MAX_ITEMS, 60) : '—'}
Extra hosts: ${n.extraHosts.length > 0 ? capped(n.extraHosts, MAX_ITEMS, 80) : '—'}
Links: ${n.links.length > 0 ? capped(n.links, MAX_ITEMS, 80) : '—'}`;
  const attached = n.networks.slice(0, MAX_ITEMS).map(
    (net) => html`• <b>${clip(net.name, 64)}</b>
   IPv4: ${orDash(net.ipv4, 50)} · gateway ${orDash(net.gateway, 50)}
   IPv6: ${orDash(net.ipv6, 60)} · gateway ${orDash(net.ipv6Gateway, 60)}
   MAC: ${orDash(net.mac, 20)} · endpoint <code>${net.endpointId ? shortId(net.endpointId) : '—'}</code> · network <code>${net.networkId ? shortId(net.networkId) : '—'}</code>
   Aliases: ${net.aliases.length > 0 ? capped(net.aliases, MAX_ALIASES, 60) : '—'}`,
  );
  if (n.networks.length > MAX_ITEMS)
    attached.push(html`<i>+${n.networks.length - MAX_ITEMS} more</i>`);
  return {
    html: fitSections([
      head,
      attached.length > 0 ? joinHtml(attached, '\n') : html`Not attached to any network.`,
    ]),
    keyboard: { kind: 'inline', rows: [backToContainer(d, c, d.page)] },
  };
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

export function runtimeView(d: ContainerSubData): View {
  const c = d.container;
  const last = c.lastHealthCheck;
  const firstLine = last?.output.split('\n').find((l) => l.trim() !== '') ?? '';
  const health =
    c.health === 'none'
      ? html`<b>Health</b>: no healthcheck`
      : html`<b>Health</b>: ${healthText(c.health)} · failing streak ${c.failingStreak}
Last check: ${last === undefined ? '—' : html`${formatTime(last.at)}, exit ${last.exitCode}`}
Output: <code>${firstLine ? clip(firstLine, 160) : '—'}</code>`;
  const lifecycle = html`<b>Lifecycle</b>
Created: ${formatTime(c.createdAt)} · Started: ${formatTime(c.startedAt)} · Finished: ${formatTime(c.finishedAt)}
PID: ${c.pid > 0 ? c.pid : '—'} · Exit code: ${c.exitCode} · Stop signal: ${orDash(c.config.stopSignal, 20)} · Stop timeout: ${c.config.stopTimeout !== undefined ? `${c.config.stopTimeout} s` : '—'}
OOM killed: ${yesNo(c.oomKilled)} · Dead: ${yesNo(c.dead)}${c.error ? html` · Error: ${clip(c.error, 200)}` : ''}`;
  const sec = c.security;
  const nnp = sec.securityOpt.some((o) => /^no-new-privileges(:true|=true)?$/.test(o));
  const security = html`<b>Security</b>
Privileged: ${sec.privileged ? '⚠️ yes' : 'no'} · Read-only rootfs: ${yesNo(sec.readonlyRootfs)} · OOM-kill disabled: ${yesNo(sec.oomKillDisable)}
No-new-privileges: ${yesNo(nnp)} · Init: ${yesNo(sec.init)}
Security options: ${sec.securityOpt.length > 0 ? capped(sec.securityOpt, MAX_ITEMS, 80) : '—'}
CapAdd: ${sec.capAdd.length > 0 ? capped(sec.capAdd, MAX_ITEMS, 40) : '—'}
CapDrop: ${sec.capDrop.length > 0 ? capped(sec.capDrop, MAX_ITEMS, 40) : '—'}`;
  return {
    html: fitSections([
      html`${hostLine(d.hostLabel)}🩺 <b>Runtime of ${clip(c.name, 64)}</b>`,
      health,
      lifecycle,
      security,
    ]),
    keyboard: { kind: 'inline', rows: [backToContainer(d, c, d.page)] },
  };
}
