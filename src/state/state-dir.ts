import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Env } from '../config/load';

/** The state directory: the first of TMBOT_STATE_DIR, PYTMBOT_STATE_DIR, config `state_dir`, XDG, home. */
export function resolveStateDir(env: Env, configured: string | undefined): string {
  const pick = [env.TMBOT_STATE_DIR, env.PYTMBOT_STATE_DIR, configured].find(
    (v): v is string => v !== undefined && v !== '',
  );
  if (pick !== undefined) return resolve(expandHome(pick, env));
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && xdg !== '') return resolve(xdg, 'tmbot');
  return join(env.HOME ?? homedir(), '.local', 'state', 'tmbot');
}

function expandHome(p: string, env: Env): string {
  return p === '~' || p.startsWith('~/') ? join(env.HOME ?? homedir(), p.slice(1)) : p;
}
