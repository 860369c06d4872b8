/**
 * Unattended updates against a real engine and a real local registry: a container labelled
 * tmbot.update=auto whose tag was pushed again is left alone while no maintenance window is
 * open, and updated by the daemon itself (said in the admin chat, audited as user 0) once
 * `tmbot maintenance on` opens one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { until } from '../support/e2e-helpers';
import { pushApp } from '../support/update-app';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  UNLIMITED_RATE,
  runCli,
} from '../support/daemon';
import {
  describeDocker,
  startRegistry,
  startSecondEngine,
  uniqueName,
  type OwnedDockerEngine,
  type TestRegistry,
} from '../support/docker-engine';

jest.setTimeout(240_000);

const WAITING = /unattended updates wait for a maintenance window/g;

describeDocker('unattended image updates, end to end', () => {
  let own: OwnedDockerEngine;
  let registry: TestRegistry;
  let emu: BotApiEmulator;
  let daemon: Daemon | undefined;
  const app = uniqueName('updauto');

  beforeAll(async () => {
    [registry, own, emu] = await Promise.all([
      startRegistry(),
      startSecondEngine(),
      BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' }),
    ]);
  });
  afterAll(async () => {
    await daemon?.stop();
    daemon?.cleanup();
    await Promise.all([registry?.stop(), own?.stop(), emu?.stop()]);
  });

  it('updates a tmbot.update=auto container only inside a maintenance window, and says so', async () => {
    const ref = `${registry.host}/team/${app}:1`;
    const v1 = await pushApp(own, ref, 'v1');
    const c = await own.docker.createContainer({
      name: app,
      Image: ref,
      Labels: { 'tmbot.update': 'auto' },
      StopTimeout: 2,
      HostConfig: { NetworkMode: 'none', Init: true, RestartPolicy: { Name: 'unless-stopped' } },
    });
    await c.start();
    // Upstream pushes the tag again; the host still has v1 under it.
    const v2 = await pushApp(own, ref, 'v2');
    await own.cli(['tag', v1, ref]);
    await own.cli(['rmi', v2]);
    const before = await c.inspect();

    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'monitor'],
      env: { TMBOT_AUTO_UPDATE_EVERY_SECONDS: '2' },
      config: {
        access_control: {
          allowed_user_ids: [ADMIN_ID],
          allowed_admins_ids: [ADMIN_ID],
          auth_salt: [TEST_SALT],
          rate_limit: UNLIMITED_RATE,
        },
        docker: {
          host: [own.host],
          image_updates: { auto: true, start_timeout_seconds: 30, min_up_seconds: 2 },
        },
        plugins_config: { monitor: { monitor_docker: true, max_notifications: 500 } },
      },
    });
    const d = daemon;
    await d.ready();
    // The admin chat exists once the admin has talked to the bot.
    const admin = emu.user(ADMIN_ID, { first_name: 'Admin' });
    await admin.command('/start');
    await admin.nextReply(15_000);
    const log = (): string =>
      d.output
        .split('\n')
        .filter((l) => /unattended|maintenance|updat|registry|"level":"(warn|error)"/i.test(l))
        .slice(-40)
        .join('\n');

    // Outside maintenance: three looks go by, the container is left as it is.
    await until(
      'three looks',
      () => ((d.output.match(WAITING) ?? []).length >= 3 ? true : undefined),
      60_000,
      log,
    );
    const still = await c.inspect();
    expect([still.Id, still.Image]).toEqual([before.Id, v1]);
    const unattended = (): string[] =>
      emu
        .transcript(ADMIN_CHAT_ID)
        .map((m) => m.text ?? '')
        .filter((t) => t.includes('Unattended update'));
    expect(unattended()).toEqual([]);

    // Maintenance on: the next look updates it and reports to the admin chat.
    const env = { TMBOT_STATE_DIR: d.stateDir, HOME: d.dir };
    const on = await runCli(['maintenance', 'on', '30m', '--config', d.configPath], env);
    expect(on).toMatchObject({ code: 0, out: expect.stringMatching(/^maintenance: on until/) });
    await until(
      'the unattended update report',
      () => (unattended().length > 0 ? true : undefined),
      120_000,
      log,
    );
    const [report = ''] = unattended();
    expect(report).toContain(`Update of ${app} done in `);
    const now = await own.docker.getContainer(app).inspect();
    expect(now.Id).not.toBe(before.Id);
    expect(now.Image).toBe(v2);
    expect(now.State.Running).toBe(true);
    expect(now.Config.Labels?.['tmbot.update']).toBe('auto');
    expect(now.HostConfig.RestartPolicy).toEqual(before.HostConfig.RestartPolicy);

    const audit = readdirSync(d.stateDir)
      .filter((f) => f.startsWith('audit.jsonl'))
      .map((f) => readFileSync(join(d.stateDir, f), 'utf8'))
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { userId: number; action: string; outcome: string });
    expect(audit).toContainEqual(
      expect.objectContaining({ userId: 0, action: 'container.update', outcome: 'ok' }),
    );
  });
});
