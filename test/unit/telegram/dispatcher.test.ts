import type { Update } from 'telegraf/types';
import { ManualClock } from '../../../src/clock';
import { type Logger } from '../../../src/log/logger';
import { silentLogger } from '../../support/silent-logger';
import { Dispatcher } from '../../../src/telegram/dispatcher';

const text = (id: number, chat: number): Update => ({
  update_id: id,
  message: {
    message_id: id,
    date: 0,
    chat: { id: chat, type: 'private', first_name: 'U' },
    from: { id: chat, is_bot: false, first_name: 'U' },
    text: `m${id}`,
  },
});

/** A handler whose calls finish only when the test says so. */
function gated() {
  const started: number[] = [];
  const gates = new Map<number, () => void>();
  const handle = (u: Update): Promise<void> => {
    started.push(u.update_id);
    return new Promise((resolve) => gates.set(u.update_id, resolve));
  };
  const finish = async (id: number): Promise<void> => {
    gates.get(id)?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, handle, finish };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Dispatcher', () => {
  it("keeps one chat's updates in order and runs other chats alongside", async () => {
    const g = gated();
    const d = new Dispatcher(g.handle, silentLogger, new ManualClock());
    await d.enqueue(text(1, 100));
    await d.enqueue(text(2, 100));
    await d.enqueue(text(3, 200));
    await settle();
    expect(g.started).toEqual([1, 3]);
    expect(d.pending).toBe(3);
    await g.finish(1);
    expect(g.started).toEqual([1, 3, 2]);
    await g.finish(2);
    await g.finish(3);
    expect(d.pending).toBe(0);
  });

  it('applies back-pressure at maxInFlight and reports saturation', async () => {
    const g = gated();
    const d = new Dispatcher(g.handle, silentLogger, new ManualClock(), 2);
    await d.enqueue(text(1, 1));
    expect(d.saturated).toBe(false);
    let admitted = false;
    const second = d.enqueue(text(2, 2)).then(() => (admitted = true));
    await settle();
    expect(d.saturated).toBe(true);
    expect(admitted).toBe(false);
    await g.finish(1);
    await second;
    expect(admitted).toBe(true);
    expect(d.saturated).toBe(false);
  });

  it('logs a failing handler and goes on with the chat', async () => {
    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (m) => void errors.push(m) };
    const handled: number[] = [];
    const d = new Dispatcher(
      (u) => {
        handled.push(u.update_id);
        return u.update_id === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      log,
      new ManualClock(),
    );
    await d.enqueue(text(1, 5));
    await d.enqueue(text(2, 5));
    expect(await d.drain(1_000)).toBe(true);
    expect(handled).toEqual([1, 2]);
    expect(errors).toEqual(['update handling failed']);
  });

  it('drain resolves true once idle, or false when the clock runs out first', async () => {
    const clock = new ManualClock();
    const g = gated();
    const d = new Dispatcher(g.handle, silentLogger, clock);
    expect(await d.drain(1_000)).toBe(true);
    await d.enqueue(text(1, 1));
    let drained: boolean | undefined;
    const first = d.drain(1_000).then((v) => (drained = v));
    await clock.advanceAsync(999);
    expect(drained).toBeUndefined();
    await clock.advanceAsync(1);
    await first;
    expect(drained).toBe(false);
    const second = d.drain(1_000);
    await g.finish(1);
    expect(await second).toBe(true);
    expect(clock.timerCount).toBe(0);
  });

  it('close() takes no more updates and drops those queued but not started (shutdown)', async () => {
    const g = gated();
    const d = new Dispatcher(g.handle, silentLogger, new ManualClock());
    await d.enqueue(text(1, 1));
    await d.enqueue(text(2, 1));
    await settle();
    d.close();
    await d.enqueue(text(3, 1));
    await g.finish(1);
    expect(await d.drain(1_000)).toBe(true);
    expect(g.started).toEqual([1]);
  });
});
