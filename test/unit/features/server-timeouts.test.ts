/**
 * SCR-TIMEOUT: a host read that hangs (here a hwmon file that is a FIFO nobody writes to, so
 * open(2) blocks in the libuv pool as a stuck driver would) must not hang the screen. The real
 * HostSystem reads a temp root; time is a ManualClock.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostSystem, READ_TIMEOUT_MS } from '../../../src/adapters/system/host-system';
import { ManualClock } from '../../../src/clock';
import { serverFeature } from '../../../src/features/server';
import { SERVER_MENU } from '../../../src/views/server';
import { Pipeline } from '../../support/pipeline';
import { silentLogger } from '../../support/silent-logger';

const ALICE = 11;

/** Polls `cond` on real time until it holds or `ms` pass (the FIFO's open runs on a pool thread). */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** Writes to the FIFO if a reader is blocked on it; false when nobody is reading. */
function feed(fifo: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  writeSync(fd, text);
  closeSync(fd);
  return true;
}

describe('server screens when a host read hangs', () => {
  let root: string;
  let fifo: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tmbot-hung-'));
    const hw = join(root, 'sys', 'class', 'hwmon', 'hwmon0');
    mkdirSync(hw, { recursive: true });
    writeFileSync(join(hw, 'name'), 'coretemp\n');
    fifo = join(hw, 'temp1_input');
    execFileSync('mkfifo', [fifo]);
  });
  afterEach(() => {
    feed(fifo, ''); // never leave a pool thread blocked
    rmSync(root, { recursive: true, force: true });
  });

  it('answers "not available" with the reason after the bound, then shows the reading once it comes', async () => {
    const clock = new ManualClock();
    const system = new HostSystem({ clock, log: silentLogger, root });
    const feature = serverFeature({ system, clock, log: silentLogger, nodeVersion: 'v24' });
    const p = new Pipeline({ userIds: [ALICE] }, [feature]);

    const first = p.text(ALICE, SERVER_MENU.sensors);
    await until(() => clock.timerCount > 0);
    await clock.advanceAsync(READ_TIMEOUT_MS);
    await first;
    expect(p.sender.sent.at(-1)?.text).toBe(
      '⚠️ Temperatures: not available: the sensors did not answer within 2 s (a hung mount or driver). Try again later.',
    );

    // Still hung: the next request waits on the same read and gives up again.
    p.clock.advance(2000);
    const second = p.text(ALICE, SERVER_MENU.sensors);
    await until(() => clock.timerCount > 0);
    await clock.advanceAsync(READ_TIMEOUT_MS);
    await second;
    expect(p.sender.sent.at(-1)?.text).toMatch(/did not answer within 2 s/);

    // The driver answers: the read still running finishes and the next request shows it.
    await until(() => feed(fifo, '45000\n'));
    rmSync(fifo);
    writeFileSync(fifo, '45000\n');
    p.clock.advance(2000);
    await p.text(ALICE, SERVER_MENU.sensors);
    expect(p.sender.sent.at(-1)?.text).toMatch(/coretemp[\s\S]*45/);
  }, 20_000);
});
