/** Quick view (everything at a glance) and About me. Pure. */
import type {
  CpuInfo,
  HostScope,
  LoadAverage,
  MemoryInfo,
  ProcessCounts,
  UptimeInfo,
} from '../adapters/system/system-port';
import { defineAction, field } from '../telegram/actions';
import { APP_VERSION, PROJECT_URL } from '../version';
import { clip, html, type Html } from './html';
import { bytes, count, duration, NA, percent } from './server-format';
import type { ActionButton, Keyboard, View } from './view';

/** What the Docker line of Quick view knows. */
export type QuickDockerLine =
  { running: number; total: number; images: number } | { unavailable: string };

export interface QuickViewData {
  /** Each part is undefined when its metric could not be read. */
  readonly uptime: UptimeInfo | undefined;
  readonly load: LoadAverage | undefined;
  readonly cpu: CpuInfo | undefined;
  readonly memory: MemoryInfo | undefined;
  readonly processes: ProcessCounts | undefined;
  /** undefined: this build has no Docker connection configured. */
  readonly docker: QuickDockerLine | undefined;
  readonly context: HostScope;
}

export const QUICK_SUBS = ['overview', 'memory', 'temps', 'cpu', 'disk'] as const;
export type QuickSub = (typeof QUICK_SUBS)[number];

/** The callback action of Quick view's buttons. */
export const QUICK_ACTION = defineAction('quick.view', { sub: field.oneOf(QUICK_SUBS) });

const QUICK_LABELS: Record<QuickSub, string> = {
  overview: '📊 Overview',
  memory: '💾 Memory',
  temps: '🌡 Temperatures',
  cpu: '⚡ CPU',
  disk: '📂 Disk',
};

/** Overview first; the screen being shown becomes "Refresh". */
export function quickKeyboard(current: QuickSub): Keyboard {
  const button = (sub: QuickSub): ActionButton =>
    QUICK_ACTION.button(
      sub === current ? (sub === 'overview' ? '🔄 Refresh data' : '🔄 Refresh') : QUICK_LABELS[sub],
      { sub },
    );
  return {
    kind: 'inline',
    rows: [
      [button('overview'), button('memory'), button('temps')],
      [button('cpu'), button('disk')],
    ],
  };
}

function dockerLine(d: QuickDockerLine | undefined): Html {
  if (d === undefined) return html`🐳 Docker: not available (no Docker connection in this build)`;
  if ('unavailable' in d) return html`🐳 Docker: not reachable (${clip(d.unavailable, 120)})`;
  return html`🐳 Docker: <b>${d.running}</b> running of ${d.total} container${d.total === 1 ? '' : 's'} · ${d.images} image${d.images === 1 ? '' : 's'}`;
}

export function quickViewBody(d: QuickViewData): Html {
  const uptime = d.uptime === undefined ? NA : duration(d.uptime.seconds);
  const load =
    d.load === undefined
      ? NA
      : `${d.load.one.toFixed(2)} · ${d.load.five.toFixed(2)} · ${d.load.fifteen.toFixed(2)} (${percent((d.load.one / Math.max(1, d.load.cores)) * 100)} of ${d.load.cores} cores)`;
  const cpu =
    d.cpu === undefined
      ? NA
      : `${percent(d.cpu.usage.total)} · ${d.cpu.logicalCores} cores${d.cpu.mhzCurrent === undefined ? '' : ` · ${count(d.cpu.mhzCurrent)} MHz`}`;
  const m = d.memory;
  const memory =
    m === undefined
      ? NA
      : `${bytes(m.usedBytes)} used of ${bytes(m.totalBytes)} (${percent((m.usedBytes / m.totalBytes) * 100)}) · ${bytes(m.freeBytes)} free`;
  const p = d.processes;
  const processes =
    p === undefined
      ? NA
      : `${count(p.total)} (${count(p.byState.running ?? 0)} running, ${count(p.byState.sleeping ?? 0)} sleeping, ${count(p.byState.idle ?? 0)} idle)`;
  const note = d.context.inContainer
    ? html`\n\n<i>ℹ️ In a container: uptime, load, CPU and memory are the host's; processes are ${
        d.context.hostProcesses ? "the host's" : "the container's (use pid: host for the host's)"
      }.</i>`
    : '';
  return html`👀 <b>Quick view</b>
🛸 Uptime: ${uptime}
🪫 Load: ${load}
🔌 CPU: ${cpu}
📟 Memory: ${memory}
🚀 Processes: ${processes}
${dockerLine(d.docker)}${note}`;
}

export function quickView(d: QuickViewData): View {
  return { html: quickViewBody(d), keyboard: quickKeyboard('overview') };
}

/** A Quick view sub-screen: a server screen's body with Quick view's buttons (edits the same message). */
export function quickSubView(sub: QuickSub, body: Html): View {
  return { html: body, keyboard: quickKeyboard(sub) };
}

export interface AboutData {
  readonly nodeVersion: string;
  /** How long this bot process has run, in seconds. */
  readonly botUptimeSeconds: number;
}

/** About me: version, runtime, uptime and where the documentation is. */
export function aboutView(a: AboutData): View {
  const docs = `${PROJECT_URL}/tree/main/docs`;
  return {
    html: html`🍄 <b>About tmbot</b>
Version: <b>${APP_VERSION}</b>
Node.js: ${clip(a.nodeVersion, 32)}
Bot uptime: ${duration(a.botUptimeSeconds)}

tmbot watches this server and its Docker containers from Telegram; it reads pyTMBot's <code>pytmbot.yaml</code> unchanged.
📖 Documentation: <a href="${docs}">${docs}</a>
🐞 Issues: <a href="${PROJECT_URL}/issues">${PROJECT_URL}/issues</a>
👤 Author: the tmbot authors (successor of pyTMBot) · 📜 License: MIT

Commands: /help /server /back /check_bot_updates`,
    keyboard: {
      kind: 'inline',
      rows: [
        [
          { text: '📖 Documentation', url: docs },
          { text: '🖥 Server screens', url: `${docs}/screens-server.md` },
        ],
      ],
    },
    disablePreview: true,
  };
}
