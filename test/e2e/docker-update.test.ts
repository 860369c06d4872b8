/**
 * Safe image updates against a real engine and a real local registry: the tag of a running
 * container is pushed again; "Update" (2FA, confirmation) re-creates it on the new image with
 * the same configuration; a broken new image is rolled back to the very same old container;
 * "Roll back" returns to the previous image; tmbot.update=never hides the action; a daemon
 * killed mid-update puts the old container back at its next start. Alerts stay quiet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../support/bot-api-emulator';
import {
  ADMIN_CHAT_ID,
  ADMIN_ID,
  Daemon,
  TEST_SALT,
  TEST_TOKEN,
  UNLIMITED_RATE,
  USER_ID,
} from '../support/daemon';
import {
  describeDocker,
  runBusybox,
  startRegistry,
  startSecondEngine,
  uniqueName,
  type OwnedDockerEngine,
  type DockerTestEngine,
  type TestRegistry,
} from '../support/docker-engine';
import { ButtonPresser, buttons } from '../support/e2e-helpers';
import { pushApp } from '../support/update-app';

jest.setTimeout(180_000);

async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Pushes a new version of `ref` to the registry while the engine keeps `ref` on `current`:
 * exactly what a host sees when upstream re-pushed a tag. The new image is removed locally,
 * so the update really pulls it.
 */
async function repush(
  engine: DockerTestEngine,
  ref: string,
  current: string,
  variant: string,
  changes: readonly string[] = [],
): Promise<string> {
  const id = await pushApp(engine, ref, variant, { changes });
  await engine.cli(['tag', current, ref]);
  await engine.cli(['rmi', id]);
  return id;
}

type Inspect = Dockerode.ContainerInspectInfo;

/** The configuration a user gave the container: what an update must keep. */
function configOf(i: Inspect): Record<string, unknown> {
  const own = Object.fromEntries(
    Object.entries(i.Config.Labels ?? {}).filter(([k]) => !k.startsWith('tmbot.test.')),
  );
  return {
    name: i.Name,
    env: i.Config.Env,
    labels: own,
    cmd: i.Config.Cmd,
    exposed: i.Config.ExposedPorts,
    healthcheck: i.Config.Healthcheck,
    stopTimeout: (i.Config as { StopTimeout?: number }).StopTimeout,
    hostConfig: i.HostConfig,
    mounts: i.Mounts.map((m) => ({ name: m.Name, destination: m.Destination, rw: m.RW })),
    networks: Object.keys(i.NetworkSettings.Networks),
  };
}

