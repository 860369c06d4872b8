/**
 * Child-process entry of {@link loadConfigIsolated}: yaml, ajv and the compiled schema are
 * loaded here, in a process that exits once the plain config has been sent back.
 */
import { ConfigError } from '../errors';
import type { ConfigRequest, ConfigReply } from './isolated';
import { loadConfigFile } from './load';

function reply(request: ConfigRequest): ConfigReply {
  try {
    return { kind: 'loaded', loaded: loadConfigFile(request.path, request.env, request.mode) };
  } catch (err) {
    if (err instanceof ConfigError) return { kind: 'invalid', issues: [...err.issues] };
    return { kind: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

process.once('message', (request: ConfigRequest) => {
  process.send?.(reply(request), () => process.disconnect());
});
