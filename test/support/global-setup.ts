/**
 * jest globalSetup: starts the run's private Docker Engine once, before any worker exists, and
 * hands its socket to the workers in TMBOT_TEST_DOCKER_SOCKET (they inherit process.env).
 *
 * When is an engine started? Only if some selected test needs one, so `npx jest test/unit/…`
 * stays fast:
 * - TMBOT_TEST_DOCKER_SOCKET already set: that engine is used as is and never stopped here;
 * - TMBOT_REQUIRE_DOCKER=1 or TMBOT_TEST_DOCKER=1: always (CI); TMBOT_TEST_DOCKER=0: never;
 * - otherwise: if a selected test file is under test/e2e or imports support/docker-engine
 *   (selection = jest's path pattern or paths; --watch/-o/--findRelatedTests count as "all").
 * It starts only as root with dockerd on PATH. Without an engine the reason goes to
 * TMBOT_TEST_DOCKER_UNAVAILABLE and Docker suites are skipped, or, under TMBOT_REQUIRE_DOCKER=1,
 * the run fails right here.
 */
import type { Config } from '@jest/types';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import {
  DOCKER_SOCKET_ENV,
  DOCKER_UNAVAILABLE_ENV,
  cannotStartEngineReason,
  dockerForTests,
  dockerRequired,
  ensureBusyboxImage,
  startEngine,
  type OwnedDockerEngine,
} from './docker-engine';

/** Where globalTeardown finds the engine this run started (same process, module cache differs). */
export const OWNED_ENGINE_KEY = Symbol.for('tmbot.test.ownedDockerEngine');

type GlobalWithEngine = typeof globalThis & { [OWNED_ENGINE_KEY]?: OwnedDockerEngine };

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function selectedFiles(config: Config.GlobalConfig, testRoot: string): string[] {
  const all = testFiles(testRoot);
  if (config.watch || config.watchAll || config.onlyChanged || config.findRelatedTests) return all;
  if (config.runTestsByPath) {
    const wanted = new Set(config.nonFlagArgs.map((p) => resolve(config.rootDir, p)));
    return all.filter((f) => wanted.has(f));
  }
  if (!config.testPathPattern) return all;
  try {
    // eslint-disable-next-line security/detect-non-literal-regexp -- jest's own CLI pattern, matched as jest does
    const pattern = new RegExp(config.testPathPattern, 'i');
    return all.filter((f) => pattern.test(f));
  } catch {
    return all;
  }
}

/** Whether this run wants an engine, and why (shown in the log or by skipped suites). */
function engineWanted(config: Config.GlobalConfig): { want: boolean; why: string } {
  if (dockerRequired()) return { want: true, why: 'TMBOT_REQUIRE_DOCKER=1' };
  if (process.env.TMBOT_TEST_DOCKER === '1') return { want: true, why: 'TMBOT_TEST_DOCKER=1' };
  if (process.env.TMBOT_TEST_DOCKER === '0') return { want: false, why: 'TMBOT_TEST_DOCKER=0' };
  const testRoot = join(config.rootDir, 'test');
  const e2e = join(testRoot, 'e2e') + sep;
  const needy = selectedFiles(config, testRoot).find(
    (f) => f.startsWith(e2e) || readFileSync(f, 'utf8').includes('support/docker-engine'),
  );
  return needy
    ? { want: true, why: `${relative(config.rootDir, needy)} needs it` }
    : { want: false, why: 'no selected test needs it (TMBOT_TEST_DOCKER=1 starts it anyway)' };
}

export default async function globalSetup(config: Config.GlobalConfig): Promise<void> {
  if (process.env[DOCKER_SOCKET_ENV]) {
    // An engine from the environment: check it answers and has the test image; never stop it.
    const engine = await dockerForTests();
    if (engine) await ensureBusyboxImage(engine);
    return;
  }
  const { want, why } = engineWanted(config);
  const unavailable = want ? cannotStartEngineReason() : why;
  if (unavailable) {
    if (dockerRequired()) throw new Error(`TMBOT_REQUIRE_DOCKER=1 but ${unavailable}`);
    process.env[DOCKER_UNAVAILABLE_ENV] = unavailable;
    return;
  }
  const t0 = Date.now();
  let engine: OwnedDockerEngine;
  try {
    engine = await startEngine({ ownerPid: process.pid });
  } catch (error) {
    if (dockerRequired()) throw error;
    // A developer's run goes on without Docker; the reason is shown by every skipped suite.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\n[docker-engine] could not start: ${message}\n`);
    process.env[DOCKER_UNAVAILABLE_ENV] = `the private engine failed to start (see above)`;
    return;
  }
  (globalThis as GlobalWithEngine)[OWNED_ENGINE_KEY] = engine;
  process.env[DOCKER_SOCKET_ENV] = engine.socketPath;
  process.env.TMBOT_TEST_DOCKER_RUN_DIR = engine.runDir;
  delete process.env[DOCKER_UNAVAILABLE_ENV];
  process.stderr.write(
    `\n[docker-engine] private engine up in ${Date.now() - t0} ms (${why}): ` +
      `${engine.socketPath}, storage driver ${engine.storageDriver}\n`,
  );
}
