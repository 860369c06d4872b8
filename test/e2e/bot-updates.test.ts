/**
 * /check_bot_updates against a local stand-in of the release feed: the newer release with its
 * notes, the update guide one press away, and the command in Telegram's menu.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { buttonData } from '../support/bot-api-driver';
import { ADMIN_ID, Daemon, TEST_TOKEN } from '../support/daemon';

describe('/check_bot_updates', () => {
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;
  let feed: Server;
  let requests = 0;

  beforeAll(async () => {
    feed = createServer((_req, res) => {
      requests++;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          tag_name: 'v99.1.0',
          name: 'tmbot 99.1.0',
          body: 'Charts <script>alert(1)</script> in the chat',
          html_url: 'https://example.org/releases/99.1.0',
          published_at: '2026-12-01T08:00:00Z',
        }),
      );
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    await new Promise((r) => feed.close(r));
  });

  beforeEach(async () => {
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon?.cleanup();
    daemon = undefined;
    await emu.stop();
  });

  it('says a newer release is out, shows its notes literally, and opens the update guide', async () => {
    const { port } = feed.address() as AddressInfo;
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: { bot_updates: { release_feed_url: `http://127.0.0.1:${port}/latest` } },
    });
    await daemon.ready();
    expect(emu.commands?.commands.map((c) => c.command)).toContain('check_bot_updates');

    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await admin.command('/check_bot_updates');
    const answer = await admin.nextReply();
    expect(answer.text).toContain('tmbot 99.1.0 is available (released 2026-12-01)');
    expect(answer.text).toContain('Charts <script>alert(1)</script> in the chat');

    await admin.press(answer, buttonData(answer, '📘 How to update'));
    const guide = await admin.nextReply();
    expect(guide.text).toContain('How to update tmbot');
    expect(guide.text).toContain('docker compose up -d --build');

    // A second check within the cache window does not ask the feed again.
    await admin.command('/check_bot_updates');
    await admin.nextReply();
    expect(requests).toBe(1);
  });
});
