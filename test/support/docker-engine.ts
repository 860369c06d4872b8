/**
 * A real, private Docker Engine for tests (TESTING.md "A real Docker Engine").
 *
 * The jest globalSetup (`global-setup.ts`) starts one engine per run with
 * `scripts/docker-engine.sh` and hands its socket to the workers in `TMBOT_TEST_DOCKER_SOCKET`.
 * Tests reach it with {@link describeDocker} (or {@link dockerForTests} / {@link requireDocker}):
 * without an engine they are skipped with the reason printed, and with `TMBOT_REQUIRE_DOCKER=1`
 * they fail instead, so CI cannot pass by skipping.
 *
 * Environment:
 * - `TMBOT_TEST_DOCKER_SOCKET`  socket of the engine to use (set by globalSetup, or by you to reuse one)
 * - `TMBOT_REQUIRE_DOCKER=1`    a missing engine fails the tests instead of skipping them
 * - `TMBOT_TEST_DOCKER=1|0`     start the engine even for unit-only runs / never start it
 * - `TMBOT_TEST_DOCKER_UNAVAILABLE`  why globalSetup did not provide one (set by globalSetup)
 * - `TMBOT_DOCKER_RUN_BASE`     parent dir of the engines' run dirs (default: the temp dir)
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Dockerode from 'dockerode';

/**
 * Deadlines for a DockerodePort made by a test (`timeouts`): the product's 1.8 s for a list or
 * ping is for a healthy host, and an engine reached through TLS or SSH on a loaded CI machine
 * can take longer. Tests that check a refusal still see it at once.
 */
export const TEST_DOCKER_TIMEOUTS = { quick: 30_000, stats: 30_000, logs: 30_000, action: 60_000 };

/** The image `scripts/docker-engine.sh` builds from the host's static busybox. */
export const BUSYBOX_IMAGE = 'local/busybox:test';
/** Socket of the engine the tests use. */
export const DOCKER_SOCKET_ENV = 'TMBOT_TEST_DOCKER_SOCKET';
/** `1`: a missing engine fails the tests. */
export const REQUIRE_DOCKER_ENV = 'TMBOT_REQUIRE_DOCKER';
/** Why globalSetup has no engine for this run. */
export const DOCKER_UNAVAILABLE_ENV = 'TMBOT_TEST_DOCKER_UNAVAILABLE';

/** `scripts/docker-engine.sh`, found from this file so any cwd works. */
export const ENGINE_SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'docker-engine.sh');

// Starting includes a storage-driver fallback and an image import; stopping kills containers first.
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 180_000;
const CLI_TIMEOUT_MS = 60_000;

/** Output of one docker CLI call. */
export interface CliResult {
  stdout: string;
  stderr: string;
}

/** Options of {@link DockerTestEngine.cli}. */
export interface CliOptions {
  /** Kill the CLI after this long (default 60 s). */
  timeoutMs?: number;
}

/** A running engine the tests may use. */
export interface DockerTestEngine {
  /** Absolute path of the engine's unix socket. */
  readonly socketPath: string;
  /** The socket as `unix://…`, the form of `DOCKER_HOST` and tmbot's `docker.host`. */
  readonly host: string;
  /** Run dir of an engine this test run started; undefined for one given by the environment. */
  readonly runDir: string | undefined;
  /** A dockerode client on the socket. */
  readonly docker: Dockerode;
  /** Runs the docker CLI against this engine (no shell); rejects with stderr on a non-zero exit. */
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>;
}

/** An engine started by {@link startEngine}; the caller stops it. */
export interface OwnedDockerEngine extends DockerTestEngine {
  readonly runDir: string;
  /** Storage driver the engine ended up on (`overlay2`, or `vfs` where overlay fails). */
  readonly storageDriver: string;
  /** Stops dockerd and containerd by pid, unmounts and removes the run dir. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops only dockerd; data, socket path and containerd stay. By default with SIGTERM: dockerd
   * stops its containers, as on an engine restart. `crash`: SIGKILL, the containers keep running
   * (under containerd) until dockerd returns and, without live-restore, stops them.
   */
  stopDockerd(options?: { crash?: boolean }): Promise<void>;
  /** Starts dockerd again on the same data, socket and storage driver (after {@link stopDockerd}). */
  startDockerd(): Promise<void>;
}

