/**
 * Issue 17 §3: a crowd of strangers cannot flood the admin chat or starve the owner; their
 * names cannot forge lines in the alert. The real daemon and the Bot API emulator.
 */
import { BotApiEmulator } from '../support/bot-api-emulator';
import { ADMIN_CHAT_ID, ADMIN_ID, Daemon, TEST_TOKEN } from '../support/daemon';

jest.setTimeout(90_000);

describe('a crowd of strangers (real daemon)', () => {
  it('bounds admin alerts and stranger replies; the owner is answered; names cannot forge lines', async () => {
    const emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    const d = Daemon.start({ apiRoot: emu.apiRoot });
    try {
      await d.ready();
      // The first stranger's name tries to forge an "User id" line.
      await emu.user(9000, { first_name: 'Eve\nUser id: 1001 \u202e' }).command('/start');
      for (let i = 1; i < 120; i++)
        await emu.user(9000 + i, { first_name: `S${i}` }).command('/start');
      const ann = emu.user(ADMIN_ID, { first_name: 'Ann' });
      await ann.command('/start');
      // The owner's chat is also the admin chat: find the greeting among the alerts.
      await emu.waitForMessage(
        (m) => m.chat.id === ADMIN_ID && /Hi, Ann!/.test(m.text ?? ''),
        30_000,
      );
      // Wait until every stranger's update has been handled (each is logged once).
      const deadline = Date.now() + 20_000;
      while ((d.output.match(/not on the allowlist/g) ?? []).length < 120) {
        if (Date.now() > deadline) throw new Error('not every stranger was handled');
        await new Promise((r) => setTimeout(r, 50));
      }
      const alertsIn = (calls: typeof emu.calls) =>
        calls.filter(
          (c) =>
            c.method === 'sendMessage' &&
            c.params.chat_id === ADMIN_CHAT_ID &&
            /Unauthorized/.test(String(c.params.text)),
        );
      // The alert about the first stranger may still wait in the send queue: one read that has
      // it decides.
      let calls = emu.calls;
      for (const until = Date.now() + 30_000; ;) {
        calls = [...emu.calls];
        if (alertsIn(calls).some((c) => String(c.params.text).includes('9000'))) break;
        if (Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const sends = calls.filter((c) => c.method === 'sendMessage');
      const alerts = alertsIn(calls);
      expect(alerts.length).toBeLessThanOrEqual(5);
      const strangerReplies = sends.filter((c) => Number(c.params.chat_id) >= 9000);
      expect(strangerReplies.length).toBeLessThan(40);
      const first = alerts.find((c) => String(c.params.text).includes('9000'));
      expect(String(first?.params.text)).toMatch(/User: Eve User id: 1001/);
      expect(String(first?.params.text).match(/^User id:/gm)).toHaveLength(1);
      expect(String(first?.params.text)).not.toContain('\u202e');
      expect(await d.stop()).toBe(0);
    } finally {
      await d.stop('SIGKILL');
      d.cleanup();
      await emu.stop();
    }
  });
});
