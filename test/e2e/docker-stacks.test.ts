/**
 * Compose stacks against a real engine: three containers labelled as one compose
 * project show as one stack; restarting it goes through 2FA and confirmation,
 * restarts the services in dependency order and is audited with the user.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../support/bot-api-emulator';
import {
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  UNLIMITED_RATE,
  USER_ID,
} from '../support/daemon';
import { describeDocker, removeAll, runBusybox, uniqueName } from '../support/docker-engine';
import { buttons, eventually, totp } from '../support/e2e-helpers';

jest.setTimeout(120_000);

describeDocker('compose stacks, end to end', (suite) => {
  const prefix = uniqueName('tmbot-stk');
  /** Unique per run, so other tests' containers never join the stack. */
  const project = `shop${prefix.replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
  let emu: BotApiEmulator;
  let daemon: Daemon;

  const PROJECT = 'com.docker.compose.project';
  const SERVICE = 'com.docker.compose.service';
  const DEPENDS = 'com.docker.compose.depends_on';
  /** Names sort web < api < db alphabetically by prefix; dependencies say db → api → web. */
  const names = { web: `${prefix}-a-web`, api: `${prefix}-b-api`, db: `${prefix}-c-db` };

  beforeAll(async () => {
    const engine = suite.engine;
    emu = await BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' });
    const run = (service: keyof typeof names, deps?: string) =>
      runBusybox(engine, {
        name: names[service],
        cmd: 'while true; do sleep 1; done',
        labels: {
          [PROJECT]: project,
          [SERVICE]: service,
          ...(deps !== undefined ? { [DEPENDS]: deps } : {}),
        },
      });
    await run('web', 'api:service_started:false');
    await run('api', 'db:service_healthy:false,ghost:service_started:false');
    await run('db');
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        access_control: {
          allowed_user_ids: [ADMIN_ID, USER_ID],
          allowed_admins_ids: [ADMIN_ID],
          auth_salt: [TEST_SALT],
          rate_limit: UNLIMITED_RATE,
        },
        docker: { host: [engine.host] },
      },
    });
    await daemon.ready();
  });

  afterAll(async () => {
    await daemon?.stop();
    expect(daemon.output).not.toContain(TEST_TOKEN);
    expect(daemon.output).not.toContain(TEST_SALT);
    daemon?.cleanup();
    await emu?.stop();
    await removeAll(suite.engine, prefix);
  });

  /** Presses a button (by its text prefix) and resolves with the message once an edit matches `until`. */
  async function press(
    who: UserDriver,
    m: EmuMessage,
    text: string,
    until: RegExp,
  ): Promise<EmuMessage> {
    const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text.startsWith(text));
    if (b === undefined || !('callback_data' in b))
      throw new Error(`no button "${text}" in: ${buttons(m).join(' | ')}`);
    await who.press(m, b.callback_data);
    const e = await emu.waitFor(
      (ev) =>
        ev.type === 'edit' &&
        ev.chatId === m.chat.id &&
        ev.message.message_id === m.message_id &&
        until.test(ev.message.text ?? ''),
      30_000,
    );
    return (e as { message: EmuMessage }).message;
  }

  async function send(who: UserDriver, text: string): Promise<EmuMessage> {
    await (text.startsWith('/') ? who.command(text) : who.text(text));
    return who.nextReply(20_000);
  }

  const startedAt = async (name: string): Promise<number> =>
    Date.parse((await suite.engine.docker.getContainer(name).inspect()).State.StartedAt);

  it('three compose-labelled containers show as one stack, in dependency order', async () => {
    const u = emu.user(USER_ID, { first_name: 'Plain' });
    const list = await send(u, '/stacks');
    expect(list.text).toContain(`🟢 ${project} · 3/3 running`);
    expect(list.text).toMatch(/📦 Standalone: \d+ container/);
    const stack = await press(u, list, `🧱 ${project}`, /start order/);
    const text = stack.text ?? '';
    expect(text).toContain(`Stack ${project} · 3 services (start order)`);
    const at = (s: string): number => text.indexOf(`🟢 ${s} · running`);
    expect(at('db')).toBeGreaterThan(0);
    expect(at('db')).toBeLessThan(at('api'));
    expect(at('api')).toBeLessThan(at('web'));
    expect(text).toContain(names.db);
    expect(text).toContain('local/busybox:test');
    expect(text).toContain('restarts: 0');
    expect(text).toContain('needs api');
    // Plain users see the stack but get no actions.
    expect(buttons(stack)).toEqual(['🔄 Refresh', '⬅️ Stacks']);
  });

  it('restart: confirmation, 2FA, services restarted in dependency order with progress, audited', async () => {
    const admin = emu.user(ADMIN_ID, { first_name: 'Admin' });
    const before = Date.now();
    const startedBefore = await Promise.all([names.db, names.api, names.web].map(startedAt));
    const list = await send(admin, '/stacks');
    const stack = await press(admin, list, `🧱 ${project}`, /start order/);
    const ask = await press(admin, stack, '♻️ Restart stack', /restart the whole stack/);
    expect(ask.text).toContain(
      'Order: stop web → stop api → stop db → start db → start api → start web',
    );
    const yes = buttons(ask).find((b) => b.startsWith('✅ Yes'));
    expect(yes).toBe('✅ Yes, restart');
    const b = (ask.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text === yes);
    if (b === undefined || !('callback_data' in b)) throw new Error('no Yes button');
    await admin.press(ask, b.callback_data);
    const prompt = await admin.nextReply(20_000);
    expect(prompt.text).toMatch(/Two-factor authentication/);
    const accepted = await send(admin, totp(ADMIN_ID));
    expect(accepted.text).toMatch(/Code accepted/);
    const done = await press(admin, accepted, 'Continue', /restart done/);
    expect(done.text?.replace(/in [\d.]+ s/, 'in N s')).toBe(
      [
        `✅ Stack ${project}: restart done in N s`,
        '',
        '✅ stop web · exited',
        '✅ stop api · exited',
        '✅ stop db · exited',
        '✅ start db · running',
        '✅ start api · running',
        '✅ start web · running',
      ].join('\n'),
    );
    // Progress was shown by editing the message as each service moved.
    const entry = emu.transcript(admin.chatId).find((e) => e.message_id === accepted.message_id);
    const texts = (entry?.edits ?? []).map((e) => e.text ?? '');
    expect(texts.some((t) => /✅ start db · running\n⏳ start api\n▫️ start web/.test(t))).toBe(
      true,
    );

    const after = await Promise.all([names.db, names.api, names.web].map(startedAt));
    after.forEach((t, i) => expect(t).toBeGreaterThan(startedBefore[i] ?? Infinity));
    after.forEach((t) => expect(t).toBeGreaterThanOrEqual(before - 1000));
    const [db, api, web] = after as [number, number, number];
    expect(db).toBeLessThan(api);
    expect(api).toBeLessThan(web);

    await eventually(() =>
      auditEntries().some((e) => e.action === 'stack.restart' && e.outcome === 'ok'),
    );
    expect(auditEntries()).toContainEqual(
      expect.objectContaining({
        userId: ADMIN_ID,
        action: 'stack.restart',
        target: `stack ${project}`,
        outcome: 'ok',
      }),
    );
  });

  type AuditEntry = { userId: number; action: string; target?: string; outcome: string };
  /** The audit log's complete lines (a line being appended may be read half written). */
  function auditEntries(): AuditEntry[] {
    return readdirSync(daemon.stateDir)
      .filter((f) => f.startsWith('audit.jsonl'))
      .map((f) => readFileSync(join(daemon.stateDir, f), 'utf8'))
      .join('')
      .split('\n')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as AuditEntry];
        } catch {
          return [];
        }
      });
  }
});
