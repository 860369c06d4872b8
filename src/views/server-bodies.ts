/**
 * The bodies of the server screens: pure functions from SystemPort data to HTML. Every
 * host-supplied string (process, mount, device, interface, user names) goes through the
 * `html` tag, so markup in it renders literally.
 */
import type {
  ConnectionSummary,
  CpuInfo,
  DiskIo,
  FilesystemUsage,
  LoadAverage,
  LoggedInUser,
  MemoryInfo,
  NetInterface,
  NetworkTotals,
  ProcessCounts,
  ProcessRow,
  SensorInfo,
  TopProcesses,
  UptimeInfo,
} from '../adapters/system/system-port';
import { clip, html, joinHtml, type Html } from './html';
import {
  age,
  bar,
  bytes,
  cell,
  count,
  duration,
  fitItems,
  NA,
  padCell,
  percent,
  utcMinute,
} from './server-format';
import type { TopSort } from './server';

export function loadBody(l: LoadAverage): Html {
  const share = (v: number): string => percent((v / Math.max(1, l.cores)) * 100);
  return html`🪫 <b>Load average</b> (${l.cores} core${l.cores === 1 ? '' : 's'})
1 min: <b>${l.one.toFixed(2)}</b> (${share(l.one)} of capacity)
5 min: <b>${l.five.toFixed(2)}</b> (${share(l.five)})
15 min: <b>${l.fifteen.toFixed(2)}</b> (${share(l.fifteen)})

<i>Load counts tasks running or waiting to run; 100 % means every core is busy.</i>`;
}

function windowText(windowMs: number | undefined): string {
  return windowMs === undefined ? 'average since boot' : `last ${(windowMs / 1000).toFixed(1)} s`;
}

function mhz(n: number | undefined): string {
  return n === undefined ? NA : `${count(n)} MHz`;
}

export function cpuBody(c: CpuInfo): Html {
  return html`🔌 <b>CPU</b>
Usage: <b>${percent(c.usage.total)}</b> (${windowText(c.usage.windowMs)})
Model: ${c.model === undefined ? NA : clip(c.model, 80)}
Cores: ${c.logicalCores} logical, ${c.physicalCores ?? NA} physical
Clock now: ${mhz(c.mhzCurrent)}
Clock min / max: ${mhz(c.mhzMin)} / ${mhz(c.mhzMax)}`;
}

export function coresBody(c: CpuInfo): Html {
  const width = String(Math.max(0, c.usage.perCore.length - 1)).length + 3;
  const lines = c.usage.perCore.map(
    (p, i) => html`${padCell(`cpu${i}`, width)} ${bar(p)} ${padCell(percent(p), 7, 'right')}`,
  );
  return html`<pre>${fitItems(html`🧮 Per-core load (${windowText(c.usage.windowMs)})\n`, lines)}</pre>`;
}

export function cpuTimesBody(c: CpuInfo): Html {
  const t = c.usage.times;
  const entries: [string, number][] = [
    ['user', t.user],
    ['nice', t.nice],
    ['system', t.system],
    ['idle', t.idle],
    ['iowait', t.iowait],
    ['irq', t.irq],
    ['softirq', t.softirq],
    ['steal', t.steal],
  ];
  return html`⏱ <b>CPU times</b> (share of all CPUs, ${windowText(c.usage.windowMs)})
<pre>${joinHtml(entries.map(([k, v]) => `${padCell(k, 8)} ${padCell(percent(v), 7, 'right')}`))}</pre>`;
}

const PID_W = 7;
const NAME_W = 16;
const PCT_W = 6;

function topRow(r: ProcessRow): string {
  return (
    padCell(String(r.pid), PID_W) +
    ' ' +
    padCell(cell(r.name, NAME_W), NAME_W) +
    ' ' +
    padCell(r.cpuPercent.toFixed(1), PCT_W, 'right') +
    ' ' +
    padCell(r.memPercent.toFixed(1), PCT_W, 'right')
  );
}

export function topBody(t: TopProcesses, sort: TopSort): Html {
  const list = sort === 'cpu' ? t.byCpu : t.byMemory;
  const window = `${(t.windowMs / 1000).toFixed(1)} s`;
  const title = html`🔝 <b>Top ${list.length} by ${sort === 'cpu' ? 'CPU' : 'memory'}</b> of ${count(t.total)} processes (CPU measured over ${window}; 100 = one core)`;
  if (list.length === 0) {
    return html`${title}\n\n${sort === 'cpu' ? `No process used CPU in the last ${window}.` : 'No process reports resident memory.'}`;
  }
  const header = `${padCell('PID', PID_W)} ${padCell('NAME', NAME_W)} ${padCell('CPU%', PCT_W, 'right')} ${padCell('MEM%', PCT_W, 'right')}`;
  return html`${title}\n<pre>${joinHtml([header, ...list.map(topRow)])}</pre>`;
}

