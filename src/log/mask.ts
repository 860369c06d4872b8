import { isIP } from 'node:net';

/**
 * A Telegram user or chat id shown partially: the first and last two digits, sign kept
 * ("123456789" → "12…89", "-1001234567890" → "-10…90"); ids of four digits or fewer are
 * hidden whole.
 */
export function maskId(id: number | string): string {
  const text = String(id);
  const sign = text.startsWith('-') ? '-' : '';
  const digits = sign === '' ? text : text.slice(1);
  if (!/^\d+$/.test(digits)) return '…';
  return digits.length <= 4 ? `${sign}…` : `${sign}${digits.slice(0, 2)}…${digits.slice(-2)}`;
}

/**
 * A client address shown partially: IPv4 keeps its first two octets ("203.0.*.*"), IPv6
 * its first two groups ("2001:db8:…"); an IPv4-mapped IPv6 address is shown as IPv4. A
 * prefix length ("…/64") is kept. Anything else is hidden whole.
 */
export function maskIp(value: string): string {
  const [address = '', prefix] = value.split('/', 2);
  const suffix = prefix !== undefined && /^\d{1,3}$/.test(prefix) ? `/${prefix}` : '';
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const family = isIP(plain);
  if (family === 4) {
    const [a, b] = plain.split('.');
    return `${a}.${b}.*.*${suffix}`;
  }
  if (family === 6) {
    return `${plain.split(':').slice(0, 2).join(':')}:…${suffix}`;
  }
  return '…';
}

/** Log fields holding ids or addresses, and how each is masked above debug level. */
export const MASKED_FIELDS: Readonly<Record<string, (value: number | string) => string>> = {
  user: maskId,
  userId: maskId,
  chat: maskId,
  chatId: maskId,
  ip: (v) => maskIp(String(v)),
  peer: (v) => maskIp(String(v)),
  clientIp: (v) => maskIp(String(v)),
};