interface ExecResult {
  stdout: string;
  stderr: string;
}

/** `execFile` without a shell, as a promise whose error carries stdout and stderr. */
function run(
  file: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      [...args],
      {
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || stdout.trim() || error.message;
          reject(new Error(`${file} ${args.join(' ')} failed: ${detail}`, { cause: error }));
        } else {
          resolvePromise({ stdout, stderr });
        }
      },
    );
  });
}

function engineAt(socketPath: string, runDir: string | undefined): DockerTestEngine {
  const host = `unix://${socketPath}`;
  return {
    socketPath,
    host,
    runDir,
    docker: new Dockerode({ socketPath }),
    cli: (args, options) =>
      run('docker', ['-H', host, ...args], { timeoutMs: options?.timeoutMs ?? CLI_TIMEOUT_MS }),
  };
}

/** Why this process cannot start an engine itself, or undefined if it can. */
export function cannotStartEngineReason(): string | undefined {
  if (process.platform !== 'linux') return `a private dockerd needs Linux, not ${process.platform}`;
  if (process.getuid?.() !== 0) return 'a private dockerd needs root (run as root or via .ci/run)';
  const path = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const bin of ['dockerd', 'containerd', 'docker']) {
    if (!path.some((dir) => existsSync(join(dir, bin)))) {
      return `${bin} is not on PATH (apt-get install docker.io busybox-static docker-registry)`;
    }
  }
  return undefined;
}

/**
 * A fresh run dir under TMBOT_DOCKER_RUN_BASE (set by `.ci/run`, so its safety net stops only
 * engines of its own run) or the temp dir; short, as unix socket paths are limited to 107 bytes.
 */
async function newRunDir(): Promise<string> {
  const base = process.env.TMBOT_DOCKER_RUN_BASE || (tmpdir().length <= 40 ? tmpdir() : '/tmp');
  return mkdtemp(join(base, 'tmbot-docker-'));
}

/** Options of {@link startEngine}. */
export interface StartEngineOptions {
  /** Where everything goes (default: a new temp dir). */
  runDir?: string;
  /** The engine stops itself once this pid is gone (default: this process). */
  ownerPid?: number;
  /**
   * Caps the engine and everything it starts, containers included, at this many cores (a
   * cgroup CPU quota; default: no cap). A benchmark sets 1 so that the load it makes the engine
   * generate leaves the daemon it measures a core of its own.
   */
  cpuCores?: number;
}

/**
 * Starts a private engine with `scripts/docker-engine.sh start`. Used once per run by
 * globalSetup, and by multi-host tests for a second engine ({@link startSecondEngine}).
 */
