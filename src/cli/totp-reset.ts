import { chownSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog } from '../security/second-factor';
import { AUDIT_FILE } from '../security/audit-log';
import { bumpRotation, ROTATION_FILE } from '../security/two-factor-sessions';
import type { StateStore } from '../state/json-store';

/** Audit user id for actions taken on the host, outside Telegram. */
export const HOST_USER_ID = 0;

/**
 * `tmbot totp reset USER_ID`: gives the user a new TOTP secret. Their session
 * ends and /qrcode works again without one until they verify a code from the
 * new secret. A running daemon sees the change at once (it re-reads the file).
 */
export async function resetTotp(
  store: StateStore,
  audit: AuditLog,
  userId: number,
): Promise<number> {
  const rotation = await bumpRotation(store, userId);
  await audit.record({
    userId: HOST_USER_ID,
    action: 'totp.reset',
    target: String(userId),
    outcome: 'ok',
    detail: `new secret (rotation ${rotation}) from the command line`,
  });
  matchDirectoryOwner(store.dir, [ROTATION_FILE, AUDIT_FILE]);
  return rotation;
}

/** Run as root (sudo, docker exec -u 0), files would become unreadable for the bot's own user. */
export function matchDirectoryOwner(dir: string, names: readonly string[]): void {
  if (process.getuid?.() !== 0) return;
  const owner = statSync(dir);
  for (const name of names) {
    try {
      chownSync(join(dir, name), owner.uid, owner.gid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
