/**
 * The server screens end to end: the built daemon, the Bot API emulator and
 * this machine's real /proc and /sys. Every figure shown is checked against
 * the kernel's own files, read by the test around the request.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageEntity } from '@telegraf/types';
import {
  BotApiEmulator,
  type EmuMessage,
  type TranscriptEntry,
  type UserDriver,
} from '../support/bot-api-emulator';
import { Daemon, TEST_SALT, TEST_TOKEN } from '../support/daemon';
import { RECORD_EVERY_MS, Recorder } from '../support/host-recorder';

jest.setTimeout(120_000);

/** One user per screen group keeps every user under the 8-requests-per-10-s rate limit. */
const USERS = Array.from({ length: 30 }, (_, i) => 3001 + i);
/** A process whose name is markup: it must show up literally, never as formatting. */
const MARKUP_NAME = '<i>*_hog';
/** Resident memory of that process, so it ranks in "Top 10 by memory" on a busy machine. */
const HOG_MIB = 700;

const proc = (rel: string): string => readFileSync(join('/proc', rel), 'utf8');
const loadavg = (): number[] => proc('loadavg').trim().split(/\s+/).slice(0, 3).map(Number);
const uptimeSeconds = (): number => Number(proc('uptime').split(/\s+/)[0]);
function meminfo(key: string): number {
  const line = proc('meminfo')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return (
    Number(
      line
        ?.slice(key.length + 1)
        .trim()
        .split(/\s+/)[0],
    ) * 1024
  );
}
const cpuCount = (): number => (proc('stat').match(/^cpu\d+ /gm) ?? []).length;
const pidCount = (): number => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
function netPackets(): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of proc('net/dev').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (rest === undefined || name?.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[1] ?? 0;
    tx += f[9] ?? 0;
  }
  return { rx, tx };
}
const PAGE_SIZE = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
/** Resident bytes of process `pid` (0 once it is gone), as the daemon reads it from statm. */
function rssBytes(pid: number): number {
  try {
    return Number(proc(`${pid}/statm`).split(' ')[1]) * PAGE_SIZE;
  } catch {
    return 0;
  }
}
/** Each network interface with its operstate. */
function interfaceStates(): Map<string, string> {
  const states = new Map<string, string>();
  for (const name of readdirSync('/sys/class/net')) {
    try {
      states.set(name, readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim());
    } catch {
      // Gone between the listing and the read.
    }
  }
  return states;
}
/** Logged-in sessions as `who` lists them. */
const sessionCount = (): number =>
  execFileSync('who', { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
function socketCount(): number {
  return ['tcp', 'tcp6', 'udp', 'udp6']
    .map((t) => (existsSync(`/proc/net/${t}`) ? proc(`net/${t}`).trim().split('\n').length - 1 : 0))
    .reduce((a, b) => a + b, 0);
}

const UNITS: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};
/** The text right after the first `label`. */
function after(text: string, label: string): string {
  const i = text.indexOf(label);
  if (i < 0) throw new Error(`"${label}" not found in:\n${text}`);
  return text.slice(i + label.length);
}
function bytesAfter(text: string, label: string): number {
  const m = /^\s*([\d.]+) (B|KiB|MiB|GiB|TiB)/.exec(after(text, label));
  if (m === null) throw new Error(`no size after "${label}" in:\n${text}`);
  return Number(m[1]) * (UNITS[m[2] ?? 'B'] ?? NaN);
}
function numberAfter(text: string, label: string): number {
  const m = /^\s*([\d,.]+)/.exec(after(text, label));
  if (m?.[1] === undefined) throw new Error(`no number after "${label}" in:\n${text}`);
  return Number(m[1].replace(/,/g, ''));
}
function numberIn(text: string, re: RegExp): number {
  const m = re.exec(text);
  if (m?.[1] === undefined) throw new Error(`${re} not found in:\n${text}`);
  return Number(m[1].replace(/,/g, ''));
}
/** "3 days, 04:05:06" or "04:05:06" → seconds. */
function durationSeconds(text: string): number {
  const clock = /(\d\d):(\d\d):(\d\d)/.exec(text);
  if (clock === null) throw new Error(`no duration in ${text}`);
  const days = /(\d+) days?, \d\d:/.exec(text);
  return (
    Number(days?.[1] ?? 0) * 86_400 +
    Number(clock[1]) * 3600 +
    Number(clock[2]) * 60 +
    Number(clock[3])
  );
}
const within = (actual: number, expected: number, tolerance: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);
};
/** `actual` lies in [min − slack, max + slack]. */
const between = (actual: number, range: { min: number; max: number }, slack = 0): void => {
  expect(actual).toBeGreaterThanOrEqual(range.min - slack);
  expect(actual).toBeLessThanOrEqual(range.max + slack);
};

