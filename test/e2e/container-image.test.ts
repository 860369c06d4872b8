/**
 * The project's Dockerfile, built on the private engine from stand-in Node base images and run
 * the way docs/installation.md recommends: read-only root, no capabilities, no-new-privileges,
 * state on a tmpfs, config mounted read-only. A person gets /start answered, the bot is not root,
 * the image's own HEALTHCHECK turns healthy, and `docker stop` ends it cleanly within 5 s.
 */
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { BotApiEmulator } from '../support/bot-api-emulator';
import { ADMIN_ID, TEST_TOKEN, testConfig } from '../support/daemon';
import { describeDocker, removeAll, uniqueName } from '../support/docker-engine';
import {
  NODE_BUILD_IMAGE,
  NODE_RUNTIME_IMAGE,
  ensureNodeBaseImages,
} from '../support/node-base-image';

const REPO = resolve(__dirname, '..', '..');
const IMAGE = 'local/tmbot:test';
const TMBOT_UID = 10001;
const prefix = uniqueName('tmbot-image');

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeDocker('container image', (suite) => {
  let emu: BotApiEmulator;
  let dir: string;

  beforeAll(async () => {
    await ensureNodeBaseImages(suite.engine);
    // Layers are cached by the engine, so a second run in the same engine takes seconds.
    await suite.engine.cli(
      [
        'build',
        '--network',
        'host',
        '--build-arg',
        `BUILD_IMAGE=${NODE_BUILD_IMAGE}`,
        '--build-arg',
        `BASE_IMAGE=${NODE_RUNTIME_IMAGE}`,
        '--tag',
        IMAGE,
        REPO,
      ],
      { timeoutMs: 600_000 },
    );
    emu = await BotApiEmulator.start({ token: TEST_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'tmbot-image-'));
  }, 660_000);

  afterAll(async () => {
    await removeAll(suite.engine, prefix);
    await emu?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('runs read-only and unprivileged: answers /start, turns healthy, stops cleanly with exit 0', async () => {
    const config = join(dir, 'pytmbot.yaml');
    writeFileSync(config, YAML.stringify(testConfig(emu.apiRoot)));
    // Readable by the image's user only, as docs/installation.md tells people to do.
    chownSync(config, TMBOT_UID, TMBOT_UID);
    chmodSync(config, 0o600);
    const name = `${prefix}-run`;
    const volume = `${prefix}-state`;
    const { engine } = suite;
    await engine.cli([
      'run',
      '--detach',
      '--name',
      name,
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--network',
      'host',
      // State on a named volume, as docker-compose.yml has it.
      '--volume',
      `${volume}:/var/lib/tmbot`,
      '--tmpfs',
      `/tmp:uid=${TMBOT_UID},gid=${TMBOT_UID},mode=0700,size=16m,noexec,nosuid,nodev`,
      // The limits of docker-compose.yml.
      '--memory',
      '256m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '100',
      '--volume',
      `${config}:/etc/tmbot/pytmbot.yaml:ro`,
      // The image's HEALTHCHECK command, probed every second instead of every 30 s.
      '--health-interval',
      '1s',
      '--health-start-period',
      '30s',
      IMAGE,
      '--log-format',
      'json',
    ]);
    const logs = async (): Promise<string> => {
      const out = await engine.cli(['logs', name]);
      return out.stdout + out.stderr;
    };
    await eventually(
      'ready',
      async () => ((await logs()).includes('ready: receiving updates') ? true : undefined),
      60_000,
    );

    const admin = emu.user(ADMIN_ID, { first_name: 'Ann' });
    await admin.command('/start');
    expect((await admin.nextReply(20_000)).text).toContain('Hi, Ann!');

    const { stdout: uid } = await engine.cli([
      'exec',
      name,
      'node',
      '-e',
      'process.stdout.write(`${process.getuid()}:${process.getgid()}`)',
    ]);
    expect(uid).toBe(`${TMBOT_UID}:${TMBOT_UID}`);
    const pid = (await engine.cli(['inspect', '--format', '{{.State.Pid}}', name])).stdout.trim();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
    expect(status).toMatch(/^Groups:\s+10001\s*$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    // No shell in the runtime image: the HEALTHCHECK and ENTRYPOINT never needed one.
    await expect(engine.cli(['exec', name, '/bin/sh', '-c', 'true'])).rejects.toThrow();
    // `tmbot` on PATH for `docker exec tmbot tmbot totp reset …` (run through env on Alpine).
    const { stdout: bin } = await engine.cli([
      'exec',
      name,
      'node',
      '-e',
      "const fs = require('fs'); fs.accessSync('/usr/local/bin/tmbot', fs.constants.X_OK); process.stdout.write(fs.realpathSync('/usr/local/bin/tmbot'))",
    ]);
    expect(bin).toBe('/opt/tmbot/dist/main.js');

    const health = await eventually(
      'HEALTHCHECK healthy',
      async () => {
        const s = (
          await engine.cli(['inspect', '--format', '{{.State.Health.Status}}', name])
        ).stdout.trim();
        return s === 'healthy' ? s : undefined;
      },
      60_000,
    );
    expect(health).toBe('healthy');
    const log = await logs();
    expect(log).not.toContain('not writable');
    expect(log).not.toContain(TEST_TOKEN.split(':')[1]);

    // --time 10 (Docker's default): a container still running then is SIGKILLed and exits 137.
    // The daemon ends itself within 5 s; the "stopped" line below shows the clean path ran (on
    // half a CPU of a loaded machine, 5 s for both would race the daemon's own deadline).
    await engine.cli(['stop', '--time', '10', name]);
    const exit = (
      await engine.cli(['inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', name])
    ).stdout.trim();
    expect(exit).toBe('0 false');
    expect(await logs()).toMatch(/"message":"stopped"/);

    // The container is re-created (an update): the state written by the first one (access.json:
    // lockouts and bans) is still there, owned by the image's user with mode 0700.
    await engine.cli(['rm', name]);
    const { stdout: kept } = await engine.cli([
      'run',
      '--rm',
      '--network',
      'none',
      '--volume',
      `${volume}:/var/lib/tmbot`,
      '--entrypoint',
      'node',
      IMAGE,
      '-e',
      "const fs = require('fs'); const s = fs.statSync('/var/lib/tmbot'); process.stdout.write(`${s.uid} ${(s.mode & 0o777).toString(8)} ${fs.readdirSync('/var/lib/tmbot').sort().join(',')}`)",
    ]);
    expect(kept).toMatch(new RegExp(`^${TMBOT_UID} 700 .*access\\.json`));
    await engine.cli(['volume', 'rm', volume]);
  }, 120_000);
});
