/**
 * A safe image update of one small container end to end — pull from a local registry,
 * stop, keep, re-create with the same configuration, start, wait until healthy, remove
 * the old one — through the whole daemon (press "Yes, update" → result edited in),
 * beside the same steps done with the docker CLI in the same run on the same engine.
 */
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../test/support/bot-api-emulator';
import { Daemon, TEST_SALT, TEST_TOKEN } from '../test/support/daemon';
import {
  BUSYBOX_IMAGE,
  dockerForTests,
  startEngine,
  startRegistry,
  type DockerTestEngine,
} from '../test/support/docker-engine';
import { fmt, machine, percentile, sleep, writeSection } from './support';
import { totp } from '../test/support/e2e-helpers';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const ADMIN = 4001;
/** The app's health check: answers at once, probed every 250 ms (the same for both sides). */
const HEALTH = ['--health-cmd', 'true', '--health-interval', '250ms', '--health-retries', '3'];
const RUN_OPTS = [
  '--network',
  'none',
  '--init',
  '--restart',
  'unless-stopped',
  '-e',
  'APP_MODE=bench',
  '-l',
  'com.example.role=bench',
  '-v',
  'bench-data:/data',
  ...HEALTH,
];

let variant = 0;

/** Pushes a new version of `ref` and removes it locally, so the next pull downloads it. */
async function pushNew(engine: DockerTestEngine, ref: string): Promise<void> {
  const v = `v${++variant}`;
  const tmp = `bench-build-${v}`;
  await engine.cli(['create', '--name', tmp, '--network', 'none', BUSYBOX_IMAGE, 'true']);
  await engine.cli([
    'commit',
    '--change',
    `LABEL bench.variant=${v}`,
    '--change',
    'CMD ["/bin/sh","-c","trap \'exit 0\' TERM; while true; do sleep 1; done"]',
    tmp,
    ref,
  ]);
  await engine.cli(['rm', '-f', tmp]);
  await engine.cli(['push', ref]);
  // The running containers keep their own images; only the new one (unused) goes.
  await engine.cli(['rmi', ref]);
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

/** The CLI baseline: pull, stop, rename, create (same options), start, wait healthy, remove. */
async function cliUpdate(engine: DockerTestEngine, ref: string, name: string): Promise<number> {
  const t0 = performance.now();
  await engine.cli(['pull', ref]);
  await engine.cli(['stop', name]);
  await engine.cli(['rename', name, `${name}-old`]);
  await engine.cli(['create', '--name', name, ...RUN_OPTS, ref]);
  await engine.cli(['start', name]);
  await until(async () => {
    const out = await engine.cli(['inspect', '-f', '{{.State.Health.Status}}', name]);
    return out.stdout.trim() === 'healthy';
  });
  await engine.cli(['rm', `${name}-old`]);
  return performance.now() - t0;
}

async function press(
  emu: BotApiEmulator,
  who: UserDriver,
  m: EmuMessage,
  text: string,
  want: RegExp,
): Promise<EmuMessage> {
  const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text.startsWith(text));
  if (b === undefined || !('callback_data' in b))
    throw new Error(`no button ${text} in ${m.text ?? ''}`);
  const edits = (): number =>
    emu.transcript(m.chat.id).find((e) => e.message_id === m.message_id)?.edits.length ?? 0;
  const before = edits();
  await who.press(m, b.callback_data);
  const e = await emu.waitFor(
    (ev) =>
      ev.type === 'edit' &&
      ev.chatId === m.chat.id &&
      ev.message.message_id === m.message_id &&
      edits() > before &&
      want.test(ev.message.text ?? ''),
    60_000,
  );
  return (e as { message: EmuMessage }).message;
}

/** Opens the app's update screen: list → details → ⬆️ Update (2FA the first time). */
async function updateScreen(
  emu: BotApiEmulator,
  who: UserDriver,
  name: string,
): Promise<EmuMessage> {
  await who.command('/containers');
  const list = await who.nextReply(10_000);
  const row = (list.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text.endsWith(name));
  if (row === undefined) throw new Error(`${name} not listed`);
  const details = await press(emu, who, list, row.text, /Live usage/);
  return press(emu, who, details, '⬆️ Update', /Image update/);
}

