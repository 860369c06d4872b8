import type { SystemPort } from '../../../src/adapters/system/system-port';
import { ManualClock } from '../../../src/clock';
import { serverFeature, type ServerDeps } from '../../../src/features/server';
import { silentLogger } from '../../support/silent-logger';
import { SERVER_ACTION, SERVER_MENU } from '../../../src/views/server';
import { QUICK_ACTION } from '../../../src/views/server-quick';
import type { ActionButton } from '../../../src/views/view';
import * as d from '../../fixtures/server-data';
import { Pipeline } from '../../support/pipeline';

const ALICE = 11;

/** An in-memory SystemPort serving the fixture readings; `broken` names methods that reject. */
class FakeSystem implements SystemPort {
  started = 0;
  stopped = 0;
  broken = new Set<string>();
  calls: string[] = [];
  private answer<T>(name: string, value: T): Promise<T> {
    this.calls.push(name);
    return this.broken.has(name)
      ? Promise.reject(new Error(`${name} failed`))
      : Promise.resolve(value);
  }
  start(): void {
    this.started++;
  }
  stop(): void {
    this.stopped++;
  }
  context = () => d.onHost;
  loadAverage = () => this.answer('loadAverage', d.load);
  cpu = () => this.answer('cpu', d.cpu);
  memory = () => this.answer('memory', d.memory);
  sensors = () => this.answer('sensors', d.sensors);
  processes = () => this.answer('processes', d.processes);
  topProcesses = () => this.answer('topProcesses', d.top);
  uptime = () => this.answer('uptime', d.uptime);
  users = () => this.answer('users', d.users);
  filesystems = () => this.answer('filesystems', d.filesystems);
  diskIo = () => this.answer('diskIo', d.diskIo);
  networkTotals = () => this.answer('networkTotals', d.network);
  interfaces = () => this.answer('interfaces', d.interfaces);
  connections = () => this.answer('connections', d.connections);
  processMemoryLimit = () => this.answer('processMemoryLimit', undefined);
  processRss = () => this.answer('processRss', 64 * 1024 * 1024);
}

function setup(extra: Partial<ServerDeps> = {}): { p: Pipeline; sys: FakeSystem } {
  const sys = new FakeSystem();
  const feature = serverFeature({
    system: sys,
    clock: new ManualClock(),
    log: silentLogger,
    nodeVersion: 'v24.0.0',
    ...extra,
  });
  const p = new Pipeline({ userIds: [ALICE] }, [feature]);
  return { p, sys };
}

const buttons = (p: Pipeline, i = -1): ActionButton[] => {
  const kb = p.sender.sent.at(i)?.view.keyboard;
  return kb?.kind === 'inline' ? (kb.rows.flat() as ActionButton[]) : [];
};

/** Presses a button as its token; time moves on so the per-user rate limit never applies. */
async function press(
  p: Pipeline,
  b: { action: string; args: readonly string[] } | undefined,
): Promise<string> {
  if (b === undefined) throw new Error('no such button');
  p.clock.advance(2000);
  return p.press(ALICE, p.callbacks.issue(ALICE, b.action, b.args));
}