export function memoryBody(m: MemoryInfo): Html {
  const of = (n: number): string => percent((n / m.totalBytes) * 100);
  const limit =
    m.containerLimit === undefined
      ? ''
      : html`\nContainer limit: ${bytes(m.containerLimit.limitBytes)} (using ${bytes(m.containerLimit.usageBytes)}, ${percent(
          (m.containerLimit.usageBytes / m.containerLimit.limitBytes) * 100,
        )})`;
  return html`📟 <b>Memory</b>
Total: <b>${bytes(m.totalBytes)}</b>
Used: ${bytes(m.usedBytes)} (<b>${of(m.usedBytes)}</b>)
Free: ${bytes(m.freeBytes)}
Available: ${bytes(m.availableBytes)} (${of(m.availableBytes)})
Active: ${bytes(m.activeBytes)} · Inactive: ${bytes(m.inactiveBytes)}
Cached: ${bytes(m.cachedBytes)}
Buffers: ${bytes(m.buffersBytes)}
Shared: ${bytes(m.sharedBytes)}${limit}

<i>Used = total − available: memory the system cannot hand out without swapping.</i>`;
}

export function swapBody(m: MemoryInfo): Html {
  const s = m.swap;
  if (s === undefined) return html`💽 <b>Swap</b>: not available (no swap space is configured).`;
  return html`💽 <b>Swap</b>
Total: ${bytes(s.totalBytes)}
Used: ${bytes(s.usedBytes)} (<b>${percent((s.usedBytes / s.totalBytes) * 100)}</b>)
Free: ${bytes(s.freeBytes)}`;
}

function celsius(n: number): string {
  return `${n.toFixed(1)} °C`;
}

function groupByChip<T extends { chip: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(i.chip, [...(out.get(i.chip) ?? []), i]);
  return out;
}

