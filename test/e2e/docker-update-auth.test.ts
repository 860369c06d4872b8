/**
 * Safe image updates from a password-protected registry: the real docker-registry with
 * htpasswd auth, credentials written by the real `docker login`, the built daemon sending
 * them on the pull (X-Registry-Auth). Without the file, or with a wrong password, the pull
 * is refused with words that say so and nothing changes. The password appears nowhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryAuthHeader } from '../../src/adapters/docker/registry-auth';
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../support/bot-api-emulator';
import { ADMIN_ID, Daemon, TEST_SALT, TEST_TOKEN, UNLIMITED_RATE } from '../support/daemon';
import {
  describeDocker,
  startRegistry,
  startSecondEngine,
  uniqueName,
  type OwnedDockerEngine,
  type TestRegistry,
} from '../support/docker-engine';
import { ButtonPresser, buttons } from '../support/e2e-helpers';
import { pushApp } from '../support/update-app';

jest.setTimeout(240_000);

const PASSWORD = 'tmbot-registry-pass-0123456789';
/** bcrypt (cost 4) of PASSWORD for user "tmbot"; distribution's htpasswd wants bcrypt. */
const HTPASSWD = 'tmbot:$2b$04$m324DCDv3W8i73VseBthUuGkd/dapX.LPJlOVvepv0FZ7zMQlQXdG';

describeDocker('image updates from a private registry', () => {
  let registry: TestRegistry;
  let own: OwnedDockerEngine;
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;
  let admin: UserDriver;
  let ui: ButtonPresser;
  const loginDir = mkdtempSync(join(tmpdir(), 'tmbot-login-'));
  const configJson = join(loginDir, 'config.json');
  const app = uniqueName('updauth');

  /** Builds and pushes `ref` (label `variant`) with the login; returns the image id. */
  const pushWithLogin = (ref: string, variant: string): Promise<string> =>
    pushApp(own, ref, variant, { configDir: loginDir });

  beforeAll(async () => {
    [registry, own, emu] = await Promise.all([
      startRegistry({ htpasswd: HTPASSWD }),
      startSecondEngine(),
      BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' }),
    ]);
    admin = emu.user(ADMIN_ID, { first_name: 'Admin' });
    ui = new ButtonPresser(emu, admin, 90_000);
    await own.cli(['--config', loginDir, 'login', registry.host, '-u', 'tmbot', '-p', PASSWORD]);
  });
  afterAll(async () => {
    await daemon?.stop();
    daemon?.cleanup();
    await Promise.all([registry?.stop(), own?.stop(), emu?.stop()]);
    rmSync(loginDir, { recursive: true, force: true });
  });

  const press = (m: EmuMessage, text: string, until: RegExp): Promise<EmuMessage> =>
    ui.press(m, text, until);

  /** The app's image update screen; the first time through the 2FA prompt. */
  async function updateScreen(): Promise<EmuMessage> {
    await admin.command('/containers');
    const list = await admin.nextReply(15_000);
    const entry = buttons(list).find((t) => t.endsWith(app));
    if (entry === undefined) throw new Error(`${app} not listed: ${buttons(list).join(' | ')}`);
    const details = await press(list, entry, /Live usage/);
    return ui.pressGuarded(details, '⬆️ Update', /Image update/);
  }

  const inspect = (id: string) => own.docker.getContainer(id).inspect();

  it('pulls with the login of docker.registry_auth_file; without it nothing changes', async () => {
    const ref = `${registry.host}/team/${app}:1`;
    const v1 = await pushWithLogin(ref, 'v1');
    const c = await own.docker.createContainer({
      name: app,
      Image: ref,
      StopTimeout: 2,
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    await c.start();
    // Upstream pushes the tag again; the host still has v1 under it.
    const v2 = await pushWithLogin(ref, 'v2');
    await own.cli(['tag', v1, ref]);
    await own.cli(['rmi', v2]);
    const before = await c.inspect();
    expect(before.Image).toBe(v1);

    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        access_control: {
          allowed_user_ids: [ADMIN_ID],
          allowed_admins_ids: [ADMIN_ID],
          auth_salt: [TEST_SALT],
          rate_limit: UNLIMITED_RATE,
        },
        docker: {
          host: [own.host],
          registry_auth_file: configJson,
          image_updates: { start_timeout_seconds: 30, min_up_seconds: 2, keep_days: 7 },
        },
      },
    });
    await daemon.ready();

    // Each round: the check sees the update with the login (its answer is cached for the
    // confirmation), then the file changes, then "Yes" pulls with what the file holds now.
    const login = readFileSync(configJson, 'utf8');
    const round = async (screen: EmuMessage, file: () => void): Promise<EmuMessage> => {
      expect(screen.text).toContain('⬆️ Update available');
      const ask = await press(screen, '⬆️ Update now', /Are you sure/);
      file();
      try {
        return await press(ask, '✅ Yes, update', /done in [\d.]+ s|failed at|already runs/);
      } finally {
        writeFileSync(configJson, login);
      }
    };
    const again = (m: EmuMessage): Promise<EmuMessage> =>
      press(m, '⬆️ Image update', /Update available|Registry/);
    const unchanged = async (): Promise<void> => {
      const now = await inspect(app);
      expect([now.Id, now.Image, now.State.Running]).toEqual([before.Id, v1, true]);
    };

    // Without the file: refused, in words that say what to do; nothing changed.
    const anonymous = await round(await updateScreen(), () => rmSync(configJson));
    expect(anonymous.text).toContain('failed at “pull the new image”');
    expect(anonymous.text).toContain(`The registry ${registry.host} refused the pull`);
    expect(anonymous.text).toContain('docker.registry_auth_file holds none for it');
    expect(anonymous.text).toContain('Nothing was changed.');
    await unchanged();

    // A wrong password is refused in other words.
    const wrong = Buffer.from('tmbot:not-the-password').toString('base64');
    const refused = await round(await again(anonymous), () =>
      writeFileSync(configJson, JSON.stringify({ auths: { [registry.host]: { auth: wrong } } })),
    );
    expect(refused.text).toContain(
      'did not accept the credentials docker.registry_auth_file holds',
    );
    expect(refused.text).toContain('Nothing was changed.');
    await unchanged();

    // With the login the pull goes through and the container runs the new image.
    const done = await round(await again(refused), () => undefined);
    expect(done.text).toMatch(/✅ Update of .* done in [\d.]+ s/);
    const now = await inspect(app);
    expect(now.Id).not.toBe(before.Id);
    expect(now.Image).toBe(v2);
    expect(now.State.Running).toBe(true);

    await daemon.stop();
    const secrets = [
      PASSWORD,
      Buffer.from(`tmbot:${PASSWORD}`).toString('base64'),
      registryAuthHeader({ username: 'tmbot', password: PASSWORD }, registry.host),
    ];
    const chat = JSON.stringify(emu.transcript(admin.chatId));
    for (const text of [daemon.output, chat])
      for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
