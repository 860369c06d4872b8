import { defineAction, field } from '../telegram/actions';
import { pager } from '../views/docker-containers';
import { pageOf } from '../views/docker-format';
import { clip, html, joinHtml, type Html } from '../views/html';
import { LOCAL_HOST_ACTION } from '../views/server';
import { bar, bytes, duration, percent } from '../views/server-format';
import {
  rows,
  type ActionButton,
  type InlineButton,
  type Keyboard,
  type View,
} from '../views/view';
import { keyFigures, usedPercent } from './health';
import type { HostState, HostStatus, RemoteSnapshot } from './port';

/** What a host picker leads to: the Server menu or Quick view. */
export type PickTarget = 'server' | 'quick';

export const REMOTE_SCREENS = [
  'overview',
  'load',
  'cpu',
  'memory',
  'swap',
  'filesystems',
  'network',
  'temperatures',
  'uptime',
] as const;
export type RemoteScreen = (typeof REMOTE_SCREENS)[number];

/** Page numbers a button may carry. */
const PAGE = field.int(0, 100_000);
/** Host names come from remote labels: any text, bounded. */
const HOST = field.text(/^[\s\S]{1,256}$/);

export const FLEET_ACTION = {
  page: defineAction('fleet.page', { page: PAGE }),
  host: defineAction('fleet.host', { name: HOST, screen: field.oneOf(REMOTE_SCREENS) }),
  pick: defineAction('fleet.pick', {
    target: field.oneOf(['server', 'quick'] as const),
    page: PAGE,
  }),
};

const TITLES: Record<RemoteScreen, string> = {
  overview: '👀 Overview',
  load: '📈 Load',
  cpu: '🧮 CPU',
  memory: '💾 Memory',
  swap: '🔃 Swap',
  filesystems: '💽 File systems',
  network: '📡 Network',
  temperatures: '🌡 Temperatures',
  uptime: '⏱ Uptime',
};

const STATE_ICON: Record<HostState, string> = {
  down: '🔴',
  critical: '🟠',
  warning: '🟡',
  ok: '🟢',
};

/** Shown on every remote screen: what node_exporter's metrics cannot tell tmbot. */
export const REMOTE_LIMITS =
  'Not available for a remote host: processes and Top, logged-in users, connections, disk I/O, fans and Docker (node_exporter does not export them to tmbot).';

const NAME_CHARS = 40;
const NOT_EXPORTED = 'not exported';

function figures(s: RemoteSnapshot): string {
  const f = keyFigures(s);
  const parts = [
    `CPU ${f.cpu !== undefined ? percent(f.cpu) : '—'}`,
    `mem ${f.memory !== undefined ? percent(f.memory) : '—'}`,
    `disk ${f.disk !== undefined ? percent(f.disk) : '—'}`,
  ];
  if (s.load !== undefined) parts.push(`load ${s.load[0].toFixed(2)}`);
  return parts.join(' · ');
}

function hostLine(h: HostStatus): Html {
  const detail =
    h.state === 'down' || h.snapshot === undefined
      ? `down: ${clip(h.error ?? 'no answer', 80)}`
      : figures(h.snapshot);
  return html`${STATE_ICON[h.state]} <b>${clip(h.name, NAME_CHARS)}</b> — ${detail}`;
}

/** The Fleet overview: every host, worst first, paged. */
export function fleetView(statuses: readonly HostStatus[], page: number, perPage: number): View {
  const { page: p, pages, shown } = pageOf(statuses, page, perPage);
  const count = (s: HostState): number => statuses.filter((h) => h.state === s).length;
  const head = html`🌐 <b>Fleet</b>: ${statuses.length} host${statuses.length === 1 ? '' : 's'} — ${count('down')} down, ${count('critical')} critical, ${count('warning')} warning, ${count('ok')} ok`;
  const body =
    statuses.length === 0
      ? [html`No remote hosts are configured (see docs/fleet.md).`]
      : shown.map(hostLine);
  const hostButtons: ActionButton[] = shown.map((h) =>
    FLEET_ACTION.host.button(`${STATE_ICON[h.state]} ${clip(h.name, 24)}`, {
      name: h.name,
      screen: 'overview',
    }),
  );
  const nav = pager(p, pages, (n) => FLEET_ACTION.page.button('', { page: n }));
  const refresh: InlineButton = FLEET_ACTION.page.button('🔄 Refresh', { page: p });
  return {
    html: joinHtml([
      head,
      ...(pages > 1 ? [html`<i>page ${p + 1} of ${pages}</i>`] : []),
      '',
      ...body,
    ]),
    keyboard: { kind: 'inline', rows: [...rows(hostButtons, 2), [...nav, refresh]] },
  };
}

