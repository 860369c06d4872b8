import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';

/** Temp files of `writeFileAtomic`: `<name>.tmp-<12 hex>`. */
const TEMP = /\.tmp-[0-9a-f]{12}$/;

/**
 * Writes `text` to `file` through a temp file (0600, fsync, rename). On any failure (ENOSPC
 * half-way, EROFS, rename refused) the temp file is removed, so a full disk is not filled further.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const handle = await fs.promises.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Removes temp files a crash or an earlier failure left behind; returns how many. */
export function removeStaleTemps(dir: string): number {
  let removed = 0;
  for (const name of fs.readdirSync(dir)) {
    if (!TEMP.test(name)) continue;
    try {
      fs.rmSync(join(dir, name), { force: true });
      removed++;
    } catch {
      // A read-only directory keeps them; nothing else to do.
    }
  }
  return removed;
}