describe('server feature', () => {
  it('opens the Server menu from the main menu and /server', async () => {
    const { p } = setup();
    await p.text(ALICE, '🚀 Server');
    await p.text(ALICE, '/server');
    expect(p.sender.textsTo(ALICE).every((t) => t.startsWith('🚀 Server: pick a view'))).toBe(true);
    expect(p.sender.sent[0]?.view.keyboard?.kind).toBe('reply');
  });

  it('answers every Server button with its screen and inline drill-downs', async () => {
    const { p } = setup();
    const expected: Record<string, RegExp> = {
      [SERVER_MENU.load]: /Load average/,
      [SERVER_MENU.cpu]: /Usage: 37\.5 %/,
      [SERVER_MENU.memory]: /Total: 16\.0 GiB/,
      [SERVER_MENU.sensors]: /Package id 0/,
      [SERVER_MENU.process]: /Processes: 130/,
      [SERVER_MENU.uptime]: /3 days, 04:05:06/,
      [SERVER_MENU.filesystem]: /size 100 GiB/,
      [SERVER_MENU.network]: /1,234,567/,
    };
    for (const [label, pattern] of Object.entries(expected)) {
      p.clock.advance(2000);
      await p.text(ALICE, label);
      expect(p.sender.sent.at(-1)?.text).toMatch(pattern);
      expect(buttons(p).length).toBeGreaterThan(0);
    }
  });

  it('edits drill-downs in place and toasts "Already up to date" on an unchanged refresh', async () => {
    const { p, sys } = setup();
    await p.text(ALICE, SERVER_MENU.cpu);
    const top = buttons(p).find((b) => b.text === '🔝 Top 10');
    await press(p, top);
    const edit = p.sender.sent.at(-1);
    expect(edit?.kind).toBe('edit');
    expect(edit?.text).toMatch(/Top 2 by CPU/);
    expect(sys.calls).toContain('topProcesses');
    const byMem = buttons(p).find((b) => b.text === '🧠 Sort by memory');
    await press(p, byMem);
    expect(p.sender.sent.at(-1)?.text).toMatch(/Top 1 by memory/);
    const refresh = buttons(p).find((b) => b.text === '🔄 Refresh');
    const id = await press(p, refresh);
    expect(p.sender.answers.find((a) => a.id === id)?.text).toBe('Already up to date');
  });

  it('opens every drill-down without error', async () => {
    const { p } = setup();
    const screens = [
      'load',
      'cpu',
      'cores',
      'times',
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
    ];
    for (const s of screens) {
      const before = p.sender.sent.length;
      const id = await press(p, { action: SERVER_ACTION.name, args: [s] });
      expect(p.sender.answers.find((a) => a.id === id)?.alert ?? false).toBe(false);
      expect(p.sender.sent).toHaveLength(before + 1);
      expect(p.sender.sent.at(-1)?.text).not.toMatch(/not available on this host/);
    }
    await press(p, { action: SERVER_ACTION.name, args: ['top', 'process', 'mem'] });
    expect(buttons(p).map((b) => b.text)).toEqual(['🚀 Processes', '🔄 Refresh', '⚡ Sort by CPU']);
  });

  it('refuses forged or stale screen arguments with a clear toast', async () => {
    const { p } = setup();
    for (const args of [['nope'], ['top', 'cpu', 'rss'], ['top', '../etc'], []]) {
      const id = await press(p, { action: SERVER_ACTION.name, args });
      expect(p.sender.answers.find((a) => a.id === id)).toMatchObject({
        text: expect.stringMatching(/no longer supported/),
        alert: true,
      });
    }
  });

  it('says "not available" when a metric cannot be read, and keeps working', async () => {
    const { p, sys } = setup();
    sys.broken = new Set(['memory', 'cpu', 'uptime', 'processes', 'loadAverage']);
    await p.text(ALICE, SERVER_MENU.memory);
    expect(p.sender.sent.at(-1)?.text).toMatch(
      /^⚠️ Memory: not available on this host right now\./,
    );
    await p.text(ALICE, '👀 Quick view');
    expect(p.sender.sent.at(-1)?.text.match(/not available/g)?.length).toBeGreaterThanOrEqual(5);
    sys.broken.clear();
    await p.text(ALICE, SERVER_MENU.memory);
    expect(p.sender.sent.at(-1)?.text).toMatch(/Total: 16\.0 GiB/);
  });

  it('shows Quick view with Docker counts, or why they are missing', async () => {
    const withDocker = setup({
      dockerSummary: () => Promise.resolve({ running: 2, total: 3, images: 4 }),
    }).p;
    await withDocker.text(ALICE, '👀 Quick view');
    expect(withDocker.sender.sent.at(-1)?.text).toContain(
      '🐳 Docker: 2 running of 3 containers · 4 images',
    );

    const failing = setup({
      dockerSummary: () => Promise.reject(new Error('connect ENOENT /secret/path')),
    }).p;
    await failing.text(ALICE, '👀 Quick view');
    expect(failing.sender.sent.at(-1)?.text).toContain(
      '🐳 Docker: not reachable (error; see the bot log)',
    );

    const { p } = setup();
    await p.text(ALICE, '👀 Quick view');
    expect(p.sender.sent.at(-1)?.text).toContain('🐳 Docker: not available');
  });

  it('switches Quick view sub-screens in place and leads back to the overview', async () => {
    const { p } = setup();
    await p.text(ALICE, '👀 Quick view');
    for (const [label, pattern] of [
      ['💾 Memory', /Total: 16\.0 GiB/],
      ['🌡 Temperatures', /Package id 0/],
      ['⚡ CPU', /Usage: 37\.5 %/],
      ['📂 Disk', /size 100 GiB/],
      ['📊 Overview', /Quick view/],
    ] as const) {
      await press(
        p,
        buttons(p).find((b) => b.text === label),
      );
      expect(p.sender.sent.at(-1)).toMatchObject({
        kind: 'edit',
        text: expect.stringMatching(pattern),
      });
    }
    const id = await press(
      p,
      buttons(p).find((b) => b.text === '🔄 Refresh data'),
    );
    expect(p.sender.answers.find((a) => a.id === id)?.text).toBe('Already up to date');
    const bad = await press(p, { action: QUICK_ACTION.name, args: ['swap'] });
    expect(p.sender.answers.find((a) => a.id === bad)?.alert).toBe(true);
  });

  it('shows About me', async () => {
    const { p } = setup();
    await p.text(ALICE, '🍄 About me');
    expect(p.sender.sent.at(-1)?.text).toMatch(
      /Version: [\d.]+\nNode\.js: v24\.0\.0\nBot uptime: 00:00:00/,
    );
  });
});
