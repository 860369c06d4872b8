import fc from 'fast-check';
import {
  AddressSet,
  TELEGRAM_SOURCE_RANGES,
  canonicalIp,
  isCidr,
  limiterKey,
  resolveClientIp,
} from '../../../src/webhook/ip';

describe('canonicalIp', () => {
  it('keeps IPv4 and lower-cases IPv6', () => {
    expect(canonicalIp('149.154.167.1')).toBe('149.154.167.1');
    expect(canonicalIp('2001:DB8::1')).toBe('2001:db8::1');
  });

  it('turns every spelling of an IPv4-mapped IPv6 address into IPv4', () => {
    expect(canonicalIp('::ffff:149.154.167.1')).toBe('149.154.167.1');
    expect(canonicalIp('::FFFF:959a:a701')).toBe('149.154.167.1');
    expect(canonicalIp('0:0:0:0:0:ffff:149.154.167.1')).toBe('149.154.167.1');
  });

  it('refuses what is not exactly an address', () => {
    for (const bad of [
      '',
      'not-an-ip',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4:80',
      '[::1]',
      ' 1.2.3.4',
      'fe80::1%eth0',
      '0x7f.0.0.1',
    ]) {
      expect(canonicalIp(bad)).toBeUndefined();
    }
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const c = canonicalIp(s);
        return c === undefined || typeof c === 'string';
      }),
    );
  });
});

describe('limiterKey', () => {
  it('counts IPv4 per address and IPv6 per /64', () => {
    expect(limiterKey('10.0.0.1')).toBe('10.0.0.1');
    expect(limiterKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limiterKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(limiterKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('AddressSet', () => {
  const telegram = new AddressSet(TELEGRAM_SOURCE_RANGES);

  it("matches Telegram's published ranges, mapped IPv6 included", () => {
    expect(telegram.has('149.154.167.1')).toBe(true);
    expect(telegram.has('91.108.4.200')).toBe(true);
    expect(telegram.has('149.154.176.1')).toBe(false);
    expect(telegram.has('8.8.8.8')).toBe(false);
    expect(telegram.has('::ffff:149.154.167.1')).toBe(true);
    expect(telegram.has('2001:db8::1')).toBe(false);
  });

  it('matches single addresses and IPv6 ranges', () => {
    const set = new AddressSet(['127.0.0.2', '2001:db8::/32']);
    expect(set.has('127.0.0.2')).toBe(true);
    expect(set.has('127.0.0.3')).toBe(false);
    expect(set.has('2001:db8:ffff::1')).toBe(true);
  });

  it('an empty set matches nothing and garbage never matches', () => {
    expect(new AddressSet([]).has('127.0.0.1')).toBe(false);
    expect(telegram.has('not-an-ip')).toBe(false);
  });

  it('refuses entries that are not addresses or ranges', () => {
    expect(() => new AddressSet(['10.0.0.0/33'])).toThrow(/not an IP address/);
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('::/0')).toBe(true);
    expect(isCidr('10.0.0.0/8/1')).toBe(false);
  });
});

describe('resolveClientIp', () => {
  const proxies = new AddressSet(['172.18.0.0/16', '127.0.0.1']);

  it('uses the socket peer when there is no X-Forwarded-For', () => {
    expect(resolveClientIp('149.154.167.1', undefined, proxies)).toEqual({
      ok: true,
      ip: '149.154.167.1',
      viaProxy: false,
      ignoredForwarded: false,
    });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(resolveClientIp('203.0.113.9', '149.154.167.1', proxies)).toEqual({
      ok: true,
      ip: '203.0.113.9',
      viaProxy: false,
      ignoredForwarded: true,
    });
  });

  it('takes the rightmost untrusted hop behind a trusted proxy, never the forged leftmost one', () => {
    const r = resolveClientIp('172.18.0.2', '149.154.167.1, 203.0.113.9', proxies);
    expect(r).toEqual({ ok: true, ip: '203.0.113.9', viaProxy: true, ignoredForwarded: false });
  });

  it('walks past a chain of trusted proxies', () => {
    const r = resolveClientIp('127.0.0.1', '149.154.167.1, 172.18.0.9', proxies);
    expect(r).toMatchObject({ ok: true, ip: '149.154.167.1' });
  });

  it('joins repeated headers in order', () => {
    const r = resolveClientIp('172.18.0.2', ['1.1.1.1', '149.154.167.1'], proxies);
    expect(r).toMatchObject({ ok: true, ip: '149.154.167.1' });
  });

  it('handles IPv4-mapped peers (a server bound to ::)', () => {
    const r = resolveClientIp('::ffff:172.18.0.2', '::ffff:149.154.167.1', proxies);
    expect(r).toMatchObject({ ok: true, ip: '149.154.167.1', viaProxy: true });
  });

  it('rejects invalid hops and oversized headers behind a trusted proxy', () => {
    expect(resolveClientIp('172.18.0.2', 'not-an-ip', proxies)).toEqual({
      ok: false,
      reason: 'bad-forwarded',
    });
    expect(resolveClientIp('172.18.0.2', '', proxies)).toEqual({
      ok: false,
      reason: 'bad-forwarded',
    });
    expect(resolveClientIp('172.18.0.2', '1.1.1.1:443', proxies)).toEqual({
      ok: false,
      reason: 'bad-forwarded',
    });
    expect(resolveClientIp('172.18.0.2', '1.1.1.1,'.repeat(200), proxies)).toEqual({
      ok: false,
      reason: 'bad-forwarded',
    });
  });

  it('stops at the first untrusted hop even when hops further left are invalid', () => {
    expect(resolveClientIp('172.18.0.2', 'garbage, 149.154.167.1', proxies)).toMatchObject({
      ok: true,
      ip: '149.154.167.1',
    });
  });

  it('rejects an unreadable peer', () => {
    expect(resolveClientIp(undefined, undefined, proxies)).toEqual({
      ok: false,
      reason: 'bad-peer',
    });
  });

  it('behind trusted proxies, always answers the rightmost untrusted hop', () => {
    const ipv4 = fc
      .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
      .map((p) => p.join('.'));
    fc.assert(
      fc.property(fc.array(ipv4, { minLength: 1, maxLength: 8 }), (hops) => {
        const r = resolveClientIp('172.18.0.2', hops.join(', '), proxies);
        // The rightmost untrusted hop; when every hop is trusted, the leftmost one.
        const rightmost = [...hops].reverse().find((h) => !proxies.has(h)) ?? hops[0];
        return r.ok && r.ip === rightmost;
      }),
    );
  });
});
