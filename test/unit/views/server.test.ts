import * as d from '../../fixtures/server-data';
import { parseHtml } from '../../../src/demo/bot-api/html';
import { html, type Html } from '../../../src/views/html';
import {
  contextNote,
  SERVER_ACTION,
  SERVER_MENU,
  SERVER_SCREENS,
  serverKeyboard,
  serverMenuView,
  serverScreenView,
  unavailableBody,
} from '../../../src/views/server';
import {
  connectionsBody,
  coresBody,
  cpuBody,
  cpuTimesBody,
  diskIoBody,
  fansBody,
  filesystemsBody,
  interfacesBody,
  loadBody,
  memoryBody,
  networkBody,
  processBody,
  sensorsBody,
  swapBody,
  topBody,
  uptimeBody,
  usersBody,
} from '../../../src/views/server-bodies';
import { bytes, count, duration, percent } from '../../../src/views/server-format';
import { TELEGRAM_LIMITS, type ActionButton } from '../../../src/views/view';

/** The text a user sees, after checking Telegram would accept the markup. */
function shown(h: Html): string {
  const parsed = parseHtml(h.value);
  expect(parsed.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
  return parsed.text;
}

const NOW = Date.UTC(2026, 0, 4, 12, 0);

describe('server views', () => {
  it('formats numbers the way the screens promise', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.50 KiB');
    expect(bytes(23.5 * d.GiB)).toBe('23.5 GiB');
    expect(bytes(undefined)).toBe('not available');
    expect([0, 7, 999, 1000, 12_345, 1_234_567, -4321].map(count)).toEqual([
      '0',
      '7',
      '999',
      '1,000',
      '12,345',
      '1,234,567',
      '-4,321',
    ]);
    expect(percent(7.25)).toBe('7.3 %');
    expect(percent(589.4)).toBe('589 %');
    expect(duration(59)).toBe('00:00:59');
    expect(duration(86_400 + 9)).toBe('1 day, 00:00:09');
    expect(duration(d.uptime.seconds)).toBe('3 days, 04:05:06');
  });

  it('renders every body with its figures', () => {
    expect(shown(loadBody(d.load))).toMatch(
      /1 min: 1\.50 \(37\.5 % of capacity\)[\s\S]*15 min: 0\.25/,
    );
    const cpu = shown(cpuBody(d.cpu));
    expect(cpu).toContain('Usage: 37.5 % (last 2.0 s)');
    expect(cpu).toContain('Model: AMD EPYC <7763>');
    expect(cpu).toContain('Cores: 4 logical, 2 physical');
    expect(cpu).toContain('Clock min / max: not available / 3,500 MHz');
    expect(shown(coresBody(d.cpu))).toMatch(/cpu3 ▓▓▓▓▓▓▓▓░░░░ +70\.0 %/);
    expect(shown(cpuTimesBody(d.cpu))).toMatch(/iowait +1\.5 %/);
    expect(shown(memoryBody(d.memory))).toMatch(/Total: 16\.0 GiB\nUsed: 4\.00 GiB \(25\.0 %\)/);
    expect(shown(memoryBody(d.memory))).toContain('Active: 3.00 GiB · Inactive: 1.25 GiB');
    expect(shown(swapBody(d.memory))).toContain('Used: 512 MiB (25.0 %)');
    expect(shown(processBody(d.processes))).toBe(
      '🚀 Processes: 130\nrunning: 3\nsleeping: 100\nidle: 25\nzombie: 2',
    );
    expect(shown(uptimeBody(d.uptime))).toBe(
      '🛸 Uptime: 3 days, 04:05:06\nUp since 2026-01-01 08:00 UTC',
    );
    expect(shown(usersBody(d.users, NOW))).toContain(
      'ann on pts/0 from 10.0.0.9, since 2026-01-04 10:00 UTC (2 h 0 min ago)',
    );
    expect(shown(diskIoBody(d.diskIo))).toContain('read 5.00 GiB · 123,456 ops · 12.3 s');
    expect(shown(networkBody(d.network))).toMatch(/packets +1,234,567 +765,432/);
    expect(shown(connectionsBody(d.connections))).toBe(
      '🔗 Connections: 12 (TCP 10 · UDP 2)\nTCP by state:\n  ESTABLISHED: 6\n  LISTEN: 3\n  TIME_WAIT: 1',
    );
    expect(shown(fansBody(d.sensors))).toContain('nct6775 / CPU fan: 1,234 RPM');
    const summary = shown(
      connectionsBody({
        total: 100_048,
        tcp: 100_045,
        udp: 3,
        tcpByState: { TIME_WAIT: 100_000, OTHER: 45 },
        detailed: false,
      }),
    );
    expect(summary).toContain('TIME_WAIT: 100,000\n  all other states: 45');
  });

  it('renders names with markup literally and clips long ones', () => {
    const topText = shown(topBody(d.top, 'cpu'));
    expect(topText).toContain(`${d.MARKUP}sl`);
    expect(topBody(d.top, 'cpu').value).toContain('&lt;i&gt;*_[`&amp;&quot;');
    expect(shown(topBody(d.top, 'mem'))).toMatch(/77 +x{15}… +0\.0 +12\.3/);
    const fs = shown(filesystemsBody(d.filesystems));
    expect(fs).toContain('/mnt/<b>xxx');
    expect(fs).toContain(`/dev/${d.MARKUP}`);
    expect(fs).toContain('used 40.0 GiB (42.1 %)'); // used / (used + available), like df
    expect(fs).toContain('sizes not available');
    expect(shown(interfacesBody(d.interfaces))).toContain(
      `*_[${d.MARKUP}: down · speed n/a · MTU not available`,
    );
    expect(shown(sensorsBody(d.sensors))).toContain(
      `Package id 0: 45.5 °C (high 80.0 °C, critical 100.0 °C)`,
    );
    expect(shown(usersBody(d.users, NOW))).toContain(
      `${d.MARKUP} on tty1 from local, since: not available`,
    );
    const controlName = { ...d.top, byCpu: [{ ...d.top.byCpu[0]!, name: 'evil\n<b>name' }] };
    expect(shown(topBody(controlName, 'cpu'))).toContain('evil�<b>name');
    const bidi = { ...d.top, byCpu: [{ ...d.top.byCpu[0]!, name: 'a\u202eexe.txt' }] };
    expect(shown(topBody(bidi, 'cpu'))).toContain('a�exe.txt');
  });

  it('stays within Telegram limits with a thousand mounts, cores or interfaces', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      ...d.filesystems[1]!,
      mountPoint: `/m/${i}/${d.LONG}`,
    }));
    const text = shown(filesystemsBody(many));
    expect(text).toMatch(/… and \d+ more$/);
    const cores = {
      ...d.cpu,
      usage: { ...d.cpu.usage, perCore: Array.from({ length: 512 }, () => 50) },
    };
    expect(shown(coresBody(cores))).toMatch(/… and \d+ more$/);
    const ifs = Array.from({ length: 500 }, (_, i) => ({
      ...d.interfaces[1]!,
      name: `veth${i}${d.LONG}`,
    }));
    expect(shown(interfacesBody(ifs))).toMatch(/… and \d+ more$/);
    const temps = {
      temperatures: Array.from({ length: 500 }, (_, i) => ({
        ...d.sensors.temperatures[1]!,
        chip: `chip${i}`,
      })),
      fans: [],
    };
    expect(shown(sensorsBody(temps))).toMatch(/… and \d+ more$/);
  });

  it('says plainly when a metric is missing', () => {
    expect(shown(swapBody({ ...d.memory, swap: undefined }))).toContain(
      'not available (no swap space is configured)',
    );
    expect(shown(sensorsBody({ temperatures: [], fans: [] }))).toContain(
      'No temperature or fan sensors were found',
    );
    expect(shown(fansBody({ temperatures: [], fans: [] }))).toContain('no fan sensors');
    expect(shown(interfacesBody([{ ...d.interfaces[0]!, ipv6: [] }]))).toContain(
      'IPv6: not available',
    );
    expect(shown(usersBody([], NOW))).toContain('no one is logged in');
    expect(shown(topBody({ ...d.top, byCpu: [] }, 'cpu'))).toContain(
      'No process used CPU in the last 1.0 s.',
    );
    expect(shown(unavailableBody('Load average'))).toBe(
      '⚠️ Load average: not available on this host right now.',
    );
    expect(shown(cpuBody({ ...d.cpu, usage: { ...d.cpu.usage, windowMs: undefined } }))).toContain(
      '(average since boot)',
    );
    expect(
      shown(
        memoryBody({ ...d.memory, containerLimit: { limitBytes: d.GiB, usageBytes: d.GiB / 4 } }),
      ),
    ).toContain('Container limit: 1.00 GiB (using 256 MiB, 25.0 %)');
  });

  it('gives every screen its group buttons, the current one as Refresh', () => {
    for (const screen of SERVER_SCREENS) {
      const kb = serverKeyboard(
        screen === 'top' ? { screen, top: { from: 'cpu', sort: 'cpu' } } : { screen },
      );
      expect(kb.kind).toBe('inline');
      const buttons = kb.kind === 'inline' ? (kb.rows.flat() as ActionButton[]) : [];
      expect(buttons.every((b) => b.action === SERVER_ACTION.name)).toBe(true);
      expect(buttons.filter((b) => b.text === '🔄 Refresh')).toHaveLength(1);
      expect(buttons.find((b) => b.text === '🔄 Refresh')?.args?.[0]).toBe(screen);
    }
    const top = serverKeyboard({ screen: 'top', top: { from: 'process', sort: 'mem' } });
    const args = top.kind === 'inline' ? top.rows.flat().map((b) => (b as ActionButton).args) : [];
    expect(args).toEqual([['process'], ['top', 'process', 'mem'], ['top', 'process', 'cpu']]);
  });

  it('says whose numbers these are in a container, and nothing on a host', () => {
    expect(contextNote('cpu', d.onHost)).toBeUndefined();
    expect(contextNote('cpu', d.inContainer)?.value).toMatch(/Host-wide/);
    expect(contextNote('process', d.inContainer)?.value).toMatch(/pid: host/);
    expect(contextNote('process', { ...d.inContainer, hostProcesses: true })?.value).toMatch(
      /host's processes/,
    );
    expect(contextNote('net', d.inContainer)?.value).toMatch(/network_mode: host/);
    expect(contextNote('net', { ...d.inContainer, hostNetwork: undefined })?.value).toMatch(
      /only with/,
    );
    expect(contextNote('fs', d.inContainer)?.value).toMatch(/Bind-mount/);
    expect(contextNote('users', d.inContainer)?.value).toMatch(/utmp/);
    const view = serverScreenView({ screen: 'net' }, html`body`, d.inContainer);
    expect(shown(view.html)).toMatch(/^body\n\nℹ️ In a container/);
  });

  it('offers the Server reply keyboard with Back', () => {
    const v = serverMenuView();
    expect(v.keyboard).toEqual({
      kind: 'reply',
      rows: [
        [SERVER_MENU.load, SERVER_MENU.cpu, SERVER_MENU.memory],
        [SERVER_MENU.sensors, SERVER_MENU.process, SERVER_MENU.uptime],
        [SERVER_MENU.filesystem, SERVER_MENU.network],
        ['⬅️ Back to main menu'],
      ],
    });
  });
});
