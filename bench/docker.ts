/**
 * Docker screens on a private engine with 100 containers: the containers list
 * reply and container details with live stats, through the whole daemon, beside
 * the raw dockerode calls they are built on (listContainers, one-shot stats),
 * measured in the same run against the same engine.
 */
import Dockerode from 'dockerode';
import { BotApiEmulator, type EmuMessage, type UserDriver } from '../test/support/bot-api-emulator';
import { Daemon, TEST_TOKEN } from '../test/support/daemon';
import { BUSYBOX_IMAGE, startEngine, type OwnedDockerEngine } from '../test/support/docker-engine';
import { fmt, machine, percentile, sleep, writeSection, benchAccess } from './support';

const CONTAINERS = 100;
const LIST_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const DETAIL_ROUNDS = 16;
/** The engine's stats collector sleeps after a request for its 1 s tick; a person reading a screen waits longer. */
const IDLE_MS = 1200;
/** Users take turns so the per-user rate limit (8 per 10 s) never applies. */
const USERS = Array.from({ length: 200 }, (_, i) => 3001 + i);
let nextUser = 0;
const someone = (emu: BotApiEmulator): UserDriver =>
  emu.user(USERS[nextUser++ % USERS.length]!, { first_name: 'Bench' });

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

async function createContainers(docker: Dockerode): Promise<void> {
  const names = Array.from({ length: CONTAINERS }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
  for (let i = 0; i < names.length; i += 8) {
    await Promise.all(
      names.slice(i, i + 8).map(async (name) => {
        const c = await docker.createContainer({
          name,
          Image: BUSYBOX_IMAGE,
          Cmd: ['/bin/sh', '-c', 'while true; do sleep 1; done'],
          HostConfig: { NetworkMode: 'none', Init: true },
        });
        await c.start();
      }),
    );
  }
}

/** Presses a button by its text and resolves once the bot edited that message to match `until`. */
async function pressAndWait(
  emu: BotApiEmulator,
  who: UserDriver,
  m: EmuMessage,
  text: string,
  until: RegExp,
): Promise<EmuMessage> {
  const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => x.text.startsWith(text));
  if (b === undefined || !('callback_data' in b)) throw new Error(`no button ${text}`);
  const edits = (): number =>
    emu.transcript(m.chat.id).find((e) => e.message_id === m.message_id)?.edits.length ?? 0;
  const before = edits();
  const pressId = await who.press(m, b.callback_data);
  // A refresh whose figures did not change is answered with a toast instead of an edit.
  const e = await emu.waitFor(
    (ev) =>
      (ev.type === 'edit' &&
        ev.chatId === m.chat.id &&
        ev.message.message_id === m.message_id &&
        edits() > before &&
        until.test(ev.message.text ?? '')) ||
      (ev.type === 'callback_answer' &&
        ev.answer.callback_query_id === pressId &&
        /Already up to date/.test(ev.answer.text ?? '')),
    15_000,
  );
  return e.type === 'edit' ? e.message : m;
}

async function main(): Promise<void> {
  const engine: OwnedDockerEngine = await startEngine();
  const emu = await BotApiEmulator.start({ token: TEST_TOKEN });
  let daemon: Daemon | undefined;
  try {
    const docker = new Dockerode({ socketPath: engine.socketPath });
    await createContainers(docker);

    // Raw baselines, same engine, same run.
    const rawList: number[] = [];
    for (let i = 0; i < LIST_ROUNDS; i++)
      rawList.push((await timed(() => docker.listContainers({ all: true })))[0]);
    const ids = (await docker.listContainers({ all: true })).map((c) => c.Id);
    const rawOneShot: number[] = [];
    const rawPair: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sleep(IDLE_MS);
      const c = docker.getContainer(ids[i % ids.length]!);
      rawOneShot.push((await timed(() => c.stats({ stream: false, 'one-shot': true })))[0]);
      await sleep(IDLE_MS);
      // Two one-shot samples: what CPU % needs when there is no earlier sample.
      rawPair.push(
        (
          await timed(async () => {
            await c.stats({ stream: false, 'one-shot': true });
            await c.stats({ stream: false, 'one-shot': true });
          })
        )[0],
      );
    }

    daemon = Daemon.start({
      apiRoot: emu.apiRoot,
      logLevel: 'info',
      config: {
        access_control: benchAccess(USERS),
        docker: { host: [engine.host] },
      },
    });
    await daemon.ready();

    const list: number[] = [];
    for (let i = 0; i < 10 + LIST_ROUNDS; i++) {
      const who = someone(emu);
      const [ms, reply] = await timed(async () => {
        await who.command('/containers');
        return who.nextReply(10_000);
      });
      if (!/100\/100 running/.test(reply.text ?? ''))
        throw new Error(`unexpected list: ${reply.text}`);
      if (i >= 10) list.push(ms);
    }

    // Details: first view of a container (two stats samples), then a second view (one sample).
    const first: number[] = [];
    const again: number[] = [];
    for (let i = 0; i < DETAIL_ROUNDS; i++) {
      const who = someone(emu);
      await who.command('/containers');
      let page = await who.nextReply(10_000);
      if (i >= 8) page = await pressAndWait(emu, who, page, 'Next', /Page 2\//);
      const name = `bench-${String(i).padStart(3, '0')}`;
      await sleep(IDLE_MS);
      const [ms, details] = await timed(() =>
        pressAndWait(emu, who, page, `🟢 ${name}`, /Live usage/),
      );
      if (!/CPU: [\d.]+ %/.test(details.text ?? ''))
        throw new Error(`no CPU figure: ${details.text}`);
      first.push(ms);
      await sleep(IDLE_MS);
      again.push(
        (await timed(() => pressAndWait(emu, who, details, '🔄 Refresh', /Live usage/)))[0],
      );
    }

    const l50 = percentile(list, 50);
    const r50 = percentile(rawList, 50);
    const report = `## Docker screens with ${CONTAINERS} containers (bench/docker.ts)

${machine()}; private engine (${engine.storageDriver}), ${CONTAINERS} running busybox containers; daemon replies measured through the Bot API emulator (send → reply/edit received), raw calls with dockerode in the same run.

| | p50 | p95 | target |
| --- | ---: | ---: | ---: |
| raw \`listContainers({all:true})\` (baseline) | ${fmt(r50)} | ${fmt(percentile(rawList, 95))} | |
| **/containers list reply** (${LIST_ROUNDS} rounds) | **${fmt(l50)}** | ${fmt(percentile(list, 95))} | ≤ 150 ms |
| ratio list reply / raw list | ${(l50 / r50).toFixed(1)} | | |
| raw one-shot \`stats\`, one call after ${IDLE_MS} ms idle | ${fmt(percentile(rawOneShot, 50))} | ${fmt(percentile(rawOneShot, 95))} | |
| raw two one-shot samples back to back (CPU % needs two) | ${fmt(percentile(rawPair, 50))} | ${fmt(percentile(rawPair, 95))} | |
| **container details with live stats, first view** (two samples) | **${fmt(percentile(first, 50))}** | ${fmt(percentile(first, 95))} | ≤ 1.3 s |
| container details, refresh (one sample, CPU % against the earlier one) | ${fmt(percentile(again, 50))} | ${fmt(percentile(again, 95))} | |

The first view of a container costs the engine's stats tick (~1 s) because a one-shot sample carries no earlier CPU reading; a refresh within a minute reuses the adapter's previous sample and costs one call.`;
    process.stdout.write(`${report}\n`);
    writeSection('docker', report);
  } finally {
    await daemon?.stop();
    daemon?.cleanup();
    await emu.stop();
    await engine.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