async function main(): Promise<void> {
  const shared = await dockerForTests();
  const owned = shared === undefined ? await startEngine() : undefined;
  const engine: DockerTestEngine = shared ?? owned!;
  const registry = await startRegistry();
  const emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  let daemon: Daemon | undefined;
  const ref = `${registry.host}/bench/app:latest`;
  try {
    await pushNew(engine, ref);
    await engine.cli(['pull', ref]);
    for (const name of ['bench-upd', 'bench-cli'])
      await engine
        .cli(['rm', '-f', name, `${name}-old`, `${name}-tmbot-old`])
        .catch(() => undefined);
    await engine.cli(['run', '-d', '--name', 'bench-upd', ...RUN_OPTS, ref]);
    await engine.cli(['run', '-d', '--name', 'bench-cli', ...RUN_OPTS, ref]);

    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      logLevel: 'info',
      config: {
        access_control: {
          allowed_user_ids: [ADMIN],
          allowed_admins_ids: [ADMIN],
          auth_salt: [TEST_SALT],
          rate_limit: { requests: 10_000, per_seconds: 1 },
        },
        docker: {
          host: [engine.host],
          image_updates: { start_timeout_seconds: 60, min_up_seconds: 1 },
        },
      },
    });
    await daemon.ready();
    const admin = emu.user(ADMIN, { first_name: 'Bench' });
    await admin.command('/containers');
    await admin.nextReply(10_000);
    // One 2FA code for the whole run (the session lasts 10 minutes).
    await admin.text(totp(ADMIN));
    await admin.nextReply(10_000);

    const bot: number[] = [];
    const cli: number[] = [];
    const screen: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await pushNew(engine, ref);
      const s0 = performance.now();
      const s = await updateScreen(emu, admin, 'bench-upd');
      screen.push(performance.now() - s0);
      const ask = await press(emu, admin, s, '⬆️ Update now', /Are you sure/);
      const t0 = performance.now();
      const done = await press(emu, admin, ask, '✅ Yes, update', /done in|failed at/);
      if (!/done in/.test(done.text ?? '')) throw new Error(`update failed: ${done.text}`);
      bot.push(performance.now() - t0);
      await pushNew(engine, ref);
      cli.push(await cliUpdate(engine, ref, 'bench-cli'));
    }

    const b50 = percentile(bot, 50);
    const c50 = percentile(cli, 50);
    const report = `## Safe image update of one container (bench/update.ts)

${machine()}; private engine, local \`docker-registry\`; a busybox container with env, label, volume, restart policy and a health check probed every 250 ms; each round pushes a new image under the same tag first, so both sides really pull. ${ROUNDS} rounds.

| | p50 | max |
| --- | ---: | ---: |
| docker CLI: pull, stop, rename, create, start, wait healthy, rm old (baseline) | ${fmt(c50)} | ${fmt(Math.max(...cli))} |
| **tmbot: "Yes, update" → result shown** (same steps + progress edits, journal, alerts told) | **${fmt(b50)}** | ${fmt(Math.max(...bot))} |
| ratio tmbot / CLI | ${(b50 / c50).toFixed(2)} | |
| update screen (details → ⬆️ Update, fresh registry check) | ${fmt(percentile(screen, 50))} | ${fmt(Math.max(...screen))} |

Without a health check tmbot also waits \`min_up_seconds\` (default 5 s) to see that the new container stays up; that wait is configuration, not cost, and is left out here (the health check decides).`;
    process.stdout.write(`${report}\n`);
    writeSection('update', report);
  } finally {
    await daemon?.stop();
    daemon?.cleanup();
    await emu.stop();
    for (const name of ['bench-upd', 'bench-cli'])
      await engine
        .cli(['rm', '-f', name, `${name}-old`, `${name}-tmbot-old`])
        .catch(() => undefined);
    await registry.stop();
    await owned?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
