import { ManualClock } from '../../../src/clock';
import { type Logger } from '../../../src/log/logger';
import { silentLogger } from '../../support/silent-logger';
import { AutoDeleteScheduler } from '../../../src/telegram/auto-delete';
import { MemoryStore } from '../../support/memory-store';

function scheduler(
  store = new MemoryStore(),
  clock = new ManualClock(),
  log: Logger = silentLogger,
) {
  const deleted: string[] = [];
  let failing = false;
  const s = new AutoDeleteScheduler(
    (chatId, messageId) => {
      if (failing) return Promise.reject(new Error('Bad Request: message to delete not found'));
      deleted.push(`${chatId}:${messageId}`);
      return Promise.resolve(true);
    },
    clock,
    store,
    log,
  );
  return { s, deleted, clock, store, fail: (on: boolean) => (failing = on) };
}

describe('AutoDeleteScheduler', () => {
  it('reads nothing until start(), then deletes each message when its time comes, in time order', async () => {
    const store = new MemoryStore();
    const { s, deleted, clock } = scheduler(store);
    expect(store.files.size).toBe(0);
    s.start();
    s.schedule(1, 10, 5_000);
    s.schedule(1, 11, 1_000);
    s.schedule(2, 20, 5_000);
    await clock.advanceAsync(999);
    expect(deleted).toEqual([]);
    await clock.advanceAsync(1);
    expect(deleted).toEqual(['1:11']);
    await clock.advanceAsync(4_000);
    expect(deleted).toEqual(['1:11', '1:10', '2:20']);
    expect(s.size).toBe(0);
    s.stop();
  });

  it('keeps its promise across a restart, deleting overdue messages at once', async () => {
    const store = new MemoryStore();
    const first = scheduler(store);
    first.s.start();
    first.s.schedule(1, 10, 60_000);
    first.s.schedule(1, 11, 600_000);
    first.s.stop();

    const clock = new ManualClock(first.clock.now() + 120_000);
    const second = scheduler(store, clock);
    second.s.schedule(3, 30, 1_000);
    second.s.start();
    expect(second.s.size).toBe(3);
    await clock.advanceAsync(0);
    expect(second.deleted).toEqual(['1:10']);
    await clock.advanceAsync(1_000);
    expect(second.deleted).toEqual(['1:10', '3:30']);
    await clock.advanceAsync(600_000);
    expect(second.deleted).toEqual(['1:10', '3:30', '1:11']);
  });

  it('does nothing while stopped, and logs a failed delete without retrying it', async () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    const { s, deleted, clock, fail } = scheduler(new MemoryStore(), new ManualClock(), log);
    s.schedule(1, 10, 1_000);
    await clock.advanceAsync(5_000);
    expect(deleted).toEqual([]);
    fail(true);
    s.start();
    await clock.advanceAsync(0);
    expect(warnings).toEqual(['auto-delete failed']);
    expect(s.size).toBe(0);
    s.stop();
    expect(clock.timerCount).toBe(0);
  });
});
