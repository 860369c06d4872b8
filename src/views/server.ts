/**
 * The Server menu and the frame of its screens: navigation buttons, titles and the
 * context note. The bodies are in server-bodies.ts.
 */
import type { HostScope } from '../adapters/system/system-port';
import { SystemReadTimeoutError } from '../errors';
import { defineAction, defineCodecAction, field } from '../telegram/actions';
import { html, type Html } from './html';
import { subMenuKeyboard } from './keyboards';
import { rows, type ActionButton, type Keyboard, type View } from './view';

/** The remote-host picker's "This host" button (docs/fleet.md): the local Server menu or Quick view. */
export const LOCAL_HOST_ACTION = defineAction('server.local', {
  target: field.oneOf(['server', 'quick'] as const),
});

/** Reply-keyboard labels of the Server menu (pyTMBot's KB-02). */
export const SERVER_MENU = {
  load: '🪫 Load average',
  cpu: '🔌 CPU',
  memory: '📟 Memory load',
  sensors: '⏱️ Sensors',
  process: '🚀 Process',
  uptime: '🛸 Uptime',
  filesystem: '💾 File system',
  network: '📡 Network',
} as const;

/** Every server screen an inline button can open. */
export const SERVER_SCREENS = [
  'load',
  'cpu',
  'cores',
  'times',
  'top',
  'memory',
  'swap',
  'sensors',
  'fans',
  'process',
  'uptime',
  'users',
  'fs',
  'diskio',
  'net',
  'ifaces',
  'conns',
] as const;
export type ServerScreen = (typeof SERVER_SCREENS)[number];

export const isServerScreen = (s: string | undefined): s is ServerScreen =>
  (SERVER_SCREENS as readonly string[]).includes(s ?? '');

export type TopSort = 'cpu' | 'mem';
/** The screen group a Top 10 list was opened from (its buttons lead back there). */
export type TopFrom = 'cpu' | 'process';

/** Which navigation a screen shows: its group, and for Top 10 where it came from and how it is sorted. */
export interface ScreenNav {
  readonly screen: ServerScreen;
  readonly top?: { readonly from: TopFrom; readonly sort: TopSort };
}

/** The callback action of every server screen button; stored as [screen] or ['top', from, sort]. */
export const SERVER_ACTION = defineCodecAction<ScreenNav>('server.view', {
  encode: (nav) =>
    nav.top === undefined ? [nav.screen] : [nav.screen, nav.top.from, nav.top.sort],
  decode([screen, from, sort, ...rest]) {
    if (!isServerScreen(screen) || rest.length > 0) return undefined;
    if (screen !== 'top') return from === undefined ? { screen } : undefined;
    if ((from !== 'cpu' && from !== 'process') || (sort !== 'cpu' && sort !== 'mem'))
      return undefined;
    return { screen, top: { from, sort } };
  },
});

interface NavButton {
  readonly screen: ServerScreen;
  readonly label: string;
}

const GROUPS: Record<string, readonly NavButton[]> = {
  load: [{ screen: 'load', label: '🪫 Load average' }],
  cpu: [
    { screen: 'cpu', label: '📊 CPU' },
    { screen: 'cores', label: '🧮 Per core' },
    { screen: 'times', label: '⏱ CPU times' },
    { screen: 'top', label: '🔝 Top 10' },
  ],
  memory: [
    { screen: 'memory', label: '📟 Memory' },
    { screen: 'swap', label: '💽 Swap' },
  ],
  sensors: [
    { screen: 'sensors', label: '🌡 Temperatures' },
    { screen: 'fans', label: '🌀 Fans' },
  ],
  process: [
    { screen: 'process', label: '🚀 Processes' },
    { screen: 'top', label: '🔝 Top 10' },
  ],
  uptime: [
    { screen: 'uptime', label: '🛸 Uptime' },
    { screen: 'users', label: '👥 Sessions' },
  ],
  fs: [
    { screen: 'fs', label: '💾 File system' },
    { screen: 'diskio', label: '📈 Disk I/O' },
  ],
  net: [
    { screen: 'net', label: '📡 Network' },
    { screen: 'ifaces', label: '🔌 Interfaces' },
    { screen: 'conns', label: '🔗 Connections' },
  ],
};

const GROUP_OF: Record<Exclude<ServerScreen, 'top'>, string> = {
  load: 'load',
  cpu: 'cpu',
  cores: 'cpu',
  times: 'cpu',
  memory: 'memory',
  swap: 'memory',
  sensors: 'sensors',
  fans: 'sensors',
  process: 'process',
  uptime: 'uptime',
  users: 'uptime',
  fs: 'fs',
  diskio: 'fs',
  net: 'net',
  ifaces: 'net',
  conns: 'net',
};

