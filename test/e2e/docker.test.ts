/**
 * The Docker section against real engines: the built daemon, the Bot API emulator,
 * a private engine owned by this file (so container counts are exact), the run's
 * shared engine as a second host, and a real docker-registry for update checks.
 */
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../support/bot-api-emulator';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  UNLIMITED_RATE,
  USER_ID,
} from '../support/daemon';
import {
  describeDocker,
  pushTestImage,
  removeAll,
  runBusybox,
  startEngine,
  startRegistry,
  startSecondEngine,
  uniqueName,
  type OwnedDockerEngine,
  type TestRegistry,
} from '../support/docker-engine';
import { buttons, eventually, totp } from '../support/e2e-helpers';

jest.setTimeout(120_000);

describeDocker('Docker section, end to end', (suite) => {
  const prefix = uniqueName('tmbot-dk');
  let own: OwnedDockerEngine;
  let emu: BotApiEmulator;
  let daemon: Daemon;
  /** Users take turns, so each test starts from a chat of its own kind. */
  const PLAIN = [USER_ID, 2001, 2002, 2003];
  const ADMINS = [ADMIN_ID, 2101, 2102, 2103];
  let turn = 0;

  beforeAll(async () => {
    [own, emu] = await Promise.all([
      startSecondEngine(),
      BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' }),
    ]);
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        access_control: {
          allowed_user_ids: [...ADMINS, ...PLAIN],
          allowed_admins_ids: ADMINS,
          auth_salt: [TEST_SALT],
          rate_limit: UNLIMITED_RATE,
        },
        docker: { host: [own.host] },
      },
      env: { TMBOT_DOCKER_LOG_FILE_DELETE_SECONDS: '2' },
    });
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    expect(daemon.output).not.toContain(TEST_TOKEN);
    expect(daemon.output).not.toContain(TEST_SALT);
    daemon?.cleanup();
    await emu?.stop();
    await own?.stop();
    await removeAll(suite.engine, prefix);
  });

  /** The next user of `pool`, in turn. */
  function next(pool: readonly number[]): UserDriver {
    const id = pool[turn++ % pool.length] ?? USER_ID;
    return emu.user(id, { first_name: `U${id}` });
  }
  const plain = (): UserDriver => next(PLAIN);
  const anAdmin = (): UserDriver => next(ADMINS);

  /** Whether a label is `full` with its middle cut out (long host paths). */
  function clippedFrom(label: string, full: string): boolean {
    const [head, tail, ...rest] = label.split('…');
    return (
      rest.length === 0 &&
      head !== undefined &&
      tail !== undefined &&
      full.startsWith(head) &&
      full.endsWith(tail)
    );
  }

  /** Presses a button (by its text) and resolves with the message after the bot's next edit of it. */
  async function press(
    who: UserDriver,
    m: EmuMessage,
    text: string,
    until: RegExp = /[\s\S]/,
  ): Promise<EmuMessage> {
    const b = (m.reply_markup?.inline_keyboard ?? [])
      .flat()
      .find((x) => x.text === text || x.text.startsWith(text) || clippedFrom(x.text, text));
    if (b === undefined || !('callback_data' in b))
      throw new Error(`no button "${text}" in: ${buttons(m).join(' | ')}`);
    // Edits are counted, not timed: two edits can share a millisecond.
    const editsSoFar = (): number =>
      emu.transcript(m.chat.id).find((e) => e.message_id === m.message_id)?.edits.length ?? 0;
    const before = editsSoFar();
    await who.press(m, b.callback_data);
    const e = await emu.waitFor(
      (ev) =>
        ev.type === 'edit' &&
        ev.chatId === m.chat.id &&
        ev.message.message_id === m.message_id &&
        editsSoFar() > before &&
        until.test(ev.message.text ?? ''),
      20_000,
    );
    return (e as { message: EmuMessage }).message;
  }

  async function send(who: UserDriver, text: string): Promise<EmuMessage> {
    await (text.startsWith('/') ? who.command(text) : who.text(text));
    return who.nextReply(20_000);
  }

  describe('one host', () => {
    it('with no containers: the overview counts zero and the list says so; no host picker', async () => {
      const u = plain();
      const overview = await send(u, '/docker');
      expect(overview.text).toMatch(/0 running \/ 0 containers · 1 image\b/);
      const entry = emu.transcript(u.chatId).find((e) => e.message_id === overview.message_id);
      const keyboard = (entry?.reply_markup as { keyboard: { text: string }[][] }).keyboard
        .flat()
        .map((b) => b.text);
      expect(keyboard).toEqual(['📦 Containers', '🖼 Images', '🧱 Stacks', '⬅️ Back to main menu']);
      const list = await send(u, '📦 Containers');
      expect(list.text).toContain('There are no containers on this host.');
      expect(list.text).not.toContain('Host:');
    });

    it('with one container: list, details with live stats; admins get the admin buttons, plain users do not', async () => {
      await runBusybox(own, { name: `${prefix}-solo`, cmd: 'while true; do sleep 1; done' });
      const a = anAdmin();
      const list = await send(a, '/containers');
      expect(list.text).toMatch(/1\/1 running/);
      expect(list.text).toContain(`${prefix}-solo`);
      const details = await press(a, list, `🟢 ${prefix}-solo`, /Live usage/);
      expect(details.text).toMatch(
        /Memory: [\d.]+ \w+ \/ [\d.]+ \w+ \([\d.]+ %\) · headroom [\d.]+ \w+/,
      );
      expect(details.text).toMatch(/CPU: [\d.]+ %/);
      expect(buttons(details)).toEqual(
        expect.arrayContaining([
          '🧳 Volumes',
          '🌐 Networks',
          '🩺 Runtime',
          '📜 Logs',
          '🎯 Manage',
          '🔄 Refresh',
        ]),
      );
      const back = await press(a, details, '⬅️ All containers', /Containers/);
      expect(back.text).toContain(`${prefix}-solo`);

      const u = plain();
      const bobList = await send(u, '/containers');
      const bobDetails = await press(u, bobList, `🟢 ${prefix}-solo`, /Live usage/);
      expect(buttons(bobDetails)).toEqual([
        '📈 CPU',
        '📈 Memory',
        '🔄 Refresh',
        '⬅️ All containers',
      ]);
    });

    it('with 20 containers in every state: 8 per page in name order, badges, every kind of details screen', async () => {
      const hostile = `${prefix}-x`.padEnd(60, 'x');
      expect(hostile).toHaveLength(60);
      const make = (suffix: string, options: Partial<Parameters<typeof runBusybox>[1]> = {}) =>
        runBusybox(own, {
          name: `${prefix}-${suffix}`,
          cmd: 'while true; do sleep 1; done',
          ...options,
        });
      await Promise.all([
        ...Array.from({ length: 13 }, (_, i) => make(`r${String(i).padStart(2, '0')}`)),
        make('exit0', { cmd: 'true' }),
        make('exit3', { cmd: 'exit 3' }),
        make('created', { created: true }),
        make('paused'),
        make('health', { healthcheck: { cmd: 'true', intervalMs: 500 } }),
        runBusybox(own, {
          name: hostile,
          cmd: 'while true; do sleep 1; done',
          labels: { 'x<b>': '</code><script>&amp;', note: 'ünïcødé 🚀 <i>label</i>' },
          env: { DB_PASSWORD: 'hunter2-secret-value', GREETING: '<b>hi</b> & bye' },
        }),
      ]);
      await own.cli(['pause', `${prefix}-paused`]);
      await eventually(async () => {
        const c = await own.docker.getContainer(`${prefix}-health`).inspect();
        const exits = await Promise.all(
          ['exit0', 'exit3'].map((x) => own.docker.getContainer(`${prefix}-${x}`).inspect()),
        );
        return (
          c.State.Health?.Status === 'healthy' && exits.every((e) => e.State.Status === 'exited')
        );
      });

      const names = (await own.docker.listContainers({ all: true }))
        .map((c) => (c.Names[0] ?? '').slice(1))
        .sort();
      expect(names).toHaveLength(20);
      const label = (n: string): string => (n.length > 50 ? `${n.slice(0, 49)}…` : n);
      const shown = (m: EmuMessage): string[] =>
        buttons(m)
          .filter((b) => / tmbot-dk/.test(b))
          .map((b) => b.replace(/^\S+ /, ''));
      const u = plain();
      const page1 = await send(u, '/containers');
      expect(page1.text).toMatch(/16\/20 running · Page 1\/3/);
      expect(shown(page1)).toEqual(names.slice(0, 8).map(label));
      const page2 = await press(u, page1, 'Next ➡️', /Page 2\/3/);
      expect(shown(page2)).toEqual(names.slice(8, 16).map(label));
      const page3 = await press(u, page2, 'Next ➡️', /Page 3\/3/);
      expect(shown(page3)).toEqual(names.slice(16).map(label));
      expect(buttons(page3)).not.toContain('Next ➡️');
      const back2 = await press(u, page3, '⬅️ Prev', /Page 2\/3/);
      await press(u, back2, '🔄 Refresh', /Page 2\/3/).catch(() => undefined);
      const all = [page1, page2, page3].map((p) => p.text ?? '').join('\n');
      expect(all).toContain('💚 healthy');
      expect(all).toMatch(/🟡 tmbot-dk\S+-paused/);
      expect(all).toMatch(/⚪ tmbot-dk\S+-created/);

      /** Opens a container's details from the list page it is on. */
      const open = async (name: string, until: RegExp, who = plain()): Promise<EmuMessage> => {
        const index = names.indexOf(name);
        let page = await send(who, '/containers');
        for (let p = 0; p < Math.floor(index / 8); p++)
          page = await press(who, page, 'Next ➡️', /Page/);
        const b = buttons(page).find((t) => t.endsWith(label(name)));
        if (b === undefined) throw new Error(`${name} not listed on: ${page.text ?? ''}`);
        return press(who, page, b, until);
      };
      expect((await open(`${prefix}-paused`, /paused/)).text).toMatch(
        /🟡 .* paused[\s\S]*Live usage\nnot running \(paused\)/,
      );
      expect((await open(`${prefix}-exit3`, /exited/)).text).toMatch(
        /🔴 .* exited[\s\S]*Exit code: 3/,
      );
      expect((await open(`${prefix}-created`, /created/)).text).toMatch(/⚪ .* created/);
      expect((await open(`${prefix}-health`, /Live usage/)).text).toMatch(/running · 💚 healthy/);
      // Environment values are admin material (a plain user sees only the names).
      const h = await open(hostile, /Live usage/, anAdmin());
      expect(h.text).toContain(hostile);
      expect(h.text).toContain('DB_PASSWORD=<hidden>');
      expect(h.text).not.toContain('hunter2');
      expect(h.text).toContain('GREETING=<b>hi</b> & bye');
      expect(h.text).toContain('x<b>=</code><script>&amp;');
      expect(h.text).toContain('ünïcødé 🚀 <i>label</i>');
    });

    describe('admin screens behind 2FA', () => {
      const authed = new Set<number>();

      /** After a privileged press: answers the 2FA prompt with a fresh code and presses "Continue". */
      async function passSecondFactor(who: UserDriver, until: RegExp): Promise<EmuMessage> {
        const prompt = await who.nextReply(20_000);
        expect(prompt.text).toMatch(/Two-factor authentication/);
        const accepted = await send(who, totp(who.id));
        expect(accepted.text).toMatch(/Code accepted/);
        authed.add(who.id);
        const cont = buttons(accepted).find((b) => b.startsWith('Continue'));
        if (cont === undefined)
          throw new Error(`no Continue button: ${buttons(accepted).join(' | ')}`);
        return press(who, accepted, cont, until);
      }

      /** Presses a privileged button; the first time per admin, goes through the code prompt. */
      async function privileged(
        who: UserDriver,
        m: EmuMessage,
        text: string,
        until: RegExp,
      ): Promise<EmuMessage> {
        if (authed.has(who.id)) return press(who, m, text, until);
        const b = (m.reply_markup?.inline_keyboard ?? [])
          .flat()
          .find((x) => x.text.startsWith(text));
        if (b === undefined || !('callback_data' in b))
          throw new Error(`no button "${text}" in: ${buttons(m).join(' | ')}`);
        await who.press(m, b.callback_data);
        return passSecondFactor(who, until);
      }

      async function detailsOf(who: UserDriver, name: string): Promise<EmuMessage> {
        const id = (await own.docker.getContainer(name).inspect()).Id;
        const names = (await own.docker.listContainers({ all: true }))
          .map((c) => (c.Names[0] ?? '').slice(1))
          .sort();
        let page = await send(who, '/containers');
        for (let p = 0; p < Math.floor(names.indexOf(name) / 8); p++)
          page = await press(who, page, 'Next ➡️', /Page/);
        const b = buttons(page).find((t) => t.endsWith(name));
        if (b === undefined) throw new Error(`${name} (${id}) not listed`);
        return press(who, page, b, /Live usage|not running/);
      }

      it('logs of 5 000 lines: pages newest first, modes, ANSI stripped, secrets masked, file export deleted later', async () => {
        // Names starting with 0 sort onto the first list page: fewer presses under the rate limit.
        const name = `${prefix}-0logger`;
        await runBusybox(own, {
          name,
          cmd:
            'i=0; while [ $i -lt 5000 ]; do ' +
            'if [ $((i % 50)) -eq 0 ]; then printf "\\033[1;31mERROR\\033[0m line %s API_TOKEN=tok%s password: p%s <b>x</b>\\n" $i $i $i; ' +
            'else echo "line $i lorem ipsum dolor sit amet consectetur"; fi; i=$((i+1)); done; ' +
            `echo "leaked ${TEST_TOKEN} end"; head -c 10000 /dev/zero | tr '\\0' y; echo; ` +
            `printf '\\377\\376 bad utf8 <i>&amp;</i>\\n'; echo "last line"; sleep 3600`,
        });
        await eventually(async () =>
          (await own.docker.getContainer(name).logs({ stdout: true, tail: 1 }))
            .toString()
            .includes('last line'),
        );
        const a = emu.user(ADMIN_ID, { first_name: 'Ann' });
        const details = await detailsOf(a, name);
        const page1 = await privileged(a, details, '📜 Logs', /Logs of/);
        expect(page1.text).toMatch(/last 100 lines\nPage 1\/2 · newest first · 100 line\(s\)/);
        expect(page1.text).toMatch(/last line$/m);
        // A 10 000-character line is cut on the page; invalid UTF-8 and markup show literally.
        expect(page1.text).toContain(`${'y'.repeat(1000)}… [+9000 chars]`);
        expect(page1.text).toContain('\ufffd\ufffd bad utf8 <i>&amp;</i>');
        expect(page1.text).toContain('leaked [REDACTED');
        expect(page1.text).not.toContain(TEST_TOKEN);
        expect(page1.text).not.toContain('\u001b');
        expect(page1.text).not.toContain('[1;31m');
        const page2 = await press(a, page1, 'Older ➡️', /Page 2\/2/);
        expect(page2.text).not.toContain('last line');
        expect(page2.text).toMatch(
          /ERROR line \d+ API_TOKEN=\[REDACTED\] password: \[REDACTED\] <b>x<\/b>/,
        );
        const newer = await press(a, page2, '⬅️ Newer', /Page 1\/2/);
        expect(newer.text).toContain('last line');
        const five = await press(a, newer, '500 lines', /last 500 lines/);
        expect(five.text).toMatch(/Page 1\/(\d+)/);
        expect(Number(/Page 1\/(\d+)/.exec(five.text ?? '')?.[1])).toBeGreaterThan(5);
        const hour = await press(a, five, 'Last hour', /last hour/);
        // 5 002 lines printed; the hour view reads at most the newest 5 000.
        expect(hour.text).toMatch(/5000 line\(s\)/);

        const since = Date.now();
        const b = (hour.reply_markup?.inline_keyboard ?? [])
          .flat()
          .find((x) => x.text === '📎 As file');
        await a.press(hour, b && 'callback_data' in b ? b.callback_data : '');
        const doc = await emu.waitForMessage(
          (m) =>
            m.document !== undefined && m.chat.id === a.chatId && m.date * 1000 >= since - 1000,
          20_000,
        );
        expect(doc.document?.file_name).toBe(`${name}-logs.txt`);
        const file = (await (
          await fetch(`${emu.apiRoot}bot${TEST_TOKEN}/getFile?file_id=${doc.document?.file_id}`)
        ).json()) as {
          result: { file_path: string };
        };
        const text = await (
          await fetch(`${emu.apiRoot}file/bot${TEST_TOKEN}/${file.result.file_path}`)
        ).text();
        expect(text.split('\n').filter(Boolean)).toHaveLength(5000);
        expect(text).not.toContain(TEST_TOKEN);
        expect(text).not.toContain('\u001b');
        expect(text).toContain('line 50 API_TOKEN=[REDACTED] password: [REDACTED] <b>x</b>');
        await emu.waitFor((e) => e.type === 'delete' && e.messageId === doc.message_id, 20_000);
      });

      it('manage with confirmations; every result is the state read back from the engine', async () => {
        /** One admin driving one container through `steps`; two of these run side by side. */
        const flow = async (
          adminId: number,
          suffix: string,
          steps: (run: Step) => Promise<void>,
        ): Promise<void> => {
          const name = `${prefix}-${suffix}`;
          await runBusybox(own, { name, cmd: 'while true; do sleep 1; done' });
          const a = emu.user(adminId, { first_name: `Admin${adminId}` });
          let screen = await privileged(a, await detailsOf(a, name), '🎯 Manage', /Manage/);
          expect(buttons(screen)).toEqual(
            expect.arrayContaining(['⛔ Stop', '♻️ Restart', '⏸ Pause', '💀 Kill']),
          );
          expect(buttons(screen)).not.toContain('🗑 Remove');
          const state = async (): Promise<string> =>
            (await own.docker.getContainer(name).inspect()).State.Status;
          await steps(async (button, confirm, expected, engineState) => {
            if (confirm === 'cancel') {
              const ask = await press(a, screen, button, /Are you sure/);
              screen = await press(a, ask, '✖️ Cancel', /Manage/);
              return;
            }
            if (confirm !== undefined) {
              const ask = await press(a, screen, button, /Are you sure/);
              screen = await press(a, ask, confirm, /State read back/);
            } else {
              screen = await press(a, screen, button, /State read back/);
            }
            expect(screen.text).toMatch(expected);
            if (engineState === 'gone') {
              await expect(own.docker.getContainer(name).inspect()).rejects.toMatchObject({
                statusCode: 404,
              });
              return;
            }
            expect(await state()).toBe(engineState);
            screen = await press(a, screen, '🎯 Manage', /Manage/);
          });
        };
        type Step = (
          button: string,
          confirm: string | undefined,
          expected: RegExp,
          engineState: string,
        ) => Promise<void>;
        await Promise.all([
          flow(2101, '0life-a', async (run) => {
            await run(
              '⛔ Stop',
              '✅ Yes, stop',
              /State read back from the engine: 🔴 exited/,
              'exited',
            );
            await run(
              '🌟 Start',
              undefined,
              /State read back from the engine: 🟢 running/,
              'running',
            );
            await run(
              '♻️ Restart',
              '✅ Yes, restart',
              /State read back from the engine: 🟢 running/,
              'running',
            );
          }),
          flow(2103, '0life-b', async (run) => {
            await run('⏸ Pause', undefined, /State read back from the engine: 🟡 paused/, 'paused');
            await run(
              '▶️ Unpause',
              undefined,
              /State read back from the engine: 🟢 running/,
              'running',
            );
            await run(
              '💀 Kill',
              '✅ Yes, kill',
              /State read back from the engine: 🔴 exited/,
              'exited',
            );
            await run('🗑 Remove', 'cancel', /Manage/, 'exited');
            await run(
              '🗑 Remove',
              '✅ Yes, remove',
              /State read back from the engine: gone/,
              'gone',
            );
          }),
        ]);
      });

      it('refuses a demoted admin pressing an old Manage button, and audits it', async () => {
        const name = `${prefix}-0demote`;
        await runBusybox(own, { name, cmd: 'while true; do sleep 1; done' });
        const a = emu.user(2102, { first_name: 'Eve' });
        const details = await detailsOf(a, name);
        expect(buttons(details)).toContain('🎯 Manage');
        // Restart the daemon with 2102 no longer an admin; the old buttons stay in the chat.
        await daemon.stop();
        daemon = Daemon.start({
          apiRoot: emu.apiRoot,
          stateDir: daemon.stateDir,
          config: {
            access_control: {
              allowed_user_ids: [...ADMINS, ...PLAIN],
              allowed_admins_ids: [ADMIN_ID, 2101, 2103],
              auth_salt: [TEST_SALT],
              rate_limit: UNLIMITED_RATE,
            },
            docker: { host: [own.host] },
          },
        });
        await daemon.ready();
        const b = (details.reply_markup?.inline_keyboard ?? [])
          .flat()
          .find((x) => x.text === '🎯 Manage');
        const pressed = await a.press(details, b && 'callback_data' in b ? b.callback_data : '');
        const refusal = await emu.waitForCallbackAnswer(pressed);
        expect(refusal).toMatchObject({
          text: expect.stringMatching(/^⛔ Only admins may manage tmbot-dk/),
          show_alert: true,
        });
        expect(await own.docker.getContainer(name).inspect()).toMatchObject({
          State: { Status: 'running' },
        });
        type Entry = { userId: number; action: string; outcome: string };
        const denied = (e: Entry): boolean =>
          e.userId === 2102 && e.action === 'container.manage' && e.outcome === 'denied';
        // The audit line may be appended just after the answer (and a read may catch it half written).
        let entries: Entry[] = [];
        await eventually(() => {
          const audit = readdirSync(daemon.stateDir)
            .filter((f) => f.startsWith('audit.jsonl'))
            .map((f) => readFileSync(join(daemon.stateDir, f), 'utf8'))
            .join('');
          try {
            entries = audit
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Entry);
          } catch {
            return false;
          }
          return entries.some(denied);
        }).catch(() => undefined);
        expect(entries).toContainEqual(
          expect.objectContaining({ userId: 2102, action: 'container.manage', outcome: 'denied' }),
        );
      });
    });

    describe('update checks against a real registry', () => {
      let registry: TestRegistry;
      beforeAll(async () => {
        registry = await startRegistry();
      });
      afterAll(async () => {
        await registry?.stop();
      });

      it('reports an update for a tag pushed again, "up to date" for one unchanged, and newer tags in the major', async () => {
        const app1 = `${registry.host}/local/app:1`;
        const app2 = `${registry.host}/local/app:2`;
        const semver = `${registry.host}/local/app:1.0.0`;
        // Pushed from the shared engine, pulled into ours: ours keeps digest A while the registry moves on.
        await pushTestImage(suite.engine, app1, 'a');
        await pushTestImage(suite.engine, app2, 'b');
        await pushTestImage(suite.engine, semver, 'c');
        await pushTestImage(suite.engine, `${registry.host}/local/app:1.1.0`, 'd');
        for (const ref of [app1, app2, semver]) await own.cli(['pull', ref]);
        await pushTestImage(suite.engine, app1, 'a2');

        const u = plain();
        const images = await send(u, '/images');
        expect(images.text).toMatch(/Images · 4/);
        // OS/arch from inspect on every entry (Debian's engine speaks API 1.41: no shared size).
        expect((images.text ?? '').match(/· linux\/\w+ · [\d.]+ \w+ · created/g)).toHaveLength(4);
        const details = await press(u, images, `📦 ${app1}`, /Platform/);
        expect(details.text).toMatch(
          /Platform: linux\/\w+ · Size: [\d.]+ \w+.*\nLayers: \d+ · root fs: layers/,
        );
        const back = await press(u, details, '⬅️ All images', /Images · 4/);
        const report = await press(u, back, '🔎 Check updates', /Image updates/);
        expect(report.text).toContain(`⬆️ ${app1}: update available`);
        expect(report.text).toContain(`✅ ${app2}: up to date`);
        expect(report.text).toContain(`✅ ${semver}: up to date\n   Newer tags: 1.1.0`);
        expect(report.text).toContain('❔ local/busybox:test: cannot tell');
      });
    });
  });

  describe('two engines', () => {
    it('shows both on the overview and switches with the host picker; every screen names its host', async () => {
      const other = await runBusybox(suite.engine, {
        name: `${prefix}-on-shared`,
        cmd: 'while true; do sleep 1; done',
      });
      const first = daemon;
      // One poller per bot token: the single-host daemon steps aside while this one runs.
      await first.stop();
      const two = Daemon.start({
        apiRoot: emu.apiRoot,
        config: {
          access_control: {
            allowed_user_ids: [...ADMINS, ...PLAIN],
            allowed_admins_ids: ADMINS,
            auth_salt: [TEST_SALT],
            rate_limit: UNLIMITED_RATE,
          },
          docker: { host: [own.host, suite.engine.host] },
        },
      });
      try {
        await two.ready();
        const u = plain();
        const overview = await send(u, '/docker');
        expect(overview.text).toContain(`✅ ${own.host}`);
        expect(overview.text).toContain(`▫️ ${suite.engine.host}`);
        const entry = emu.transcript(u.chatId).find((e) => e.message_id === overview.message_id);
        const keyboard = (entry?.reply_markup as { keyboard: { text: string }[][] }).keyboard
          .flat()
          .map((b) => b.text);
        expect(keyboard).toContain('🖥 Docker hosts');
        const picker = await send(u, '🖥 Docker hosts');
        const switched = await press(u, picker, `🖥 ${suite.engine.host}`, /✅/);
        expect(switched.text).toContain(`✅ ${suite.engine.host}`);
        /**
         * The list page naming `other`: other test files run containers on the shared engine
         * meanwhile, and those whose names sort first can push it off page 1.
         */
        const pageWithOther = async (page: EmuMessage): Promise<EmuMessage> => {
          for (let i = 0; i < 20 && !buttons(page).includes(`🟢 ${other.name}`); i++) {
            if (!buttons(page).includes('Next ➡️')) break;
            page = await press(u, page, 'Next ➡️', /Page/);
          }
          return page;
        };
        const list = await press(u, switched, '📦 Containers', /📦 Containers ·/);
        expect(list.text).toContain(`Host: ${suite.engine.host}`);
        expect((await pageWithOther(list)).text).toContain(other.name);
        // The reply keyboard now opens the picked host too.
        const again = await send(u, '📦 Containers');
        expect(again.text).toContain(`Host: ${suite.engine.host}`);
        const details = await press(
          u,
          await pageWithOther(again),
          `🟢 ${other.name}`,
          /Live usage/,
        );
        expect(details.text).toContain(`Host: ${suite.engine.host}`);
      } finally {
        await two.stop();
        expect(two.output).not.toContain(TEST_TOKEN);
        two.cleanup();
        daemon = Daemon.start({
          apiRoot: emu.apiRoot,
          stateDir: first.stateDir,
          config: {
            access_control: {
              allowed_user_ids: [...ADMINS, ...PLAIN],
              allowed_admins_ids: ADMINS,
              auth_salt: [TEST_SALT],
              rate_limit: UNLIMITED_RATE,
            },
            docker: { host: [own.host] },
          },
        });
        await daemon.ready();
      }
    });
  });

  describe('engine lost and back', () => {
    it('says "not reachable" within 2 s while the engine is down and works again once it is back, without a daemon restart', async () => {
      const u = plain();
      const list = await send(u, '/containers');
      expect(list.text).toContain('Containers');
      const runDir = own.runDir;
      // Fewer containers make the engine's own shutdown quicker.
      await removeAll(own, prefix);
      await own.stop();
      await u.command('/containers');
      // Its reason ("the socket does not exist", not a timeout) shows it came at once; the
      // deadline is a loaded machine's round trip.
      const down = await u.nextReply(10_000);
      expect(down?.text).toBe(
        `⚠️ Docker is not reachable at ${own.host}: the socket does not exist (is the engine running, and is the socket mounted?)`,
      );
      // Other screens keep working.
      const start = await send(u, '/start');
      expect(start.text).toMatch(/Hi, /);
      const refreshed = await press(u, list, '🔄 Refresh', /not reachable/);
      expect(buttons(refreshed)).toEqual(['🔄 Try again']);
      own = await startEngine({ runDir });
      const back = await press(u, refreshed, '🔄 Try again', /Containers/);
      expect(back.text).toContain('There are no containers on this host.');
    });
  });
});

describe('docker.strict_access', () => {
  it('makes startup fail with exit code 1 and a clear reason when the engine does not answer', async () => {
    const emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    const d = Daemon.start({
      apiRoot: emu.apiRoot,
      config: { docker: { host: ['unix:///nonexistent/docker.sock'], strict_access: true } },
      env: { TMBOT_DOCKER_STRICT_WAIT_SECONDS: '2' },
    });
    try {
      expect(await d.exited).toBe(1);
      // A slow engine at boot gets retries (1 s apart first) before the start fails.
      expect(d.output).toContain('Docker not reachable yet, retrying');
      expect(d.output).toContain(
        'Docker is not reachable at unix:///nonexistent/docker.sock: the socket does not exist',
      );
      expect(d.output).not.toMatch(/ready: receiving updates/);
      expect(d.output).not.toContain(TEST_TOKEN);
    } finally {
      d.cleanup();
      await emu.stop();
    }
  });
});