export function sensorsBody(s: SensorInfo): Html {
  if (s.temperatures.length === 0 && s.fans.length === 0) {
    return html`⚠️ No temperature or fan sensors were found on this host. Virtual machines and containers without <code>/sys</code> usually have none.`;
  }
  if (s.temperatures.length === 0)
    return html`🌡 <b>Temperatures</b>: no temperature sensors were found (fans: see Fans).`;
  const items: Html[] = [];
  for (const [chip, readings] of groupByChip(s.temperatures)) {
    items.push(html`<b>${cell(chip, 40)}</b>`);
    for (const r of readings) {
      const limits = [
        r.highCelsius !== undefined ? `high ${celsius(r.highCelsius)}` : '',
        r.criticalCelsius !== undefined ? `critical ${celsius(r.criticalCelsius)}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      items.push(
        html`  ${cell(r.label, 40)}: <b>${celsius(r.celsius)}</b>${limits === '' ? '' : ` (${limits})`}`,
      );
    }
  }
  return fitItems(html`🌡 <b>Temperatures</b>\n`, items);
}

export function fansBody(s: SensorInfo): Html {
  if (s.fans.length === 0) return html`🌀 <b>Fans</b>: no fan sensors were found on this host.`;
  const items = s.fans.map(
    (f) => html`${cell(f.chip, 40)} / ${cell(f.label, 40)}: <b>${count(f.rpm)} RPM</b>`,
  );
  return fitItems(html`🌀 <b>Fans</b>\n`, items);
}

const STATE_ORDER = [
  'running',
  'sleeping',
  'disk sleep',
  'idle',
  'stopped',
  'tracing stop',
  'zombie',
  'dead',
];

export function processBody(c: ProcessCounts): Html {
  const states = Object.keys(c.byState).sort((a, b) => {
    const ia = STATE_ORDER.indexOf(a);
    const ib = STATE_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return html`🚀 <b>Processes</b>: <b>${count(c.total)}</b>
${joinHtml(states.map((s) => html`${s}: ${count(c.byState[s] ?? 0)}`))}`;
}

export function uptimeBody(u: UptimeInfo): Html {
  return html`🛸 <b>Uptime</b>: <b>${duration(u.seconds)}</b>
Up since ${utcMinute(u.bootTime)}`;
}

export function usersBody(users: readonly LoggedInUser[], now: number): Html {
  if (users.length === 0) return html`👥 <b>Sessions</b>: no one is logged in.`;
  const items = users.map((u) => {
    const from = u.host === '' ? 'local' : cell(u.host, 60);
    const since =
      u.since === undefined
        ? 'since: not available'
        : `since ${utcMinute(u.since)} (${age(now - u.since)} ago)`;
    return html`• <b>${cell(u.name, 32)}</b> on ${cell(u.tty || '?', 16)} from ${from}, ${since}`;
  });
  return fitItems(html`👥 <b>Sessions</b>: ${users.length}\n`, items);
}

export function filesystemsBody(list: readonly FilesystemUsage[]): Html {
  if (list.length === 0) return html`💾 <b>File system</b>: no disk-backed mounts were found.`;
  const items = list.map((f) => {
    const head = html`💾 <b>${cell(f.mountPoint, 64)}</b> <code>${cell(f.device, 64)}</code> (${cell(f.type, 16)})`;
    if (f.sizeBytes === undefined || f.usedBytes === undefined || f.freeBytes === undefined) {
      return html`${head}\n   sizes not available (the filesystem did not answer in time)`;
    }
    const denominator = f.usedBytes + f.freeBytes;
    const used = denominator > 0 ? (f.usedBytes / denominator) * 100 : 0;
    return html`${head}\n   size ${bytes(f.sizeBytes)} · used ${bytes(f.usedBytes)} (<b>${percent(used)}</b>) · free ${bytes(f.freeBytes)}`;
  });
  return fitItems(html`💾 <b>File system</b>\n`, items);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function diskIoBody(list: readonly DiskIo[]): Html {
  if (list.length === 0)
    return html`📈 <b>Disk I/O</b>: no disk has done any I/O (or none is visible here).`;
  const items = list.map(
    (d) => html`💽 <b>${cell(d.device, 32)}</b>
   read ${bytes(d.readBytes)} · ${count(d.reads)} ops · ${seconds(d.readTimeMs)}
   write ${bytes(d.writeBytes)} · ${count(d.writes)} ops · ${seconds(d.writeTimeMs)}`,
  );
  return fitItems(html`📈 <b>Disk I/O</b> since boot (bytes · operations · time spent)\n`, items);
}

export function networkBody(t: NetworkTotals): Html {
  const row = (label: string, rx: string, tx: string): string =>
    `${padCell(label, 8)} ${padCell(rx, 13, 'right')} ${padCell(tx, 13, 'right')}`;
  return html`📡 <b>Network</b> since boot (${t.interfaces} interface${t.interfaces === 1 ? '' : 's'}, loopback excluded)
<pre>${joinHtml([
    row('', 'received', 'sent'),
    row('bytes', bytes(t.received.bytes), bytes(t.sent.bytes)),
    row('packets', count(t.received.packets), count(t.sent.packets)),
    row('errors', count(t.received.errors), count(t.sent.errors)),
    row('drops', count(t.received.drops), count(t.sent.drops)),
  ])}</pre>`;
}

export function interfacesBody(list: readonly NetInterface[]): Html {
  if (list.length === 0) return html`🔌 <b>Interfaces</b>: none are visible.`;
  const addrs = (xs: readonly string[]): string =>
    xs.length === 0 ? NA : xs.map((a) => cell(a, 50)).join(', ');
  const items = list.map(
    (
      i,
    ) => html`🔌 <b>${cell(i.name, 32)}</b>: ${cell(i.state, 12)} · ${i.speedMbps === undefined ? 'speed n/a' : `${count(i.speedMbps)} Mbps`} · MTU ${i.mtu ?? NA}
   IPv4: ${addrs(i.ipv4)}
   IPv6: ${addrs(i.ipv6)}`,
  );
  return fitItems(html`🔌 <b>Interfaces</b>: ${list.length}\n`, items);
}

const TCP_ORDER = [
  'ESTABLISHED',
  'LISTEN',
  'TIME_WAIT',
  'CLOSE_WAIT',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'LAST_ACK',
  'CLOSING',
  'CLOSE',
];

export function connectionsBody(c: ConnectionSummary): Html {
  const head = html`🔗 <b>Connections</b>: <b>${count(c.total)}</b> (TCP ${count(c.tcp)} · UDP ${count(c.udp)})`;
  if (!c.detailed) {
    return html`${head}
TCP by state (summary):
  TIME_WAIT: ${count(c.tcpByState.TIME_WAIT ?? 0)}
  all other states: ${count(c.tcpByState.OTHER ?? 0)}

<i>With this many sockets, tmbot counts them from the kernel's summary instead of listing each one (that would cost about a second of CPU).</i>`;
  }
  const states = Object.keys(c.tcpByState).sort((a, b) => {
    const ia = TCP_ORDER.indexOf(a);
    const ib = TCP_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const byState =
    states.length === 0
      ? html`  none`
      : joinHtml(states.map((s) => html`  ${s}: ${count(c.tcpByState[s] ?? 0)}`));
  return html`${head}
TCP by state:
${byState}`;
}
