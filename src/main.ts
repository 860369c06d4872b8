#!/usr/bin/env node
/**
 * The process edge: argv, environment, signals and exit codes live here and
 * nowhere else. Exit codes: 0 clean stop, 1 fatal runtime error, 2 bad usage or config.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, USAGE, type CliOptions } from './cli/args';
import { DEMO_USAGE, type DemoCommand } from './cli/demo-args';
import { newSalt, writeStarterConfig } from './cli/init';
import { applyJitMode, jitMode } from './cli/jit';
import { runMaintenance, type MaintenanceOp } from './cli/maintenance';
import { matchDirectoryOwner, resetTotp } from './cli/totp-reset';
import { systemClock } from './clock';
import { loadConfigIsolated } from './config/isolated';
import { ConfigError, FatalTelegramError, UsageError } from './errors';
import { probeHeartbeat } from './health/heartbeat';
import { healthTimings } from './health/timings';
import { createLogger, type Logger } from './log/logger';
import { Redactor } from './log/redactor';
import { JsonlAuditLog } from './security/audit-log';
import { JsonStateStore } from './state/json-store';
import { resolveStateDir } from './state/state-dir';
import { APP_VERSION } from './version';

const EXIT_OK = 0;
const EXIT_FATAL = 1;
const EXIT_USAGE = 2;
/** A stop signal ends the process by then, whatever is in flight (drain grace + flush fit inside). */
const HARD_EXIT_MS = 4800;

function configPath(cli: CliOptions): string {
  return resolve(cli.config ?? process.env.PYTMBOT_CONFIG_PATH ?? 'pytmbot.yaml');
}

function numberFromEnv(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** The state dir the running bot uses: env first, else the config's state_dir, else the default. */
async function healthStateDir(cli: CliOptions): Promise<string> {
  let configured: string | undefined;
  if (!process.env.TMBOT_STATE_DIR && !process.env.PYTMBOT_STATE_DIR) {
    try {
      const { loadConfigFile } = await import('./config/load');
      configured = loadConfigFile(configPath(cli), process.env, cli.mode).config.stateDir;
    } catch {
      // The probe judges the heartbeat, not the config; the default location still applies.
    }
  }
  return resolveStateDir(process.env, configured);
}

async function run(cli: CliOptions, redactor: Redactor, log: Logger): Promise<number> {
  const path = configPath(cli);
  // In a child process: the YAML parser, ajv and the schema never stay in the daemon's memory.
  const loaded = await loadConfigIsolated({ path, env: process.env, mode: cli.mode }, systemClock);
  const { config } = loaded;
  for (const s of config.secrets) redactor.add(s);
  const clog = log.child('config');
  for (const w of loaded.warnings) clog.warn(`${w.path}: ${w.message}`);
  for (const n of loaded.notices) clog.info(n);
  if (cli.command.kind === 'check-config') {
    process.stdout.write(`${path}: configuration is valid\n`);
    return EXIT_OK;
  }

  const store = new JsonStateStore(
    resolveStateDir(process.env, config.stateDir),
    log.child('state'),
    systemClock,
  );
  await store.open();
  // Loaded here, not at the top: --health-check every 30 s (and --version, --salt) skip telegraf & co.
  const { createApp } = await import('./app');
  const app = await createApp({
    config,
    options: {
      webhook: cli.webhook,
      socketHost: cli.socketHost,
      plugins: cli.plugins,
      getMyIdDeleteMs: numberFromEnv('TMBOT_GETMYID_DELETE_SECONDS', 30) * 1000,
      qrDeleteMs: numberFromEnv('TMBOT_QR_DELETE_SECONDS', 60) * 1000,
      shutdownGraceMs: 3500,
      dockerLogFileDeleteMs: numberFromEnv('TMBOT_DOCKER_LOG_FILE_DELETE_SECONDS', 30) * 1000,
      dockerStrictWaitMs: numberFromEnv('TMBOT_DOCKER_STRICT_WAIT_SECONDS', 30) * 1000,
      autoUpdateEveryMs: numberFromEnv('TMBOT_AUTO_UPDATE_EVERY_SECONDS', 300) * 1000,
      env: process.env,
      pollTimeoutSeconds: Math.min(
        50,
        Math.max(1, Math.round(numberFromEnv('TMBOT_POLL_TIMEOUT_SECONDS', 50))),
      ),
      health: healthTimings(numberFromEnv('TMBOT_HEALTH_TIME_SCALE', 1)),
    },
    log,
    redactor,
    clock: systemClock,
    store,
  });

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => (stopping ??= app.stop(reason));
  // SIGHUP and SIGUSR2 stop cleanly too (no reload): their default would kill without a flush.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR2'] as const) {
    process.on(signal, () => {
      if (stopping !== undefined && signal === 'SIGINT') {
        log.warn('second interrupt: exiting now');
        process.exit(EXIT_FATAL);
      }
      // Whatever is still queued or hanging (a Bot API call, a handler): exit 0 within 5 s.
      systemClock.setTimeout(() => process.exit(EXIT_OK), HARD_EXIT_MS);
      void stop(signal).finally(() => setImmediate(() => process.exit(EXIT_OK)));
    });
  }

  try {
    await app.start();
    await app.finished;
    await stop('update source ended');
    return EXIT_OK;
  } catch (err) {
    if (err instanceof FatalTelegramError) {
      log.error(`fatal: ${err.message}`);
    } else {
      log.error('fatal error', { error: err });
    }
    await stop('fatal error').catch(() => undefined);
    return EXIT_FATAL;
  }
}

