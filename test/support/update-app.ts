/** The test app the image-update e2e files build, push and update (busybox with a label). */
import { uniqueName, BUSYBOX_IMAGE, type DockerTestEngine } from './docker-engine';

/** The app's command: stops at once on SIGTERM. */
export const APP_CMD = '["/bin/sh","-c","trap \'exit 0\' TERM; while true; do sleep 1; done"]';

/**
 * Builds `ref` from busybox (label `tmbot.test.variant`, extra Dockerfile `changes`), pushes it
 * (with the login in `configDir` when given) and returns the image id.
 */
export async function pushApp(
  engine: DockerTestEngine,
  ref: string,
  variant: string,
  options: { changes?: readonly string[]; configDir?: string } = {},
): Promise<string> {
  const name = uniqueName('tmbot-updbuild');
  await engine.cli(['create', '--name', name, '--network', 'none', BUSYBOX_IMAGE, 'true']);
  try {
    await engine.cli([
      'commit',
      '--change',
      `LABEL tmbot.test.variant=${variant}`,
      '--change',
      `CMD ${APP_CMD}`,
      ...(options.changes ?? []).flatMap((c) => ['--change', c]),
      name,
      ref,
    ]);
  } finally {
    await engine.cli(['rm', '-f', name]);
  }
  const login = options.configDir === undefined ? [] : ['--config', options.configDir];
  await engine.cli([...login, 'push', ref], { timeoutMs: 120_000 });
  return (await engine.cli(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
}