const REFRESH = '🔄 Refresh';

function navTo(screen: ServerScreen, from: TopFrom, sort: TopSort = 'cpu'): ScreenNav {
  return screen === 'top' ? { screen, top: { from, sort } } : { screen };
}

/** The inline keyboard of a screen: its group's buttons, the current one as "Refresh". */
export function serverKeyboard(nav: ScreenNav): Keyboard {
  const from: TopFrom =
    nav.top?.from ??
    (GROUP_OF[nav.screen as Exclude<ServerScreen, 'top'>] === 'process' ? 'process' : 'cpu');
  const group = GROUPS[nav.screen === 'top' ? from : GROUP_OF[nav.screen]] ?? [];
  const buttons: ActionButton[] = group.map((b) =>
    SERVER_ACTION.button(
      b.screen === nav.screen ? REFRESH : b.label,
      navTo(b.screen, from, b.screen === nav.screen ? nav.top?.sort : 'cpu'),
    ),
  );
  const out: ActionButton[][] = rows(buttons, buttons.length > 3 ? 2 : 3);
  if (nav.top !== undefined) {
    const other: TopSort = nav.top.sort === 'cpu' ? 'mem' : 'cpu';
    out.push([
      SERVER_ACTION.button(
        other === 'cpu' ? '⚡ Sort by CPU' : '🧠 Sort by memory',
        navTo('top', from, other),
      ),
    ]);
  }
  return { kind: 'inline', rows: out };
}

/** Says whose numbers a screen shows when the daemon runs in a container; nothing on a host. */
export function contextNote(screen: ServerScreen, ctx: HostScope): Html | undefined {
  if (!ctx.inContainer) return undefined;
  switch (screen) {
    case 'process':
    case 'top':
      return ctx.hostProcesses
        ? html`ℹ️ In a container sharing the host's pid namespace: these are the host's processes.`
        : html`ℹ️ In a container: only the container's own processes. Run it with <code>pid: host</code> to see the host's.`;
    case 'net':
    case 'ifaces':
    case 'conns':
      if (ctx.hostNetwork === true)
        return html`ℹ️ In a container on the host's network: these are the host's figures.`;
      if (ctx.hostNetwork === false) {
        return html`ℹ️ In a container: the container's own network. Run it with <code>network_mode: host</code> to see the host's.`;
      }
      return html`ℹ️ In a container: these are the host's figures only with <code>network_mode: host</code>; otherwise the container's own.`;
    case 'fs':
      return html`ℹ️ In a container: mounts as the container sees them (sizes are of the filesystems underneath). Bind-mount host paths read-only to list them.`;
    case 'users':
      return html`ℹ️ In a container: sessions from the container's utmp. Mount the host's <code>/var/run/utmp</code> read-only to see the host's.`;
    default:
      return html`ℹ️ Host-wide figures from the kernel, the same inside a container.`;
  }
}

/** Puts a body, its container note and its navigation together. */
export function serverScreenView(nav: ScreenNav, body: Html, ctx: HostScope): View {
  const note = contextNote(nav.screen, ctx);
  return {
    html: note === undefined ? body : html`${body}\n\n<i>${note}</i>`,
    keyboard: serverKeyboard(nav),
  };
}

/** What a screen says when its metric cannot be read on this host; a read that hung says so. */
export function unavailableBody(title: string, err?: unknown): Html {
  if (err instanceof SystemReadTimeoutError) {
    const seconds = Math.round(err.timeoutMs / 100) / 10;
    return html`⚠️ <b>${title}</b>: not available: ${err.what} did not answer within ${seconds} s (a hung mount or driver). Try again later.`;
  }
  return html`⚠️ <b>${title}</b>: not available on this host right now.`;
}

/** The titles used in "not available" screens. */
export const SCREEN_TITLES: Record<ServerScreen, string> = {
  load: 'Load average',
  cpu: 'CPU',
  cores: 'Per-core load',
  times: 'CPU times',
  top: 'Top processes',
  memory: 'Memory',
  swap: 'Swap',
  sensors: 'Temperatures',
  fans: 'Fans',
  process: 'Processes',
  uptime: 'Uptime',
  users: 'Sessions',
  fs: 'File system',
  diskio: 'Disk I/O',
  net: 'Network',
  ifaces: 'Interfaces',
  conns: 'Connections',
};

/** The "Server" reply-keyboard menu. */
export function serverMenuView(): View {
  return {
    html: html`🚀 <b>Server</b>: pick a view below.

🪫 Load average · 🔌 CPU · 📟 Memory · ⏱️ Sensors
🚀 Processes · 🛸 Uptime · 💾 File system · 📡 Network`,
    keyboard: subMenuKeyboard(Object.values(SERVER_MENU)),
  };
}