describeDocker('safe image updates, end to end', () => {
  /** An engine of its own: its image pushes and pulls must not reach other suites' alerts. */
  let own: OwnedDockerEngine;
  const prefix = uniqueName('upd');
  let emu: BotApiEmulator;
  let daemon: Daemon;
  let registry: TestRegistry;
  let admin: UserDriver;
  let ui: ButtonPresser;
  const repo = (): string => `${registry.host}/tmbot-upd/${prefix}`;
  const images: Record<string, string> = {};

  const start = async (stateDir?: string): Promise<void> => {
    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      args: ['--plugins', 'monitor'],
      ...(stateDir !== undefined ? { stateDir } : {}),
      config: {
        access_control: {
          allowed_user_ids: [ADMIN_ID, USER_ID],
          allowed_admins_ids: [ADMIN_ID],
          auth_salt: [TEST_SALT],
          rate_limit: UNLIMITED_RATE,
        },
        docker: {
          host: [own.host],
          image_updates: { start_timeout_seconds: 20, min_up_seconds: 2, keep_days: 7 },
        },
        plugins_config: { monitor: { monitor_docker: true, max_notifications: 500 } },
        alerts: {
          settle_ms: 200,
          docker: { include: [`${prefix}*`], stable_seconds: 2 },
          severity: { container_created: 'warning', container_removed: 'warning' },
        },
      },
    });
    await daemon.ready();
    await daemon.waitForLog(/events streaming/);
  };

  beforeAll(async () => {
    [emu, registry, own] = await Promise.all([
      BotApiEmulator.start({ token: TEST_TOKEN, botUsername: 'tmbot_test_bot' }),
      startRegistry(),
      startSecondEngine(),
    ]);
    admin = emu.user(ADMIN_ID, { first_name: 'Admin' });
    ui = new ButtonPresser(emu, admin, 60_000);
    images.v1 = await pushApp(own, `${repo()}:1`, 'v1');
    await start();
  });

  afterAll(async () => {
    await daemon?.stop();
    expect(daemon.output).not.toContain(TEST_TOKEN);
    expect(daemon.output).not.toContain(TEST_SALT);
    expect(daemon.output).not.toContain('s3cr3t-value');
    daemon?.cleanup();
    await emu?.stop();
    await registry?.stop();
    await own?.stop();
  });

  const press = (m: EmuMessage, text: string, until: RegExp): Promise<EmuMessage> =>
    ui.press(m, text, until);
  const pressGuarded = (m: EmuMessage, text: string, until: RegExp): Promise<EmuMessage> =>
    ui.pressGuarded(m, text, until);

  /** The container's details screen, paging through the list (other suites share the engine). */
  async function details(name: string): Promise<EmuMessage> {
    await admin.command('/containers');
    // The admin's chat is the alert chat too: "created" alerts may land before the reply.
    let page = await admin.nextReplyMatching(/📦 Containers/, 30_000);
    for (let i = 0; i < 50; i++) {
      const b = buttons(page).find((t) => t.endsWith(name));
      if (b !== undefined) return press(page, b, /Live usage/);
      page = await press(page, 'Next ➡️', /Page/);
    }
    throw new Error(`${name} not listed`);
  }

  async function updateScreen(name: string): Promise<EmuMessage> {
    return pressGuarded(await details(name), '⬆️ Update', /Image update/);
  }

  /** The app container: env (one secret), labels (compose ones too), port, volume, restart policy, limits. */
  async function runApp(name: string, ref: string): Promise<Inspect> {
    const c = await own.docker.createContainer({
      name,
      Image: ref,
      Env: ['APP_MODE=production', 'API_TOKEN=s3cr3t-value'],
      Labels: {
        'com.docker.compose.project': `${prefix}-proj`,
        'com.docker.compose.service': 'app',
        'com.example.role': 'web',
      },
      ExposedPorts: { '8080/tcp': {} },
      StopTimeout: 2,
      HostConfig: {
        NetworkMode: 'none',
        Init: true,
        RestartPolicy: { Name: 'unless-stopped' },
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] },
        Binds: [`${name}-data:/data`],
        Memory: 64 * 1024 * 1024,
        PidsLimit: 100,
      },
    });
    await c.start();
    return c.inspect();
  }

  const inspect = (idOrName: string): Promise<Inspect | undefined> =>
    own.docker
      .getContainer(idOrName)
      .inspect()
      .catch(() => undefined);

  type AuditEntry = { userId: number; action: string; outcome: string };
  function readAudit(): AuditEntry[] {
    return readdirSync(daemon.stateDir)
      .filter((f) => f.startsWith('audit.jsonl'))
      .map((f) => readFileSync(join(daemon.stateDir, f), 'utf8'))
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
  }

  /**
   * The audit log once it holds an entry like `like`: the line is appended around the final
   * edit, not before it (and a read may catch it half written). The last read if it never does.
   */
  async function auditEntries(like: Partial<AuditEntry>): Promise<AuditEntry[]> {
    const matches = (e: AuditEntry): boolean =>
      Object.entries(like).every(([k, v]) => e[k as keyof AuditEntry] === v);
    let entries: AuditEntry[] = [];
    await eventually(() => {
      try {
        entries = readAudit();
      } catch {
        return undefined;
      }
      return entries.some(matches) || undefined;
    }).catch(() => undefined);
    return entries;
  }

  const app = `${prefix}-app`;

  it('Update: the new container runs the new image with the same configuration; the old one is gone', async () => {
    const before = await runApp(app, `${repo()}:1`);
    images.v2 = await repush(own, `${repo()}:1`, images.v1 ?? '', 'v2');
    const screen = await updateScreen(app);
    expect(screen.text).toContain('⬆️ Update available');
    expect(screen.text).toContain('Policy: tmbot.update=notify');
    const ask = await press(screen, '⬆️ Update now', /Are you sure/);
    expect(ask.text).toContain('within 20 s');
    const done = await press(ask, '✅ Yes, update', /done in [\d.]+ s|failed at|already runs/);
    expect(done.text).toMatch(/✅ Update of .* done in [\d.]+ s/);
    expect(done.text).toContain('kept for a roll back until');
    // Progress was shown by editing the message step by step.
    const edits = (
      emu.transcript(admin.chatId).find((e) => e.message_id === ask.message_id)?.edits ?? []
    ).map((e) => e.text ?? '');
    expect(edits.some((t) => /✅ pull the new image[\s\S]*⏳ wait for running/.test(t))).toBe(true);

    const after = await inspect(app);
    expect(after).toBeDefined();
    if (after === undefined) return;
    expect(after.Id).not.toBe(before.Id);
    expect(after.Image).toBe(images.v2);
    expect(after.State.Running).toBe(true);
    expect(after.Config.Labels?.['tmbot.test.variant']).toBe('v2');
    expect(configOf(after)).toEqual(configOf(before));
    expect(await inspect(before.Id)).toBeUndefined();
    expect(await inspect(`${app}-tmbot-old`)).toBeUndefined();
    const ok = { userId: ADMIN_ID, action: 'container.update', outcome: 'ok' };
    expect(await auditEntries(ok)).toContainEqual(expect.objectContaining(ok));
  });

  it('an image that exits at once is rolled back: the very same old container runs again', async () => {
    const before = await inspect(app);
    if (before === undefined) throw new Error('no app container');
    images.v3 = await repush(own, `${repo()}:1`, before.Image, 'v3', [
      'CMD ["/bin/sh","-c","exit 3"]',
    ]);
    const screen = await updateScreen(app);
    const ask = await press(screen, '⬆️ Update now', /Are you sure/);
    const done = await press(ask, '✅ Yes, update', /done in [\d.]+ s|failed at|already runs/);
    expect(done.text).toMatch(/❌ Update of .* failed at “wait for running \/ healthy”/);
    // Caught exited, or already restarted by its policy between two looks.
    expect(done.text).toMatch(/exit code 3|restarted by its restart policy/);
    expect(done.text).toContain('Rolled back: the old container runs again');
    const after = await eventually(async () => {
      const i = await inspect(app);
      return i?.State.Running === true ? i : undefined;
    });
    expect(after.Id).toBe(before.Id);
    expect(after.Image).toBe(before.Image);
    expect(configOf(after)).toEqual(configOf(before));
    expect(await inspect(`${app}-tmbot-old`)).toBeUndefined();
    // The tag names the old image again, so a later `docker compose up` does not pick the broken one.
    const tagged = await own.cli(['image', 'inspect', '-f', '{{.Id}}', `${repo()}:1`]);
    expect(tagged.stdout.trim()).toBe(before.Image);
    const mine = await own.docker.listContainers({ all: true, filters: { name: [app] } });
    expect(mine.map((c) => c.Id)).toEqual([before.Id]);
    const failed = { action: 'container.update', outcome: 'failed' };
    expect(await auditEntries(failed)).toContainEqual(expect.objectContaining(failed));
  });

  it('a health check that never passes is rolled back too', async () => {
    const before = await inspect(app);
    if (before === undefined) throw new Error('no app container');
    await repush(own, `${repo()}:1`, before.Image, 'v4', [
      'HEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD false',
    ]);
    const screen = await updateScreen(app);
    const ask = await press(screen, '⬆️ Update now', /Are you sure/);
    const done = await press(ask, '✅ Yes, update', /done in [\d.]+ s|failed at|already runs/);
    expect(done.text).toContain('became unhealthy');
    expect(done.text).toContain('Rolled back');
    const after = await eventually(async () => {
      const i = await inspect(app);
      return i?.State.Running === true ? i : undefined;
    });
    expect(after.Id).toBe(before.Id);
    expect(after.Image).toBe(before.Image);
  });

  it('Roll back after a successful update returns to the previous image', async () => {
    const before = await inspect(app);
    if (before === undefined) throw new Error('no app container');
    expect(before.Image).toBe(images.v2);
    const screen = await updateScreen(app);
    expect(screen.text).toContain('is kept for a roll back until');
    const ask = await press(screen, '↩️ Roll back', /Are you sure/);
    const done = await press(ask, '✅ Yes, roll back', /done in [\d.]+ s|failed at|already runs/);
    expect(done.text).toMatch(/✅ Roll back of .* done/);
    const after = await inspect(app);
    expect(after?.Image).toBe(images.v1);
    expect(after?.State.Running).toBe(true);
    if (after !== undefined) expect(configOf(after)).toEqual(configOf(before));
    expect(await inspect(before.Id)).toBeUndefined();
    const again = await updateScreen(app);
    expect(buttons(again)).not.toContain('↩️ Roll back');
  });

  it('Pin this version: no update is offered until unpinned', async () => {
    const screen = await updateScreen(app);
    expect(buttons(screen)).toContain('⬆️ Update now');
    const pinned = await press(screen, '📌 Pin this version', /Pinned to/);
    expect(buttons(pinned)).not.toContain('⬆️ Update now');
    const unpinned = await press(pinned, '📍 Unpin', /Update available/);
    expect(buttons(unpinned)).toContain('⬆️ Update now');
  });

  it('tmbot.update=never hides the Update button', async () => {
    const name = `${prefix}-never`;
    await runBusybox(own, {
      name,
      cmd: 'while true; do sleep 1; done',
      labels: { 'tmbot.update': 'never' },
    });
    const d = await details(name);
    expect(buttons(d)).toContain('🎯 Manage');
    expect(buttons(d)).not.toContain('⬆️ Update');
    const other = await details(app);
    expect(buttons(other)).toContain('⬆️ Update');
  });

  it('the updates raised no crash, created or removed alert; a real crash still alerts', async () => {
    const canary = `${prefix}-canary`;
    await runBusybox(own, { name: canary, cmd: 'while true; do sleep 1; done' });
    await own.cli(['kill', '-s', 'KILL', canary]);
    await emu.waitForMessage(
      (m) => m.chat.id === ADMIN_CHAT_ID && (m.text ?? '').includes(`${canary} died`),
      30_000,
    );
    const texts = emu.transcript(ADMIN_CHAT_ID).map((m) => m.text ?? '');
    const about = (...parts: string[]): string[] =>
      texts.filter((t) => parts.some((p) => t.includes(p)));
    // The test's own `docker create` alerted: alerts about this container do get through…
    expect(about(`container ${app} created`)).toHaveLength(1);
    // …but none of the containers the updates created, stopped, renamed or removed did.
    expect(
      about(
        `${app} died`,
        `${app} killed`,
        `${app} is unhealthy`,
        `${app} is in a restart loop`,
        `container ${app} removed`,
        `${app}-tmbot-old`,
      ),
    ).toEqual([]);
  });

  it('a daemon killed mid-update puts the old container back at its next start', async () => {
    const before = await inspect(app);
    if (before === undefined) throw new Error('no app container');
    // A health check that stays "starting" keeps the update waiting: the daemon dies right there.
    await repush(own, `${repo()}:1`, before.Image, 'v5', [
      'HEALTHCHECK --interval=60s --start-period=60s CMD true',
    ]);
    const screen = await updateScreen(app);
    const ask = await press(screen, '⬆️ Update now', /Are you sure/);
    await press(ask, '✅ Yes, update', /⏳ wait for running/);
    expect((await inspect(`${app}-tmbot-old`))?.Id).toBe(before.Id);
    const successor = await inspect(app);
    expect(successor?.Id).not.toBe(before.Id);
    const first = daemon;
    await first.stop('SIGKILL');
    await start(first.stateDir);
    const back = await eventually(async () => {
      const i = await inspect(app);
      return i?.Id === before.Id && i.State.Running ? i : undefined;
    });
    expect(back.Name).toBe(`/${app}`);
    expect(back.Image).toBe(before.Image);
    expect(await inspect(`${app}-tmbot-old`)).toBeUndefined();
    if (successor !== undefined) expect(await inspect(successor.Id)).toBeUndefined();
    await daemon.waitForLog(/interrupted image update was rolled back/);
    const tagged = await own.cli(['image', 'inspect', '-f', '{{.Id}}', `${repo()}:1`]);
    expect(tagged.stdout.trim()).toBe(before.Image);
    first.cleanup();
  });

  it('stale buttons change nothing: pinned meanwhile, or the container replaced meanwhile', async () => {
    const before = await inspect(app);
    if (before === undefined) throw new Error('no app container');
    await repush(own, `${repo()}:1`, before.Image, 'v6');
    // A confirmation left open while someone else pins the version.
    const early = await press(await updateScreen(app), '⬆️ Update now', /Are you sure/);
    await press(await updateScreen(app), '📌 Pin this version', /Pinned to/);
    const refused = await press(early, '✅ Yes, update', /Pinned to/);
    expect(buttons(refused)).not.toContain('⬆️ Update now');
    expect((await inspect(app))?.Id).toBe(before.Id);
    await press(refused, '📍 Unpin', /Update available/);
    // A confirmation left open while the container is updated from another screen.
    const stale = await press(await updateScreen(app), '⬆️ Update now', /Are you sure/);
    const other = await press(await updateScreen(app), '⬆️ Update now', /Are you sure/);
    await press(other, '✅ Yes, update', /done in [\d.]+ s/);
    const updated = await inspect(app);
    const gone = await press(stale, '✅ Yes, update', /no longer exists/);
    expect(gone.text).toContain('This container no longer exists');
    expect((await inspect(app))?.Id).toBe(updated?.Id);
  });
});
