import { describe, expect, it } from 'vitest';
import { parseAllowList } from '../../src/config/settings.ts';
import { isAllowedAddress } from '../../src/fetch/address.ts';

describe('isAllowedAddress', () => {
  const none = parseAllowList('');
  it.each([
    ['public IPv4', '93.184.216.34', true],
    ['public IPv6', '2606:4700::6810:85e5', true],
    ['loopback', '127.0.0.1', false],
    ['private 10/8', '10.1.2.3', false],
    ['private 172.16/12', '172.20.0.1', false],
    ['private 192.168/16', '192.168.1.1', false],
    ['link-local (cloud metadata)', '169.254.169.254', false],
    ['carrier-grade NAT', '100.64.0.1', false],
    ['unspecified', '0.0.0.0', false],
    ['IPv6 loopback', '::1', false],
    ['IPv6 unique local', 'fd00::1', false],
    ['IPv6 link-local', 'fe80::1', false],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1', false],
    ['IPv4-mapped public', '::ffff:93.184.216.34', true],
    ['IPv4-compatible loopback', '::7f00:1', false],
    ['IPv4-compatible public (deprecated form, refused whatever it embeds)', '::5db8:d822', false],
    ['IPv4-translated loopback', '::ffff:0:7f00:1', false],
    ['NAT64 of the metadata address', '64:ff9b::a9fe:a9fe', false],
    ['6to4', '2002:7f00:1::1', false],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2', false],
    ['documentation IPv6', '2001:db8::1', false],
    ['multicast', '224.0.0.1', false],
    ['broadcast', '255.255.255.255', false],
    ['benchmarking', '198.18.0.1', false],
    ['bracketed IPv6 literal', '[::1]', false],
    ['not an address', 'example.com', false],
  ])('%s %s', (_n, ip, allowed) => {
    expect(isAllowedAddress(ip, none)).toBe(allowed);
  });

  it('lets an explicit allow-list through, and only what it lists', () => {
    const allow = parseAllowList('127.0.0.1, 10.0.0.0/8');
    expect(isAllowedAddress('127.0.0.1', allow)).toBe(true);
    expect(isAllowedAddress('10.9.9.9', allow)).toBe(true);
    expect(isAllowedAddress('127.0.0.2', allow)).toBe(false);
    expect(isAllowedAddress('192.168.0.1', allow)).toBe(false);
  });

  it('refuses a malformed allow-list naming the variable', () => {
    expect(() => parseAllowList('localhost')).toThrow(/SIGNAL_DESK_ALLOW_PRIVATE.*not an IP address/);
  });
});
