import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The name a host has in known_hosts: `host`, or `[host]:port` off port 22. */
export const knownHostsName = (host: string, port: number): string =>
  port === 22 ? host : `[${host}]:${port}`;

/** True when one comma-separated known_hosts host field names `name` (plain or hashed `|1|salt|hash`). */
function hostFieldMatches(field: string, name: string): boolean {
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('|1|')) {
      const [, , salt = '', hash = ''] = pattern.split('|');
      const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
      const want = Buffer.from(hash, 'base64');
      if (want.length === mac.length && timingSafeEqual(want, mac)) return true;
    } else if (pattern === name) {
      return true;
    }
  }
  return false;
}

/**
 * Whether `key` (the server's public key blob) is listed for `name` in any of the
 * known_hosts files, as OpenSSH checks it: a `@revoked` line for the key refuses it;
 * wildcard patterns and `@cert-authority` lines are not supported and never match.
 * Files are read on every check, so an added key takes effect at once.
 */
export function isKnownHostKey(files: readonly string[], name: string, key: Buffer): boolean {
  let known = false;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
      const [hosts = '', , blob = ''] = fields;
      if (marker === '@cert-authority' || !hostFieldMatches(hosts, name)) continue;
      if (!Buffer.from(blob, 'base64').equals(key)) continue;
      if (marker === '@revoked') return false;
      known = true;
    }
  }
  return known;
}
