import { BlockList, isIP } from 'node:net';

/**
 * Telegram's published webhook source ranges (core.telegram.org/bots/webhooks).
 * Telegram sends webhooks over IPv4 only, so no IPv6 range is listed.
 */
export const TELEGRAM_SOURCE_RANGES: readonly string[] = ['149.154.160.0/20', '91.108.4.0/22'];

/** Longest X-Forwarded-For value we parse; longer ones are rejected, not truncated. */
const MAX_FORWARDED_LENGTH = 1024;
/** Most hops we walk; a real proxy chain is a handful. */
const MAX_FORWARDED_HOPS = 32;
/** Answers an AddressSet remembers; cleared when full, so a flood of addresses costs a bounded map. */
const RECENT_ANSWERS = 1024;

/**
 * The canonical text of an address, or undefined when it is not one: IPv4 stays dotted,
 * IPv4-mapped IPv6 in any spelling (`::ffff:1.2.3.4`, `::ffff:102:304`) becomes IPv4, other
 * IPv6 is lower-cased. Non-canonical IPv4 (`01.2.3.4`, `1.2.3`), ports, brackets and zone ids
 * are not addresses.
 */
export function canonicalIp(text: string): string | undefined {
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6 || text.includes('%')) return undefined;
  const g = ipv6Groups(text.toLowerCase());
  if (g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff) {
    const hi = g[6] ?? 0;
    const lo = g[7] ?? 0;
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return text.toLowerCase();
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail included). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill =
    rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
}

/**
 * The key limits and bans are counted under: the address itself for IPv4, the /64 for IPv6
 * (one host usually owns a whole /64, so per-address counting would be trivial to dodge).
 */
export function limiterKey(canonical: string): string {
  if (isIP(canonical) !== 6) return canonical;
  const g = ipv6Groups(canonical);
  return `${g
    .slice(0, 4)
    .map((n) => n.toString(16))
    .join(':')}::/64`;
}

/** True when `value` is an address or `address/prefix` with a prefix that fits the family. */
export function isCidr(value: string): boolean {
  const [addr = '', prefix, ...rest] = value.split('/');
  if (rest.length > 0) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * A set of addresses and CIDR ranges on `net.BlockList`. IPv4 ranges also match
 * IPv4-mapped IPv6 addresses and the other way round.
 */
export class AddressSet {
  private readonly list = new BlockList();
  /** Recent answers: `BlockList.check` builds a native address object on every call. */
  private readonly recent = new Map<string, boolean>();
  /** How many ranges were added; an empty set matches nothing. */
  readonly size: number;

  /** Throws on an entry that is not an address or CIDR (config validation catches these first). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      if (!isCidr(entry)) throw new Error(`not an IP address or CIDR range: ${entry}`);
      const [addr = '', prefix] = entry.split('/');
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(prefix), type);
    }
    this.size = entries.length;
  }

  /** Whether a canonical address (see {@link canonicalIp}) is in the set. */
  has(canonical: string): boolean {
    if (this.size === 0) return false;
    const known = this.recent.get(canonical);
    if (known !== undefined) return known;
    const family = isIP(canonical);
    const result = family !== 0 && this.list.check(canonical, family === 6 ? 'ipv6' : 'ipv4');
    if (this.recent.size >= RECENT_ANSWERS) this.recent.clear();
    this.recent.set(canonical, result);
    return result;
  }
}

/** Where a request came from, as far as we are willing to believe. */
export type ClientIp =
  | {
      ok: true;
      /** The client's canonical address. */
      ip: string;
      /** The socket peer is a trusted proxy (the address came from X-Forwarded-For). */
      viaProxy: boolean;
      /** X-Forwarded-For was present but ignored because the peer is not a trusted proxy. */
      ignoredForwarded: boolean;
    }
  | { ok: false; reason: 'bad-peer' | 'bad-forwarded' };

/**
 * Resolves the client address: the socket peer, unless the peer is a trusted proxy; then the
 * rightmost X-Forwarded-For hop that is not itself a trusted proxy (proxies append, so the
 * entries left of it were written by the client and are never believed). Every hop we walk
 * must be a valid address; when all hops are trusted, the leftmost one is the client.
 */
export function resolveClientIp(
  peer: string | undefined,
  forwarded: string | string[] | undefined,
  trustedProxies: AddressSet,
): ClientIp {
  const peerIp = peer === undefined ? undefined : canonicalIp(peer);
  if (peerIp === undefined) return { ok: false, reason: 'bad-peer' };
  const header = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  if (header === undefined)
    return { ok: true, ip: peerIp, viaProxy: false, ignoredForwarded: false };
  if (!trustedProxies.has(peerIp)) {
    return { ok: true, ip: peerIp, viaProxy: false, ignoredForwarded: true };
  }
  if (header.length > MAX_FORWARDED_LENGTH) return { ok: false, reason: 'bad-forwarded' };
  const hops = header.split(',').map((h) => h.trim());
  if (hops.length > MAX_FORWARDED_HOPS) return { ok: false, reason: 'bad-forwarded' };
  let client = peerIp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonicalIp(hops[i] ?? '');
    if (hop === undefined) return { ok: false, reason: 'bad-forwarded' };
    client = hop;
    if (!trustedProxies.has(hop)) break;
  }
  return { ok: true, ip: client, viaProxy: true, ignoredForwarded: false };
}
