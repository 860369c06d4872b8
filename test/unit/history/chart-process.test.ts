import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { ManualClock, systemClock } from '../../../src/clock';
import {
  CHART_FONT,
  CHART_WIDTH,
  ChartRenderer,
  type ChartRequest,
} from '../../../src/history/chart';
import { RENDERS_PER_PROCESS } from '../../../src/history/chart-process';

const START = Date.UTC(2026, 0, 1);
const REQUEST: ChartRequest = {
  title: 'x',
  unit: 'load',
  series: [{ name: 'a', points: [{ t: START, v: 1, max: 1 }] }],
  fromMs: START - 60_000,
  toMs: START,
  timeZone: 'UTC',
};

/** This process's child pids (the chart renderer is the only child these tests make). */
function children(): number[] {
  const pid = process.pid;
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a render and returns it with the pid of the renderer child it started. */
async function renderWithNewChild(
  renderer: ChartRenderer,
  before: number[],
): Promise<{ run: Promise<Buffer>; pid: number }> {
  const run = renderer.render(REQUEST);
  let pid: number | undefined;
  await until('the renderer process', () => {
    pid = children().find((p) => !before.includes(p));
    return pid !== undefined;
  });
  return { run, pid: pid! };
}

describe('ChartRenderer child process', () => {
  jest.setTimeout(120_000);

  it('a killed renderer fails its chart with a clear error, and the next chart starts a fresh one', async () => {
    const renderer = new ChartRenderer(systemClock);
    const before = children();
    const { run, pid } = await renderWithNewChild(renderer, before);
    process.kill(pid, 'SIGKILL');
    await expect(run).rejects.toThrow('chart renderer exited (SIGKILL)');
    const next = await renderWithNewChild(renderer, [...before, pid]);
    expect(PNG.sync.read(await next.run).width).toBe(CHART_WIDTH);
    expect(next.pid).not.toBe(pid);
    await renderer.close();
    expect(alive(next.pid)).toBe(false);
  });

  it('the renderer exits once idle for the configured time', async () => {
    const clock = new ManualClock(START);
    const renderer = new ChartRenderer(clock, CHART_FONT, 60_000);
    const { run, pid } = await renderWithNewChild(renderer, children());
    await run;
    clock.advance(59_000);
    expect(alive(pid)).toBe(true);
    clock.advance(1_000);
    await until('the idle renderer to exit', () => !alive(pid));
  });

  it(`is replaced by a fresh process after ${RENDERS_PER_PROCESS} renders`, async () => {
    const renderer = new ChartRenderer(systemClock);
    const before = children();
    const first = await renderWithNewChild(renderer, before);
    await first.run;
    for (let i = 1; i < RENDERS_PER_PROCESS; i++) await renderer.render(REQUEST);
    expect(children()).toContain(first.pid);
    const next = await renderWithNewChild(renderer, [...before, first.pid]);
    await next.run;
    await until('the spent renderer to exit', () => !alive(first.pid));
    await renderer.close();
  });
});
