/**
 * Update checks against a private registry: the real docker-registry with htpasswd
 * (Basic) auth, credentials written by the real `docker login`, the built daemon
 * reading them from docker.registry_auth_file, and none of them in its output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { Daemon, TEST_SALT, TEST_TOKEN, UNLIMITED_RATE, USER_ID } from '../support/daemon';
import {
  describeDocker,
  pushTestImage,
  startRegistry,
  startSecondEngine,
  type OwnedDockerEngine,
  type TestRegistry,
} from '../support/docker-engine';

jest.setTimeout(180_000);

const PASSWORD = 'tmbot-registry-pass-0123456789';
/** bcrypt (cost 4) of PASSWORD for user "tmbot"; distribution's htpasswd wants bcrypt. */
const HTPASSWD = 'tmbot:$2b$04$m324DCDv3W8i73VseBthUuGkd/dapX.LPJlOVvepv0FZ7zMQlQXdG';

describeDocker('update checks on a private registry', (suite) => {
  let registry: TestRegistry;
  let own: OwnedDockerEngine;
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;
  const loginDir = mkdtempSync(join(tmpdir(), 'tmbot-login-'));

  beforeAll(async () => {
    [registry, own, emu] = await Promise.all([
      startRegistry({ htpasswd: HTPASSWD }),
      startSecondEngine(),
      BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' }),
    ]);
    await suite.engine.cli([
      '--config',
      loginDir,
      'login',
      registry.host,
      '-u',
      'tmbot',
      '-p',
      PASSWORD,
    ]);
  });
  afterAll(async () => {
    await daemon?.stop();
    daemon?.cleanup();
    await Promise.all([registry?.stop(), own?.stop(), emu?.stop()]);
    rmSync(loginDir, { recursive: true, force: true });
  });

  it('reads the docker login file, reports the update, and never logs the credentials', async () => {
    const configJson = join(loginDir, 'config.json');
    // What `docker login` wrote: base64 user:password under auths (no credential helper here).
    const auths = (
      JSON.parse(readFileSync(configJson, 'utf8')) as { auths: Record<string, { auth: string }> }
    ).auths;
    expect(Buffer.from(auths[registry.host]?.auth ?? '', 'base64').toString()).toBe(
      `tmbot:${PASSWORD}`,
    );

    const ref = `${registry.host}/team/app:2024.01.05`;
    const stable = `${registry.host}/team/app:stable`;
    await pushTestImage(suite.engine, ref, 'a', loginDir);
    await pushTestImage(suite.engine, stable, 's', loginDir);
    for (const r of [ref, stable]) await own.cli(['--config', loginDir, 'pull', r]);
    await pushTestImage(suite.engine, ref, 'a2', loginDir);
    await pushTestImage(suite.engine, `${registry.host}/team/app:2024.02.01`, 'b', loginDir);

    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      config: {
        access_control: {
          allowed_user_ids: [USER_ID],
          allowed_admins_ids: [],
          auth_salt: [TEST_SALT],
          rate_limit: UNLIMITED_RATE,
        },
        docker: { host: [own.host], registry_auth_file: configJson },
      },
    });
    await daemon.ready();
    const user = emu.user(USER_ID);
    await user.command('/images');
    const images = await user.nextReply(20_000);
    expect(images.text).toMatch(/Images · 3/);
    const edited = emu.waitForEdit((m) => /Image updates/.test(m.text ?? ''), 60_000);
    await user.press(images, '🔎 Check updates');
    const report = await edited;
    expect(report.text).toContain(`⬆️ ${ref}: update available`);
    expect(report.text).toMatch(/update available\n.*\n   Newer tags: 2024\.02\.01/);
    expect(report.text).toContain(`✅ ${stable}: up to date`);

    await daemon.stop();
    const output = daemon.output;
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(auths[registry.host]?.auth ?? 'no auth');
  });
});
