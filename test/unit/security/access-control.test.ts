import { menuFeature } from '../../../src/features/menu';
import { MemoryStore } from '../../support/memory-store';
import { Pipeline } from '../../support/pipeline';

const OWNER = 21;
const ADMIN_CHAT = -100500;
const STRANGER = 99;

function pipeline(store = new MemoryStore()): Pipeline {
  return new Pipeline(
    { userIds: [OWNER], adminIds: [OWNER], adminChatIds: [ADMIN_CHAT] },
    [menuFeature({ isAllowed: (id) => id === OWNER, getMyIdDeleteMs: 30_000, plugins: [] })],
    store,
  );
}

describe('access control', () => {
  it('lets allowed users through', async () => {
    const p = pipeline();
    await p.text(OWNER, '/start');
    expect(p.sender.textsTo(OWNER)[0]).toMatch(/Hi, User21/);
  });

  it('denies twice with attempts left, blocks on the third, alerts the admin once with the real id', async () => {
    const p = pipeline();
    await p.text(STRANGER, 'hello');
    await p.text(STRANGER, '/start');
    await p.text(STRANGER, 'let me in');
    await p.text(STRANGER, 'please');
    const told = p.sender.textsTo(STRANGER);
    expect(told).toEqual([
      expect.stringMatching(/don't have access.*2 attempts left/s),
      expect.stringMatching(/1 attempt left/),
      expect.stringMatching(/blocked for 60 minutes/),
    ]);
    const alerts = p.sender.textsTo(ADMIN_CHAT);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(`User id: ${STRANGER}`);
    expect(p.access.isBlocked(STRANGER)).toBe(true);
  });

  it('keeps the block across a restart and lifts it after an hour', async () => {
    const store = new MemoryStore();
    const first = pipeline(store);
    for (let i = 0; i < 3; i++) await first.text(STRANGER, 'x');
    await first.access.save();
    const second = pipeline(store);
    second.clock.advance(first.clock.now() - second.clock.now());
    expect(second.access.isBlocked(STRANGER)).toBe(true);
    await second.text(STRANGER, 'x');
    expect(second.sender.textsTo(STRANGER)).toEqual([]);
    second.clock.advance(3600_001);
    expect(second.access.isBlocked(STRANGER)).toBe(false);
    await second.text(STRANGER, 'x');
    expect(second.sender.textsTo(STRANGER)[0]).toMatch(/2 attempts left/);
  });

  it('answers /getmyid for an unknown user and schedules its deletion', async () => {
    const p = pipeline();
    await p.text(STRANGER, '/getmyid');
    const card = p.sender.textsTo(STRANGER)[0];
    expect(card).toContain(`User id: ${STRANGER}`);
    expect(card).toContain('not on the allowlist');
    expect(p.sender.textsTo(ADMIN_CHAT)[0]).toMatch(/Setup command/);
  });

  it('gives a stranger nothing but the denial for any other command', async () => {
    const p = pipeline();
    await p.text(STRANGER, '/plugins');
    expect(p.sender.textsTo(STRANGER)).toEqual([expect.stringMatching(/don't have access/)]);
  });

  it('answers a stranger pressing a button with an alert', async () => {
    const p = pipeline();
    const id = await p.press(STRANGER, 'anything');
    expect(p.sender.answers.find((a) => a.id === id)).toMatchObject({ alert: true });
  });

  it('drops updates without a sender and from bots', async () => {
    const p = pipeline();
    await p.raw({
      update_id: 500,
      channel_post: {
        message_id: 1,
        date: 0,
        chat: { id: -1, type: 'channel', title: 'c' },
        text: '/start',
      },
    });
    await p.raw({
      update_id: 501,
      message: {
        message_id: 2,
        date: 0,
        from: { id: 5, is_bot: true, first_name: 'b' },
        chat: { id: 5, type: 'private' },
        text: '/start',
      },
    });
    expect(p.sender.sent).toEqual([]);
  });

  it('ignores group chats outside allowed_chat_ids but keeps private chats working', async () => {
    const p = new Pipeline({ userIds: [OWNER], chatIds: [-1001] }, [
      menuFeature({ isAllowed: () => true, getMyIdDeleteMs: 1000, plugins: [] }),
    ]);
    await p.text(OWNER, '/start', { id: -2002, type: 'supergroup', title: 'Other' });
    await p.text(OWNER, '/start', { id: -1001, type: 'supergroup', title: 'Ops' });
    await p.text(OWNER, '/start');
    expect(p.sender.sent.map((s) => s.chatId)).toEqual([-1001, OWNER]);
  });
});
