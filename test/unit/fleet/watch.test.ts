import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import type { HostStatus, RemoteSnapshot } from '../../../src/fleet/port';
import { FleetWatch } from '../../../src/fleet/watch';
import { visibleText } from '../../../src/views/html';

const snap = (cpu: number): RemoteSnapshot => ({
  cpu: { cores: 1, busyPercent: cpu },
  filesystems: [],
  network: [],
  temperatures: [],
});

describe('FleetWatch', () => {
  function setup() {
    const clock = new ManualClock();
    let current: HostStatus[] = [];
    const sent: string[] = [];
    const counted: string[] = [];
    const watch = new FleetWatch({
      read: () => Promise.resolve(current),
      clock,
      intervalMs: 30_000,
      unreachableAfter: 3,
      thresholds: { cpu: 80, memory: 90, disk: 90 },
      notify: (v) => {
        sent.push(visibleText(v.html.value));
        return Promise.resolve();
      },
      counted: (sev, state) => counted.push(`${sev}/${state}`),
      log: silentLogger,
    });
    return {
      clock,
      sent,
      counted,
      watch,
      set: (s: HostStatus[]) => {
        current = s;
      },
    };
  }

  it('alerts "unreachable" after N failed scrapes in a row, once, and "back" after', async () => {
    const t = setup();
    t.watch.start();
    const down: HostStatus = {
      name: '<i>web</i>',
      source: 'node_exporter',
      state: 'down',
      error: 'no answer within 5000 ms',
    };
    const up: HostStatus = {
      name: '<i>web</i>',
      source: 'node_exporter',
      state: 'ok',
      snapshot: snap(10),
    };
    t.set([down]);
    await t.clock.advanceAsync(60_000);
    expect(t.sent).toEqual([]);
    await t.clock.advanceAsync(30_000);
    expect(t.sent).toEqual([
      '🔴 <i>web</i> is unreachable: 3 scrapes in a row failed (no answer within 5000 ms).',
    ]);
    await t.clock.advanceAsync(90_000);
    expect(t.sent).toHaveLength(1);
    t.set([up]);
    await t.clock.advanceAsync(30_000);
    expect(t.sent[1]).toBe('✅ <i>web</i> is back: its metrics can be read again.');
    expect(t.counted).toEqual(['critical/firing', 'critical/resolved']);
    t.watch.stop();
  });

  it('a failure streak shorter than N says nothing', async () => {
    const t = setup();
    t.set([{ name: 'a', source: 'prometheus', state: 'down' }]);
    await t.watch.tick();
    await t.watch.tick();
    t.set([{ name: 'a', source: 'prometheus', state: 'ok', snapshot: snap(1) }]);
    await t.watch.tick();
    t.set([{ name: 'a', source: 'prometheus', state: 'down' }]);
    await t.watch.tick();
    await t.watch.tick();
    expect(t.sent).toEqual([]);
  });

  it('applies the monitor thresholds to remote figures, once when crossed and once when cleared', async () => {
    const t = setup();
    t.set([{ name: 'a', source: 'prometheus', state: 'critical', snapshot: snap(95) }]);
    await t.watch.tick();
    await t.watch.tick();
    t.set([{ name: 'a', source: 'prometheus', state: 'ok', snapshot: snap(5) }]);
    await t.watch.tick();
    expect(t.sent).toEqual(['🟠 a: cpu 95% (threshold 80%)', '✅ a: back below the thresholds.']);
  });
});