/** `tmbot totp reset USER_ID`, run on the host against the bot's state dir (found as the bot finds it). */
async function totpReset(cli: CliOptions, userId: number): Promise<number> {
  const redactor = new Redactor([process.env.TMBOT_BOT_TOKEN, process.env.TMBOT_AUTH_SALT]);
  const log = createLogger({ level: 'warn', format: 'human', redactor, stream: process.stderr });
  const path = configPath(cli);
  let configured: string | undefined;
  let adminIds: readonly number[] | undefined;
  try {
    if (existsSync(path)) {
      const { loadConfigFile } = await import('./config/load');
      const { config } = loadConfigFile(path, process.env, cli.mode);
      for (const s of config.secrets) redactor.add(s);
      configured = config.stateDir;
      adminIds = config.access.adminIds;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tmbot: ${redactor.redact(err.message)}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  const store = new JsonStateStore(resolveStateDir(process.env, configured), log, systemClock);
  await store.open();
  if (!store.persistent) {
    process.stderr.write(
      `tmbot: cannot write the state directory ${store.dir}; run as the bot's user\n`,
    );
    return EXIT_FATAL;
  }
  const audit = new JsonlAuditLog({ store, clock: systemClock, log });
  const rotation = await resetTotp(store, audit, userId);
  if (adminIds !== undefined && !adminIds.includes(userId)) {
    process.stderr.write(`tmbot: note: ${userId} is not in access_control.allowed_admins_ids\n`);
  }
  process.stdout.write(
    `User ${userId} has a new 2FA secret (rotation ${rotation}) in ${store.dir}.\n` +
      'Their session has ended; they enrol again with /qrcode, then verify one code.\n',
  );
  return EXIT_OK;
}

/** `tmbot demo`: prints the page URL, stops on SIGINT/SIGTERM and removes everything it wrote. */
async function demo(cli: CliOptions, command: DemoCommand): Promise<number> {
  if (command.help) {
    process.stdout.write(`${DEMO_USAGE}\n`);
    return EXIT_OK;
  }
  if (process.env.TMBOT_BOT_TOKEN || process.env.TMBOT_BOT_TOKEN_FILE) {
    process.stderr.write(
      'tmbot: demo mode never uses a real bot token; unset TMBOT_BOT_TOKEN (and _FILE) to run the demo\n',
    );
    return EXIT_USAGE;
  }
  const redactor = new Redactor([]);
  const level = cli.logLevel ?? 'warn';
  const log = createLogger({ level, format: 'human', redactor, stream: process.stderr });
  const { startDemo } = await import('./demo/run');
  const { port, plugins, dockerHost } = command;
  const pageDir = resolve(__dirname, 'demo', 'page');
  const running = await startDemo(
    { port, plugins, dockerHost, pageDir },
    { log, redactor, clock: systemClock },
  );
  let signalled: (signal: string) => void = () => undefined;
  const stopSignal = new Promise<string>((res) => (signalled = res));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => signalled(signal));
  process.stdout.write(
    `tmbot demo is running. Open this URL in a browser on this machine:\n\n  ${running.url}\n\nCtrl-C stops it and removes everything it wrote.\n`,
  );
  try {
    const reason = await Promise.race([
      stopSignal,
      running.finished.then(() => 'update source ended'),
    ]);
    await running.stop(reason);
    return EXIT_OK;
  } catch (err) {
    log.error('demo failed', { error: err });
    await running.stop('fatal error');
    return EXIT_FATAL;
  }
}

/** `tmbot init`: a starter config with a fresh salt, never over an existing file. */
function init(cli: CliOptions): number {
  const path = configPath(cli);
  if (existsSync(path)) {
    process.stderr.write(`tmbot: ${path} already exists; not overwriting it\n`);
    return EXIT_USAGE;
  }
  writeStarterConfig(path);
  process.stdout.write(
    `Wrote ${path} (mode 0600) with a fresh auth salt.\nNext: put your bot token and user id in it, then run: tmbot --config ${path}\n`,
  );
  return EXIT_OK;
}

/** `tmbot maintenance …`: talks to the running daemon through its state dir. */
async function maintenance(cli: CliOptions, request: MaintenanceOp): Promise<number> {
  const log = createLogger({
    level: 'warn',
    format: 'human',
    stream: process.stderr,
    redactor: new Redactor(),
  });
  const store = new JsonStateStore(await healthStateDir(cli), log, systemClock);
  await store.open();
  return runMaintenance(
    store,
    request,
    systemClock,
    (line) => process.stdout.write(`${line}\n`),
    (name) => matchDirectoryOwner(store.dir, [name]),
  );
}

async function main(argv: readonly string[]): Promise<number> {
  let cli: CliOptions;
  try {
    applyJitMode(jitMode(process.env));
    cli = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`tmbot: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  switch (cli.command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    case 'version':
      process.stdout.write(`tmbot ${APP_VERSION}\n`);
      return EXIT_OK;
    case 'salt':
      process.stdout.write(`${newSalt()}\n`);
      return EXIT_OK;
    case 'init':
      return init(cli);
    case 'health-check': {
      const result = probeHeartbeat(await healthStateDir(cli), systemClock.now());
      (result.code === 0 ? process.stdout : process.stderr).write(`tmbot: ${result.message}\n`);
      return result.code;
    }
    case 'totp-reset':
      return totpReset(cli, cli.command.userId);
    case 'demo':
      return demo(cli, cli.command).catch((err: unknown) => {
        process.stderr.write(`tmbot: demo could not start: ${(err as Error).message}\n`);
        return EXIT_FATAL;
      });
    case 'maintenance':
      return maintenance(cli, cli.command.request);
    default:
      break;
  }

  const redactor = new Redactor([process.env.TMBOT_BOT_TOKEN, process.env.TMBOT_AUTH_SALT]);
  const log = createLogger({
    level: cli.logLevel ?? 'info',
    format: cli.logFormat ?? (cli.mode === 'dev' || process.stdout.isTTY ? 'human' : 'json'),
    colorize: cli.colorizeLogs,
    redactor,
  });
  for (const note of cli.notes) log.info(note);
  // A bug, but never a reason to die silently or to leak a secret past the redactor.
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: reason }));
  try {
    return await run(cli, redactor, log);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`tmbot: ${redactor.redact(err.message)}\n`);
      return EXIT_USAGE;
    }
    log.error('fatal error', { error: err });
    return EXIT_FATAL;
  }
}

void main(process.argv.slice(2)).then((code) => {
  // Let the logger flush before leaving.
  setImmediate(() => process.exit(code));
});
