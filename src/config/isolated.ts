import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { ConfigError, type ConfigIssue } from '../errors';
import { deepFreeze } from './freeze';
import type { Env, LoadedConfig } from './load';

/** What the daemon asks the config reader. */
export interface ConfigRequest {
  path: string;
  env: Env;
  mode: 'prod' | 'dev';
}

/** What the config reader answers: the loaded config, its problems, or why it could not run. */
export type ConfigReply =
  | { kind: 'loaded'; loaded: LoadedConfig }
  | { kind: 'invalid'; issues: ConfigIssue[] }
  | { kind: 'failed'; message: string };

/** The built reader beside this file (dist/config/load-worker.js). */
const READER_FILE = join(__dirname, 'load-worker.js');
/** A 1 MiB document with bounded aliases reads in well under a second; this is the hard stop. */
const READER_TIMEOUT_MS = 30_000;

/**
 * `loadConfigFile` run in a short-lived child process. The YAML parser, ajv, the compiled
 * schema and the ICU data of the time-zone check cost the daemon about 15 MiB of resident
 * memory for its whole life when loaded in-process; a worker thread does not give that back
 * (measured: V8 keeps the worker's pages and the touched code pages stay mapped), a process
 * that exits does. Only the plain, frozen Config comes back (structured clone over IPC), and
 * problems come back as the same {@link ConfigError} (exit 2 with every `path: message`).
 */
export function loadConfigIsolated(request: ConfigRequest, clock: Clock): Promise<LoadedConfig> {
  return new Promise<LoadedConfig>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      fn();
    };
    // No inherited flags (--inspect, --require…), and SIGUSR1 opens no inspector on the reader
    // either (it holds the token for a moment); stderr stays visible if the reader crashes.
    const child = fork(READER_FILE, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: ['--disable-sigusr1'],
    });
    const timer = clock.setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new Error(`config reader gave no answer in ${READER_TIMEOUT_MS} ms`)));
    }, READER_TIMEOUT_MS);
    child.once('message', (reply: ConfigReply) => {
      settle(() => {
        if (reply.kind === 'loaded') {
          resolve({ ...reply.loaded, config: deepFreeze(reply.loaded.config) });
        } else if (reply.kind === 'invalid') {
          reject(new ConfigError(reply.issues));
        } else {
          reject(new Error(`config reader: ${reply.message}`));
        }
      });
    });
    child.once('error', (err) => settle(() => reject(err)));
    child.once('close', (code) => {
      settle(() => reject(new Error(`config reader exited (${code}) without an answer`)));
    });
    child.send({ ...request, env: { ...request.env } });
  });
}