/** Which host a Server or Quick view button is about, when more than one is configured. */
export function hostPickerView(
  target: PickTarget,
  names: readonly string[],
  page: number,
  perPage: number,
): View {
  const { page: p, pages, shown } = pageOf(names, page, perPage);
  const local = LOCAL_HOST_ACTION.button('🖥 This host', { target });
  const remote: ActionButton[] = shown.map((n) =>
    FLEET_ACTION.host.button(`🌐 ${clip(n, 28)}`, { name: n, screen: 'overview' }),
  );
  const nav = pager(p, pages, (n) => FLEET_ACTION.pick.button('', { target, page: n }));
  return {
    html: html`${target === 'server' ? '🚀 Server' : '👀 Quick view'}: which host?`,
    keyboard: {
      kind: 'inline',
      rows: [...(p === 0 ? [[local]] : []), ...rows(remote, 2), ...(nav.length > 0 ? [nav] : [])],
    },
  };
}

function section(screen: RemoteScreen, s: RemoteSnapshot): Html[] {
  switch (screen) {
    case 'load':
      return s.load === undefined
        ? [html`Load: ${NOT_EXPORTED}`]
        : [html`Load average: ${s.load.map((l) => l.toFixed(2)).join(' / ')} (1, 5, 15 min)`];
    case 'cpu':
      return s.cpu === undefined
        ? [html`CPU: ${NOT_EXPORTED}`]
        : [
            html`CPU cores: ${s.cpu.cores}`,
            s.cpu.busyPercent !== undefined
              ? html`Busy: ${bar(s.cpu.busyPercent)} ${percent(s.cpu.busyPercent)}`
              : html`Busy: shown from the second reading on (counters need two samples)`,
          ];
    case 'memory': {
      const m = s.memory;
      if (m === undefined) return [html`Memory: ${NOT_EXPORTED}`];
      const used = m.totalBytes - m.availableBytes;
      const pct = m.totalBytes > 0 ? (used / m.totalBytes) * 100 : 0;
      return [
        html`Memory: ${bar(pct)} ${percent(pct)}`,
        html`Total ${bytes(m.totalBytes)} · used ${bytes(used)} · available ${bytes(m.availableBytes)}`,
      ];
    }
    case 'swap': {
      const w = s.swap;
      if (w === undefined) return [html`Swap: ${NOT_EXPORTED}`];
      if (w.totalBytes === 0) return [html`Swap: none configured`];
      const used = w.totalBytes - w.freeBytes;
      return [
        html`Swap: ${bytes(used)} of ${bytes(w.totalBytes)} (${percent((used / w.totalBytes) * 100)})`,
      ];
    }
    case 'filesystems':
      return s.filesystems.length === 0
        ? [html`File systems: ${NOT_EXPORTED}`]
        : s.filesystems.slice(0, 20).map((f) => {
            const pct = usedPercent(f) ?? 0;
            return html`<code>${clip(f.mount, 40)}</code> ${clip(f.fstype, 12)}: ${percent(pct)} of ${bytes(f.sizeBytes)}, ${bytes(f.availBytes)} free`;
          });
    case 'network':
      return s.network.length === 0
        ? [html`Network: ${NOT_EXPORTED}`]
        : s.network
            .slice(0, 20)
            .map(
              (n) =>
                html`<code>${clip(n.name, 24)}</code>: ↓ ${bytes(n.rxBytes)} ↑ ${bytes(n.txBytes)}`,
            );
    case 'temperatures':
      return s.temperatures.length === 0
        ? [html`Temperatures: none exported (no hwmon sensors, or the collector is off)`]
        : s.temperatures
            .slice(0, 20)
            .map(
              (t) => html`${clip(t.chip, 32)} ${clip(t.sensor, 16)}: ${t.celsius.toFixed(1)} °C`,
            );
    case 'uptime':
      return [
        s.uptimeSeconds === undefined
          ? html`Uptime: ${NOT_EXPORTED}`
          : html`Uptime: ${duration(s.uptimeSeconds)}`,
      ];
    case 'overview':
      return (['load', 'cpu', 'memory', 'swap', 'uptime'] as const).flatMap((k) => section(k, s));
  }
}

function screenKeyboard(name: string, current: RemoteScreen): Keyboard {
  const buttons: ActionButton[] = REMOTE_SCREENS.filter((x) => x !== current).map((x) =>
    FLEET_ACTION.host.button(TITLES[x], { name, screen: x }),
  );
  return {
    kind: 'inline',
    rows: [...rows(buttons, 3), [FLEET_ACTION.page.button('🌐 Fleet', { page: 0 })]],
  };
}

/** One remote host's screen. Host names and labels come from remote systems: escaped. */
export function remoteHostView(name: string, screen: RemoteScreen, s: RemoteSnapshot): View {
  return {
    html: joinHtml([
      html`🌐 <b>${clip(name, NAME_CHARS)}</b> — ${TITLES[screen]}`,
      '',
      ...section(screen, s),
      '',
      html`<i>${REMOTE_LIMITS}</i>`,
    ]),
    keyboard: screenKeyboard(name, screen),
  };
}

/** A remote host that cannot be read now. */
export function remoteDownView(name: string, screen: RemoteScreen, reason: string): View {
  return {
    html: html`🔴 <b>${clip(name, NAME_CHARS)}</b> is unreachable: ${clip(reason, 200)}`,
    keyboard: screenKeyboard(name, screen),
  };
}
