/** jest globalTeardown: stops the engine globalSetup started; an engine from the environment stays. */
import { DOCKER_SOCKET_ENV } from './docker-engine';
import { OWNED_ENGINE_KEY } from './global-setup';
import type { OwnedDockerEngine } from './docker-engine';

type GlobalWithEngine = typeof globalThis & { [OWNED_ENGINE_KEY]?: OwnedDockerEngine };

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as GlobalWithEngine;
  const engine = holder[OWNED_ENGINE_KEY];
  if (!engine) return;
  delete holder[OWNED_ENGINE_KEY];
  const t0 = Date.now();
  try {
    await engine.stop();
  } catch (err) {
    // Every test has run and reported by now; a slow stop on a loaded machine is not a test
    // failure. The engine is found and removed by its run dir (.ci/run does it after the tests).
    process.stderr.write(
      `[docker-engine] stopping the private engine failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return;
  }
  delete process.env[DOCKER_SOCKET_ENV];
  delete process.env.TMBOT_TEST_DOCKER_RUN_DIR;
  process.stderr.write(`[docker-engine] private engine stopped in ${Date.now() - t0} ms\n`);
}