export async function startEngine(options: StartEngineOptions = {}): Promise<OwnedDockerEngine> {
  const reason = cannotStartEngineReason();
  if (reason) throw new Error(`cannot start a Docker engine: ${reason}`);
  const runDir = options.runDir ?? (await newRunDir());
  const env = {
    ...process.env,
    TMBOT_DOCKER_OWNER_PID: String(options.ownerPid ?? process.pid),
    ...(options.cpuCores !== undefined ? { TMBOT_DOCKER_CPU_CORES: String(options.cpuCores) } : {}),
  };
  const { stdout } = await run(ENGINE_SCRIPT, ['start', runDir], {
    timeoutMs: START_TIMEOUT_MS,
    env,
  }).catch(async (error: unknown) => {
    // A half-started engine must not outlive the failure.
    await run(ENGINE_SCRIPT, ['stop', runDir], { timeoutMs: STOP_TIMEOUT_MS }).catch(() => {});
    // Empty unless the script kept its logs there for a look.
    if (!options.runDir) await rmdir(runDir).catch(() => {});
    throw error;
  });
  const socketPath = stdout.trim().split('\n').pop() ?? '';
  if (!socketPath.startsWith('/')) {
    throw new Error(`${ENGINE_SCRIPT} start printed no socket path: ${stdout}`);
  }
  const engine = engineAt(socketPath, runDir);
  const { stdout: driver } = await engine.cli(['info', '--format', '{{.Driver}}']);
  let stopped: Promise<void> | undefined;
  return {
    ...engine,
    runDir,
    storageDriver: driver.trim(),
    stop: () => {
      stopped ??= run(ENGINE_SCRIPT, ['stop', runDir], { timeoutMs: STOP_TIMEOUT_MS }).then(
        () => undefined,
      );
      return stopped;
    },
    stopDockerd: async (options) => {
      const command = options?.crash === true ? 'dockerd-kill' : 'dockerd-stop';
      await run(ENGINE_SCRIPT, [command, runDir], { timeoutMs: STOP_TIMEOUT_MS });
    },
    startDockerd: async () => {
      await run(ENGINE_SCRIPT, ['dockerd-start', runDir], { timeoutMs: START_TIMEOUT_MS, env });
    },
  };
}

/** Another private engine in its own run dir, e.g. the second host of a multi-host test. */
export function startSecondEngine(): Promise<OwnedDockerEngine> {
  return startEngine();
}

/** Builds {@link BUSYBOX_IMAGE} on an engine that lacks it (one given by the environment). */
export async function ensureBusyboxImage(engine: DockerTestEngine): Promise<void> {
  const has = await engine.cli(['image', 'inspect', BUSYBOX_IMAGE]).then(
    () => true,
    () => false,
  );
  if (!has) await run(ENGINE_SCRIPT, ['image', engine.socketPath], { timeoutMs: START_TIMEOUT_MS });
}

/** Why no engine is available to this test process, or undefined when one is. */
export function dockerUnavailableReason(): string | undefined {
  if (process.env[DOCKER_SOCKET_ENV]) return undefined;
  return (
    process.env[DOCKER_UNAVAILABLE_ENV] ??
    `${DOCKER_SOCKET_ENV} is not set (run through jest so globalSetup starts the engine)`
  );
}

/** True when a missing engine must fail the tests (`TMBOT_REQUIRE_DOCKER=1`, set by `.ci/run`). */
export function dockerRequired(): boolean {
  return process.env[REQUIRE_DOCKER_ENV] === '1';
}

/**
 * The run's engine, checked with a ping; undefined when there is none. An engine that is
 * configured but does not answer is an error, never a skip.
 */
export async function dockerForTests(): Promise<DockerTestEngine | undefined> {
  const socketPath = process.env[DOCKER_SOCKET_ENV];
  if (!socketPath) return undefined;
  const engine = engineAt(socketPath, process.env.TMBOT_TEST_DOCKER_RUN_DIR || undefined);
  try {
    await engine.docker.ping();
  } catch (error) {
    throw new Error(`the Docker engine at ${socketPath} does not answer`, { cause: error });
  }
  return engine;
}

/** The run's engine, or an error saying why there is none. */
export async function requireDocker(): Promise<DockerTestEngine> {
  const engine = await dockerForTests();
  if (!engine) throw new Error(`no Docker engine for this test: ${dockerUnavailableReason()}`);
  return engine;
}

/** What {@link describeDocker} gives its body; `engine` is readable in hooks and tests. */
export interface DockerSuite {
  readonly engine: DockerTestEngine;
}

const warned = new Set<string>();

/**
 * `describe` for tests that need the real engine. Without one the suite is skipped and the
 * reason printed; with `TMBOT_REQUIRE_DOCKER=1` it fails instead.
 */
