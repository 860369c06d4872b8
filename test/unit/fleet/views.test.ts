import type { HostStatus, RemoteSnapshot } from '../../../src/fleet/port';
import {
  fleetView,
  hostPickerView,
  REMOTE_LIMITS,
  remoteDownView,
  remoteHostView,
} from '../../../src/fleet/views';
import { amAlertView } from '../../../src/fleet/alert-views';
import { visibleText } from '../../../src/views/html';
import { TELEGRAM_LIMITS } from '../../../src/views/view';

const snap: RemoteSnapshot = {
  load: [1.5, 1, 0.5],
  cpu: { cores: 4, busyPercent: 12.5 },
  memory: { totalBytes: 8 * 2 ** 30, availableBytes: 6 * 2 ** 30 },
  swap: { totalBytes: 0, freeBytes: 0 },
  filesystems: [{ mount: '/', device: 'sda', fstype: 'ext4', sizeBytes: 100, availBytes: 10 }],
  network: [{ name: 'eth0', rxBytes: 1024, txBytes: 2048 }],
  temperatures: [],
  uptimeSeconds: 90_061,
};

const buttons = (v: ReturnType<typeof fleetView>) =>
  v.keyboard?.kind === 'inline' ? v.keyboard.rows.flat() : [];

describe('fleet views', () => {
  const hosts: HostStatus[] = [
    { name: 'dead', source: 'prometheus', state: 'down', error: 'up == 0' },
    ...Array.from({ length: 199 }, (_, i) => ({
      name: `h${String(i).padStart(3, '0')}`,
      source: 'prometheus' as const,
      state: 'ok' as const,
      snapshot: snap,
    })),
  ];

  it('pages the Fleet overview, worst first, within Telegram limits', () => {
    const first = fleetView(hosts, 0, 20);
    const text = visibleText(first.html.value);
    expect(text).toContain('Fleet: 200 hosts — 1 down, 0 critical, 0 warning, 199 ok');
    expect(text).toContain('page 1 of 10');
    expect(text.split('\n')[3]).toBe('🔴 dead — down: up == 0');
    expect(text).toContain('🟢 h000 — CPU 12.5 % · mem 25.0 % · disk 90.0 % · load 1.50');
    expect(first.html.value.length).toBeLessThan(TELEGRAM_LIMITS.messageText);
    expect(buttons(first).map((b) => b.text)).toContain('Next ➡️');
    const last = visibleText(fleetView(hosts, 9, 20).html.value);
    expect(last).toContain('page 10 of 10');
    expect(last).toContain('h198');
    expect(visibleText(fleetView(hosts, 999, 20).html.value)).toContain('page 10 of 10');
  });

  it('renders remote names and label values with markup literally', () => {
    const evil: HostStatus[] = [
      { name: '<b>x</b>&amp;', source: 'prometheus', state: 'ok', snapshot: snap },
    ];
    const v = fleetView(evil, 0, 20);
    expect(v.html.value).toContain('&lt;b&gt;x&lt;/b&gt;&amp;amp;');
    expect(visibleText(v.html.value)).toContain('<b>x</b>&amp;');
    const r = remoteHostView('<i>h</i>', 'filesystems', {
      ...snap,
      filesystems: [
        { mount: '<a href="x">', device: '', fstype: 'ext4', sizeBytes: 1, availBytes: 1 },
      ],
    });
    expect(r.html.value).toContain('&lt;a href=&quot;x&quot;&gt;');
    const a = amAlertView(
      {
        status: 'firing',
        labels: { alertname: '<b>A</b>', job: '<script>' },
        annotations: { summary: '<u>s</u>' },
        startsAt: 't',
        endsAt: 't',
        fingerprint: 'abc',
      },
      { buttons: true },
    );
    expect(a.html.value).not.toMatch(/<(script|u|b>A)/);
    expect(visibleText(a.html.value)).toContain('<script>');
  });

  it('shows what a remote source cannot and what the exporter did not export', () => {
    const v = visibleText(remoteHostView('web', 'overview', snap).html.value);
    expect(v).toContain('Load average: 1.50 / 1.00 / 0.50');
    expect(v).toContain('Swap: none configured');
    expect(v).toContain('Uptime: 1 day, 01:01:01');
    expect(v).toContain(REMOTE_LIMITS);
    const bare = { filesystems: [], network: [], temperatures: [] };
    expect(visibleText(remoteHostView('web', 'memory', bare).html.value)).toContain(
      'Memory: not exported',
    );
    expect(visibleText(remoteDownView('web', 'cpu', 'no answer within 5000 ms').html.value)).toBe(
      '🔴 web is unreachable: no answer within 5000 ms',
    );
  });

  it('offers this host first, then the remote hosts, in the picker', () => {
    const v = hostPickerView('quick', ['a', 'b'], 0, 20);
    expect(buttons(v).map((b) => b.text)).toEqual(['🖥 This host', '🌐 a', '🌐 b']);
  });
});
