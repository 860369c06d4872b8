import { ManualClock } from '../../../src/clock';
import { PrioritySender, SendQueueFullError } from '../../../src/telegram/send-queue';
import type { SendOptions, SentMessage } from '../../../src/telegram/sender';
import { html } from '../../../src/views/html';
import type { View } from '../../../src/views/view';
import { FakeSender } from '../../support/fake-sender';

const OWNER = 1001;
const ADMIN_CHAT = -100500;
const served = new Set([OWNER, ADMIN_CHAT]);
const view = (text: string): View => ({ html: html`${text}` });

/** Telegram under load: every call takes a second of (manual) time, as when it answers 429. */
class SlowTelegram extends FakeSender {
  inFlight = 0;
  mostInFlight = 0;
  constructor(private readonly clock: ManualClock) {
    super();
  }
  override async send(chatId: number, v: View, options: SendOptions = {}): Promise<SentMessage> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await this.clock.sleep(1000);
    this.inFlight--;
    return super.send(chatId, v, options);
  }
}

function setUp(maxBulkQueued = 2000) {
  const clock = new ManualClock();
  const telegram = new SlowTelegram(clock);
  const sender = new PrioritySender(telegram, (chat) => served.has(chat), {
    slots: 8,
    bulkSlots: 4,
    maxBulkQueued,
  });
  return { clock, telegram, sender };
}

describe('PrioritySender (the send queue)', () => {
  it('answers the owner within the first second while an alert storm and a crowd of strangers wait', async () => {
    const { clock, telegram, sender } = setUp();
    const done: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++)
      done.push(sender.send(ADMIN_CHAT, view(`alert ${i}`), { bulk: true, silent: true }));
    for (let i = 0; i < 100; i++) done.push(sender.send(50_000 + i, view(`denied ${i}`)));
    const reply = sender.send(OWNER, view('Hi, Ann'));
    expect(sender.queued('bulk')).toBe(196);
    expect(sender.queued('priority')).toBe(0);

    await clock.advanceAsync(1000);
    await expect(reply).resolves.toMatchObject({ chatId: OWNER });
    const first = telegram.sent.map((s) => s.text);
    expect(first).toContain('Hi, Ann');
    expect(first).toHaveLength(5);

    // The bulk lane still drains, in order, never more than its share of slots at once.
    for (let t = 0; t < 60 && telegram.sent.length < 201; t++) await clock.advanceAsync(1000);
    await Promise.all(done);
    expect(telegram.sent).toHaveLength(201);
    expect(telegram.mostInFlight).toBe(5);
    const alerts = telegram.sent.filter((s) => s.text.startsWith('alert')).map((s) => s.text);
    expect(alerts).toEqual(Array.from({ length: 100 }, (_, i) => `alert ${i}`));
  });

  it('gives the priority lane every slot it needs, and bulk work the rest', async () => {
    const { clock, telegram, sender } = setUp();
    for (let i = 0; i < 10; i++) void sender.send(ADMIN_CHAT, view(`alert ${i}`), { bulk: true });
    for (let i = 0; i < 10; i++) void sender.send(OWNER, view(`reply ${i}`));
    // 4 bulk calls took their slots first; the other 4 slots went to replies.
    expect(telegram.inFlight).toBe(8);
    await clock.advanceAsync(1000);
    expect(telegram.sent.filter((s) => s.text.startsWith('reply'))).toHaveLength(4);
    await clock.advanceAsync(1000);
    // The 8 freed slots went to the 6 waiting replies first, and only then to 2 more alerts.
    expect(telegram.sent.filter((s) => s.text.startsWith('reply'))).toHaveLength(10);
    expect(telegram.sent.filter((s) => s.text.startsWith('alert'))).toHaveLength(6);
  });

  it('refuses bulk work past its queue bound, never the priority lane', async () => {
    const { clock, sender } = setUp(3);
    const bulk = Array.from({ length: 8 }, (_, i) =>
      sender.send(60_000 + i, view('x')).catch((e: unknown) => e),
    );
    // 4 in flight + 3 queued; the eighth is refused at once.
    await expect(bulk[7]).resolves.toBeInstanceOf(SendQueueFullError);
    const reply = sender.send(OWNER, view('still here'));
    await clock.advanceAsync(1000);
    await expect(reply).resolves.toMatchObject({ chatId: OWNER });
    await clock.advanceAsync(1000);
    const results = await Promise.all(bulk);
    expect(results.filter((r) => r instanceof SendQueueFullError)).toHaveLength(1);
  });
});