/** The daemon keeps host figures for up to 5 s (METRIC_TTL_MS): a shown value may be that old. */
const CACHE_MS = 5_000;

describe('server screens, end to end (real daemon, emulator, this host)', () => {
  let emu: BotApiEmulator;
  let daemon: Daemon;
  let hog: ChildProcess;
  let hogDir: string;
  let nextUser = 0;
  const pids = new Recorder(pidCount);
  const available = new Recorder(() => meminfo('MemAvailable'));
  const buffers = new Recorder(() => meminfo('Buffers'));
  const sockets = new Recorder(socketCount);
  const rootFree = new Recorder(() => {
    const s = statfsSync('/');
    return s.bavail * s.bsize;
  });
  const loads = [0, 1, 2].map((i) => new Recorder(() => loadavg()[i] ?? NaN));
  const rx = new Recorder(() => netPackets().rx);
  const tx = new Recorder(() => netPackets().tx);
  const recorders = [pids, available, buffers, sockets, rootFree, rx, tx, ...loads];
  /** The hog's resident memory, recorded once its buffer is filled. */
  let hogRss: Recorder;
  /** Where the window of host values a reply may show begins. */
  const windowStart = (): number => Date.now() - CACHE_MS - RECORD_EVERY_MS;

  beforeAll(async () => {
    for (const r of recorders) r.start();
    hogDir = mkdtempSync(join(tmpdir(), 'tmbot-hog-'));
    const link = join(hogDir, MARKUP_NAME);
    symlinkSync(process.execPath, link);
    hog = spawn(
      link,
      [
        '-e',
        `globalThis.b = Buffer.alloc(${HOG_MIB} * 2 ** 20, 1); setInterval(() => {}, 60_000);`,
      ],
      {
        stdio: 'ignore',
      },
    );
    emu = await BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' });
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        access_control: {
          allowed_user_ids: USERS,
          allowed_admins_ids: [USERS[0]],
          auth_salt: [TEST_SALT],
        },
      },
    });
    await daemon.ready();
    // The hog ranks by memory only once its buffer is filled: slow on a loaded machine.
    const hogPid = hog.pid ?? NaN;
    const deadline = Date.now() + 60_000;
    while (rssBytes(hogPid) < HOG_MIB * 2 ** 20) {
      if (Date.now() > deadline) throw new Error(`the hog never reached ${HOG_MIB} MiB`);
      await new Promise((r) => setTimeout(r, 50));
    }
    hogRss = new Recorder(() => rssBytes(hogPid));
    hogRss.start();
    recorders.push(hogRss);
  });

  afterAll(async () => {
    for (const r of recorders) r.stop();
    const code = await daemon.stop();
    expect(code).toBe(0);
    // At debug level the daemon reports its event-loop figures when it stops (bench/server.ts reads them).
    expect(daemon.output).toMatch(/event loop while running: worst stall [\d.]+ ms/);
    expect(daemon.output).not.toContain(TEST_TOKEN);
    expect(daemon.output).not.toContain(TEST_SALT);
    daemon.cleanup();
    await emu.stop();
    hog.kill('SIGKILL');
    rmSync(hogDir, { recursive: true, force: true });
  });

  function freshUser(): UserDriver {
    const id = USERS[nextUser++ % USERS.length] as number;
    return emu.user(id, { first_name: 'Ops' });
  }

  async function open(u: UserDriver, label: string): Promise<EmuMessage> {
    await u.text(label);
    const reply = await u.nextReply(20_000);
    expect(reply.text).toBeDefined();
    return reply;
  }

  /** Presses an inline button by its text; resolves with the message as it is now, and the callback answer. */
  async function press(
    u: UserDriver,
    msg: EmuMessage,
    label: string,
  ): Promise<{ entry: TranscriptEntry; answer: { text?: string } }> {
    const id = await u.press(msg, label);
    const answer = await emu.waitForCallbackAnswer(id);
    const entry = emu.transcript(u.chatId).find((e) => e.message_id === msg.message_id);
    if (entry === undefined) throw new Error('message vanished');
    expect(entry.deleted).toBe(false);
    return { entry, answer };
  }

  const buttonTexts = (m: EmuMessage | TranscriptEntry): string[] => {
    const markup = ('reply_markup' in m ? m.reply_markup : undefined) as
      { inline_keyboard?: { text: string }[][] } | undefined;
    return (markup?.inline_keyboard ?? []).flat().map((b) => b.text);
  };

  it('shows the Server menu with its reply keyboard', async () => {
    const u = freshUser();
    const reply = await open(u, '🚀 Server');
    const entry = emu.transcript(u.chatId).find((e) => e.message_id === reply.message_id);
    const keyboard = (entry?.reply_markup as { keyboard: { text: string }[][] }).keyboard
      .flat()
      .map((b) => b.text);
    expect(keyboard).toEqual([
      '🪫 Load average',
      '🔌 CPU',
      '📟 Memory load',
      '⏱️ Sensors',
      '🚀 Process',
      '🛸 Uptime',
      '💾 File system',
      '📡 Network',
      '⬅️ Back to main menu',
    ]);
  });

  it('Load average matches /proc/loadavg', async () => {
    const u = freshUser();
    const since = windowStart();
    const text = (await open(u, '🪫 Load average')).text ?? '';
    for (const [i, label] of [
      [0, '1 min:'],
      [1, '5 min:'],
      [2, '15 min:'],
    ] as const) {
      // Shown with two decimals.
      between(numberAfter(text, label), loads[i]!.range(since), 0.01);
    }
    expect(text).toContain(`(${cpuCount()} core`);
  });

  it('CPU and its drill-downs match /proc/stat and /proc/cpuinfo', async () => {
    const u = freshUser();
    const msg = await open(u, '🔌 CPU');
    const text = msg.text ?? '';
    const usage = numberAfter(text, 'Usage:');
    expect(usage).toBeGreaterThanOrEqual(0);
    expect(usage).toBeLessThanOrEqual(100);
    expect(text).toContain(`Cores: ${cpuCount()} logical`);
    const mhz = [...proc('cpuinfo').matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1]));
    if (mhz.length > 0) {
      const avg = mhz.reduce((a, b) => a + b, 0) / mhz.length;
      within(numberAfter(text, 'Clock now:'), avg, avg * 0.25);
    }
    expect(buttonTexts(msg)).toEqual([
      '🔄 Refresh',
      '🧮 Per core',
      '⏱ CPU times',
      '🔝 Top 10',
      '📈 Chart',
    ]);

    const cores = (await press(u, msg, '🧮 Per core')).entry.text ?? '';
    expect(cores.match(/^cpu\d+ [▓░]{12} +[\d.]+ %$/gm)).toHaveLength(cpuCount());

    const times = (await press(u, msg, '⏱ CPU times')).entry.text ?? '';
    const shares = [
      ...times.matchAll(/^(?:user|nice|system|idle|iowait|irq|softirq|steal) +([\d.]+) %$/gm),
    ].map((m) => Number(m[1]));
    expect(shares).toHaveLength(8);
    within(
      shares.reduce((a, b) => a + b, 0),
      100,
      1,
    );

    const since = windowStart();
    const hogSince = Date.now() - RECORD_EVERY_MS;
    const top = await press(u, msg, '🔝 Top 10');
    expect(top.entry.text).toMatch(/Top \d+ by CPU of [\d,]+ processes/);
    const range = pids.range(since);
    // A process living shorter than one recording step can be missed by both sides.
    between(numberAfter(top.entry.text ?? '', 'by CPU of'), range, 10 + range.max * 0.02);

    const byMem = await press(u, msg, '🧠 Sort by memory');
    const memText = byMem.entry.text ?? '';
    expect(memText).toMatch(/PID +NAME +CPU% +MEM%/);
    // The markup-named process renders literally: its characters are text, not formatting.
    // Found by pid: another run of this suite on the machine has a hog of the same name.
    const line = memText.split('\n').find((l) => l.startsWith(`${hog.pid} `));
    expect(line).toContain(MARKUP_NAME);
    const start = memText.indexOf(line ?? MARKUP_NAME) + (line ?? '').indexOf(MARKUP_NAME);
    const styled = (byMem.entry.entities ?? []).filter(
      (e: MessageEntity) => e.type !== 'pre' && e.offset <= start && e.offset + e.length > start,
    );
    expect(styled).toEqual([]);
    const memPct = Number(line?.trim().split(/\s+/).at(-1));
    // Its resident size from before the first Top 10 read until now; shown with one decimal.
    const rss = hogRss.range(hogSince);
    const pct = (bytes: number): number => (bytes / meminfo('MemTotal')) * 100;
    between(memPct, { min: pct(rss.min), max: pct(rss.max) }, 0.1);
    const sent = emu.calls
      .filter((c) => c.method === 'editMessageText')
      .map((c) => String(c.params.text));
    expect(sent.some((t) => t.includes('&lt;i&gt;*_hog'))).toBe(true);
  });

  it('Memory and Swap match /proc/meminfo', async () => {
    const u = freshUser();
    const since = windowStart();
    const msg = await open(u, '📟 Memory load');
    const text = msg.text ?? '';
    const total = meminfo('MemTotal');
    within(bytesAfter(text, 'Total:'), total, total * 0.01);
    const usedPct = numberIn(text, /Used: [\d.]+ \w+ \(([\d.]+) %\)/);
    const avail = available.range(since);
    const pct = (a: number): number => ((total - a) / total) * 100;
    // Shown with one decimal; memory moving between two recordings is the rest of the slack.
    between(usedPct, { min: pct(avail.max), max: pct(avail.min) }, 0.5);
    const buf = buffers.range(since);
    // Sizes are shown with 3 significant digits (0.5 %), plus 1 MiB for small figures.
    between(bytesAfter(text, 'Buffers:'), buf, buf.max * 0.005 + 2 ** 20);

    const swap = (await press(u, msg, '💽 Swap')).entry.text ?? '';
    const swapTotal = meminfo('SwapTotal');
    if (swapTotal === 0) expect(swap).toContain('Swap: not available');
    else within(bytesAfter(swap, 'Total:'), swapTotal, swapTotal * 0.01);
  });

  it('Sensors say what this host has', async () => {
    const u = freshUser();
    const msg = await open(u, '⏱️ Sensors');
    const hwmon = existsSync('/sys/class/hwmon') ? readdirSync('/sys/class/hwmon') : [];
    const zones = existsSync('/sys/class/thermal')
      ? readdirSync('/sys/class/thermal').filter((z) => z.startsWith('thermal_zone'))
      : [];
    if (hwmon.length === 0 && zones.length === 0) {
      expect(msg.text).toContain('No temperature or fan sensors were found');
    } else {
      expect(msg.text).toMatch(/Temperatures|No temperature/);
    }
    const fans = await press(u, msg, '🌀 Fans');
    expect(fans.entry.text).toMatch(/Fans/);
    expect(buttonTexts(fans.entry)).toEqual(['🌡 Temperatures', '🔄 Refresh']);
  });

  it('Process counts match /proc, with a Top 10 that leads back', async () => {
    const u = freshUser();
    const since = windowStart();
    const msg = await open(u, '🚀 Process');
    const total = numberAfter(msg.text ?? '', 'Processes:');
    const range = pids.range(since);
    between(total, range, 10 + range.max * 0.02);
    const states = [...(msg.text ?? '').matchAll(/^[a-z ]+: ([\d,]+)$/gm)].map((m) =>
      Number(m[1]?.replace(/,/g, '')),
    );
    expect(states.reduce((a, b) => a + b, 0)).toBe(total);
    const top = await press(u, msg, '🔝 Top 10');
    expect(buttonTexts(top.entry)).toEqual(['🚀 Processes', '🔄 Refresh', '🧠 Sort by memory']);
    const back = await press(u, msg, '🚀 Processes');
    expect(back.entry.text).toMatch(/^🚀 Processes:/);
  });

  it('Uptime matches /proc/uptime, and Sessions match who', async () => {
    const u = freshUser();
    const before = uptimeSeconds();
    const msg = await open(u, '🛸 Uptime');
    // Read at the request (no cache), shown in whole seconds.
    between(durationSeconds(msg.text ?? ''), { min: before, max: uptimeSeconds() }, 1);
    const whoBefore = sessionCount();
    const sessions = (await press(u, msg, '👥 Sessions')).entry.text ?? '';
    const whoAfter = sessionCount();
    const shownSessions = sessions.includes('no one is logged in')
      ? 0
      : numberAfter(sessions, 'Sessions:');
    between(shownSessions, {
      min: Math.min(whoBefore, whoAfter),
      max: Math.max(whoBefore, whoAfter),
    });
  });

  it('File system lists the root mount with statfs sizes, and Disk I/O lists real disks', async () => {
    const u = freshUser();
    // File systems are cached twice as long as the rest.
    const since = windowStart() - CACHE_MS;
    const msg = await open(u, '💾 File system');
    const text = msg.text ?? '';
    const rootMount = proc('self/mounts')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[1] === '/')
      .at(-1);
    expect(text).toContain(`💾 / ${rootMount?.[0]} (${rootMount?.[2]})`);
    const s = statfsSync('/');
    const rootBlock = text.slice(text.indexOf('💾 / '));
    within(bytesAfter(rootBlock, 'size'), s.blocks * s.bsize, s.blocks * s.bsize * 0.01);
    // Sizes are shown with 3 significant digits.
    between(bytesAfter(rootBlock, 'free'), rootFree.range(since), s.blocks * s.bsize * 0.005);
    for (const m of text.matchAll(/^💾 (\S+) (\S+) \((\S+)\)$/gm)) {
      expect(proc('self/mounts')).toContain(`${m[2]} `);
      expect(['proc', 'sysfs', 'tmpfs', 'cgroup', 'cgroup2', 'devpts', 'nsfs']).not.toContain(m[3]);
    }
    const io = (await press(u, msg, '📈 Disk I/O')).entry.text ?? '';
    const disks = proc('diskstats')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[2]);
    for (const m of io.matchAll(/^💽 (\S+)$/gm)) expect(disks).toContain(m[1]);
  });

  it('Network totals, interfaces and connections match /proc/net and /sys/class/net', async () => {
    const u = freshUser();
    const since = windowStart();
    const msg = await open(u, '📡 Network');
    const m = /packets +([\d,]+) +([\d,]+)/.exec(msg.text ?? '');
    // Interfaces of other tests' Docker networks come and go, taking their counters with them:
    // the slack covers traffic between two recordings.
    const rxRange = rx.range(since);
    const txRange = tx.range(since);
    between(Number(m?.[1]?.replace(/,/g, '')), rxRange, 100 + rxRange.max * 0.001);
    between(Number(m?.[2]?.replace(/,/g, '')), txRange, 100 + txRange.max * 0.001);

    // Read before and after the request: a bridge of another test's Docker network may appear
    // or vanish meanwhile (the daemon keeps the list 10 s).
    const before = interfaceStates();
    const ifaces = (await press(u, msg, '🔌 Interfaces')).entry.text ?? '';
    const after = interfaceStates();
    const shown = [...ifaces.matchAll(/^🔌 (\S+): (\S+) ·/gm)].map((x) => x[1] ?? '');
    expect(shown).toEqual([...shown].sort());
    for (const name of shown) expect(before.has(name) || after.has(name)).toBe(true);
    for (const [name, state] of before) {
      if (after.get(name) !== state) continue;
      expect(shown).toContain(name);
      expect(ifaces).toContain(`🔌 ${name}: ${state} ·`);
    }

    const connSince = windowStart();
    const conns = (await press(u, msg, '🔗 Connections')).entry.text ?? '';
    const range = sockets.range(connSince);
    // The bot may count from /proc/net/sockstat, which counts a little differently.
    between(numberAfter(conns, 'Connections:'), range, Math.max(30, range.max * 0.5));
  });

  it('answers an unchanged refresh with "Already up to date"', async () => {
    const u = freshUser();
    const msg = await open(u, '💾 File system');
    const first = await press(u, msg, '🔄 Refresh');
    expect(first.answer.text).toBe('Already up to date');
  });

  it('Quick view shows the host at a glance, is honest about Docker, and its sub-views edit the same message', async () => {
    const u = freshUser();
    const since = windowStart();
    const before = uptimeSeconds();
    const msg = await open(u, '👀 Quick view');
    const text = msg.text ?? '';
    between(durationSeconds(text), { min: before, max: uptimeSeconds() }, 1);
    expect(text).toMatch(/🪫 Load: [\d.]+ · [\d.]+ · [\d.]+/);
    expect(text).toMatch(/🔌 CPU: [\d.]+ % · \d+ cores/);
    expect(text).toContain(` % · ${cpuCount()} cores`);
    within(bytesAfter(text, 'used of'), meminfo('MemTotal'), meminfo('MemTotal') * 0.01);
    const range = pids.range(since);
    between(numberAfter(text, 'Processes:'), range, 10 + range.max * 0.02);
    // The test config points Docker at a socket that does not exist.
    expect(text).toContain('🐳 Docker: not reachable (the socket does not exist');
    expect(buttonTexts(msg)).toEqual([
      '🔄 Refresh data',
      '💾 Memory',
      '🌡 Temperatures',
      '⚡ CPU',
      '📂 Disk',
    ]);
    for (const [label, pattern] of [
      ['💾 Memory', /^📟 Memory/],
      ['🌡 Temperatures', /Temperatures|No temperature/],
      ['⚡ CPU', /^🔌 CPU/],
      ['📂 Disk', /^💾 File system/],
      ['📊 Overview', /^👀 Quick view/],
    ] as const) {
      const { entry } = await press(u, msg, label);
      expect(entry.text).toMatch(pattern);
    }
    const botMessages = emu.transcript(u.chatId).filter((e) => e.sender === 'bot');
    expect(botMessages).toHaveLength(1);
  });

  it('About me shows the version and runtime', async () => {
    const u = freshUser();
    const text = (await open(u, '🍄 About me')).text ?? '';
    expect(text).toMatch(/Version: \d+\.\d+\.\d+/);
    expect(text).toContain(`Node.js: ${process.version}`);
  });
});
