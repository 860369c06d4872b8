/**
 * The throwaway configuration of `tmbot demo`: a fake bot token the embedded server accepts, a
 * fresh auth salt, the three demo people, and the Docker host to read. Written 0600 into the
 * demo's temp dir and loaded by the same loader as a real config.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { DEMO_ADMIN, DEMO_PEOPLE } from './people';

/** The demo's secrets and where its files are. */
export interface DemoConfigFile {
  path: string;
  token: string;
  salt: string;
}

/** A token shaped like Telegram's that no Telegram bot has (ids below 10 000 do not exist). */
export function fakeToken(): string {
  return `${randomInt(1000, 9999)}:DEMO-${randomBytes(24).toString('base64url')}`;
}

/** Writes `pytmbot.yaml` for the demo into `dir` (mode 0600) and returns its secrets. */
export function writeDemoConfig(
  dir: string,
  opts: { apiRoot: string; token: string; dockerHost: string; stateDir: string },
): DemoConfigFile {
  const salt = randomBytes(24).toString('base64url');
  const allowed = DEMO_PEOPLE.filter((p) => p.key !== 'stranger').map((p) => p.id);
  const doc = {
    config_version: '0.4.0',
    telegram: { api_root: opts.apiRoot },
    bot_token: { prod_token: [opts.token] },
    access_control: {
      allowed_user_ids: allowed,
      allowed_admins_ids: [DEMO_ADMIN.id],
      auth_salt: [salt],
    },
    chat_id: { global_chat_id: [DEMO_ADMIN.id] },
    docker: { host: [opts.dockerHost] },
    state_dir: opts.stateDir,
  };
  const path = join(dir, 'pytmbot.yaml');
  writeFileSync(path, YAML.stringify(doc), { mode: 0o600 });
  return { path, token: opts.token, salt };
}