export function describeDocker(name: string, fn: (suite: DockerSuite) => void): void {
  let current: DockerTestEngine | undefined;
  const suite: DockerSuite = {
    get engine(): DockerTestEngine {
      if (!current) throw new Error('suite.engine is only available inside hooks and tests');
      return current;
    },
  };
  const reason = dockerUnavailableReason();
  if (reason === undefined) {
    describe(name, () => {
      beforeAll(async () => {
        current = await requireDocker();
      });
      fn(suite);
    });
  } else if (dockerRequired()) {
    describe(name, () => {
      it(`needs a Docker engine (${REQUIRE_DOCKER_ENV}=1)`, () => {
        throw new Error(`no Docker engine: ${reason}`);
      });
    });
  } else {
    if (!warned.has(reason)) {
      warned.add(reason);
      console.warn(`Docker tests skipped: ${reason}. Set ${REQUIRE_DOCKER_ENV}=1 to fail instead.`);
    }
    describe.skip(`${name} [skipped: no Docker engine: ${reason}]`, () => fn(suite));
  }
}

/** A Docker restart policy. */
export type RestartPolicy =
  | 'no'
  | 'always'
  | 'unless-stopped'
  | 'on-failure'
  | { name: 'on-failure'; maximumRetryCount: number };

/** A Docker healthcheck; `cmd` runs in the container's shell. */
export interface HealthcheckOptions {
  cmd: string;
  /** Default 1 s, so tests see a status quickly. */
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

/** Options of {@link runBusybox}. */
export interface BusyboxOptions {
  /** Container name; give it the test's prefix so {@link removeAll} finds it. */
  name: string;
  /** A string runs through `/bin/sh -c`; an array is exec form. */
  cmd: string | readonly string[];
  labels?: Readonly<Record<string, string>>;
  env?: Readonly<Record<string, string>>;
  healthcheck?: HealthcheckOptions;
  restart?: RestartPolicy;
  /** Default {@link BUSYBOX_IMAGE}. */
  image?: string;
  /** Run docker-init as pid 1 so SIGTERM stops the command at once (default true). */
  init?: boolean;
  /** Seconds `docker stop` waits before SIGKILL (default 2). */
  stopTimeoutSec?: number;
  /** Create without starting (default false). */
  created?: boolean;
}

/** A container made by {@link runBusybox}. */
export interface TestContainer {
  readonly id: string;
  readonly name: string;
  readonly container: Dockerode.Container;
}

const NS_PER_MS = 1_000_000;

function restartPolicy(policy: RestartPolicy | undefined): Dockerode.HostRestartPolicy {
  if (policy === undefined) return { Name: 'no' };
  if (typeof policy === 'string') return { Name: policy };
  return { Name: policy.name, MaximumRetryCount: policy.maximumRetryCount };
}

/** Creates and starts a busybox container with no network. */
export async function runBusybox(
  engine: DockerTestEngine,
  options: BusyboxOptions,
): Promise<TestContainer> {
  const cmd = typeof options.cmd === 'string' ? ['/bin/sh', '-c', options.cmd] : [...options.cmd];
  const hc = options.healthcheck;
  const container = await engine.docker.createContainer({
    name: options.name,
    Image: options.image ?? BUSYBOX_IMAGE,
    Cmd: cmd,
    Labels: { ...options.labels },
    Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
    StopTimeout: options.stopTimeoutSec ?? 2,
    ...(hc && {
      Healthcheck: {
        Test: ['CMD-SHELL', hc.cmd],
        Interval: (hc.intervalMs ?? 1000) * NS_PER_MS,
        Timeout: (hc.timeoutMs ?? 5000) * NS_PER_MS,
        Retries: hc.retries ?? 3,
        StartPeriod: (hc.startPeriodMs ?? 0) * NS_PER_MS,
      },
    }),
    HostConfig: {
      NetworkMode: 'none',
      Init: options.init ?? true,
      RestartPolicy: restartPolicy(options.restart),
    },
  });
  if (!options.created) await container.start();
  return { id: container.id, name: options.name, container };
}

/** Force-removes every container (running or not) whose name starts with `prefix`; returns their names. */
export async function removeAll(engine: DockerTestEngine, prefix: string): Promise<string[]> {
  if (!prefix) throw new Error('removeAll needs a non-empty prefix');
  const list = await engine.docker.listContainers({ all: true, filters: { name: [prefix] } });
  const mine = list.filter((c) => c.Names.some((n) => n.replace(/^\//, '').startsWith(prefix)));
  await Promise.all(
    mine.map((c) =>
      engine.docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((error: unknown) => {
          // Removed concurrently (e.g. by --rm) is fine; anything else is not.
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        }),
    ),
  );
  return mine.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ''));
}

/** A name unique to this test process, for containers and images: `<prefix>-<pid>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A `docker-registry` (distribution 2.8) on 127.0.0.1. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`, the registry part of an image reference. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`, for direct `/v2/` requests. */
  readonly url: string;
  /** Stops the registry by pid and removes its storage. Idempotent. */
  stop(): Promise<void>;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolveStatus) => {
    const req = httpGet(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveStatus(0));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** An htpasswd line (`user:$2y$…`, bcrypt): the registry then wants Basic auth for everything. */
  htpasswd?: string;
}

/**
 * Starts Debian's `docker-registry` with its own config on 127.0.0.1:<free port> and storage
 * in a temp dir. The engine pushes to it over plain HTTP (`--insecure-registry 127.0.0.0/8`).
 * The port is free when picked but may be taken before the registry binds it (other tests run
 * alongside): then it starts again on another.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(options);
    } catch (error) {
      if (attempt >= 5 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function startRegistryOnce(options: RegistryOptions): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'tmbot-registry-'));
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  await mkdir(join(dir, 'data'));
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    // A fixed secret silences the per-start warning; nothing else shares this registry.
    '  secret: tmbot-test-registry',
    ...(options.htpasswd === undefined
      ? []
      : ['auth:', '  htpasswd:', '    realm: tmbot-test', `    path: ${join(dir, 'htpasswd')}`]),
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config, { mode: 0o600 });
  if (options.htpasswd !== undefined)
    await writeFile(join(dir, 'htpasswd'), `${options.htpasswd}\n`, { mode: 0o600 });

  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let spawnFailure: Error | undefined;
  child.once('error', (error) => {
    spawnFailure = error;
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  // A worker that dies without afterAll must not leave the registry behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    await sleep(50);
    if (spawnFailure) {
      await stop();
      throw new Error(
        `cannot run docker-registry (apt-get install docker-registry): ${spawnFailure.message}`,
      );
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr.trim()}`);
    }
    const status = await httpStatus(`http://${host}/v2/`);
    if (status === 200 || (status === 401 && options.htpasswd !== undefined)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${host} within 60 s: ${stderr.trim()}`);
    }
  }
  return { host, url: `http://${host}`, stop };
}

/**
 * Pushes a distinct image as `ref` (e.g. `127.0.0.1:PORT/local/app:1`) through the engine and
 * returns its manifest digest. A new `variant` for the same ref makes a new digest: an "update".
 */
export async function pushTestImage(
  engine: DockerTestEngine,
  ref: string,
  variant = 'v1',
  /** A docker CLI config dir holding a `docker login` for the registry. */
  configDir?: string,
): Promise<string> {
  const name = uniqueName('tmbot-push');
  await engine.cli(['create', '--name', name, '--network', 'none', BUSYBOX_IMAGE, 'true']);
  try {
    await engine.cli([
      'commit',
      '--change',
      `LABEL tmbot.test.variant=${variant} tmbot.test.pushed=${Date.now()}`,
      name,
      ref,
    ]);
  } finally {
    await engine.cli(['rm', '-f', name]);
  }
  const login = configDir === undefined ? [] : ['--config', configDir];
  const { stdout } = await engine.cli([...login, 'push', ref], { timeoutMs: 120_000 });
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
  if (!digest) throw new Error(`docker push ${ref} printed no digest: ${stdout}`);
  return digest;
}
