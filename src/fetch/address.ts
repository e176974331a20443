import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * What an IP literal is, for the SSRF guard: the ipaddr.js range it falls in (IANA special-purpose
 * registries) and whether a worker may connect to it. A feed URL must never make a worker talk to the
 * machine it runs on or to the operator's network: that is server-side request forgery, and feeds are
 * untrusted input.
 */
export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name ("unicast", "loopback", "linkLocal", "rfc6052"…), or "ipv4Compatible" for ::a.b.c.d. */
  range: string;
  /** The IPv4 address an IPv4-mapped/-compatible form reaches, when there is one. */
  embedded?: string;
}

/**
 * Only `unicast` is public. IPv4-mapped addresses (::ffff:a.b.c.d) reach the IPv4 host: the IPv4 address is
 * judged. The deprecated IPv4-compatible form (::a.b.c.d, e.g. ::7f00:1), which ipaddr.js calls unicast, is
 * refused whatever it embeds; so are NAT64 (64:ff9b::/96), IPv4-translated (::ffff:0:a.b.c.d), 6to4 and
 * Teredo, which are not unicast. An address in the operator's allow-list (SIGNAL_DESK_ALLOW_PRIVATE) passes.
 */
export function classifyAddress(address: string, allow: BlockList): AddressVerdict | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return undefined;
  const ip = ipaddr.parse(bare);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      const v4 = v6.toIPv4Address().toString();
      const inner = classifyAddress(v4, allow)!;
      return { ...inner, range: `ipv4Mapped of ${inner.range}`, embedded: v4 };
    }
    if (allow.check(bare, 'ipv6')) return { allowed: true, range: v6.range() };
    if (v6.parts.slice(0, 6).every((p) => p === 0) && !['unspecified', 'loopback'].includes(v6.range())) {
      const v4 = ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString();
      return { allowed: false, range: 'ipv4Compatible', embedded: v4 };
    }
    const range = v6.range();
    const bytes = v6.toByteArray();
    // NAT64 (64:ff9b::/96), IPv4-translated (::ffff:0:a.b.c.d) and 6to4 (2002:AABB:CCDD::) carry an IPv4 address: name it.
    const inner = range === 'rfc6052' || range === 'rfc6145' ? bytes.slice(12) : range === '6to4' ? bytes.slice(2, 6) : undefined;
    return { allowed: range === 'unicast', range, ...(inner ? { embedded: ipaddr.fromByteArray(inner).toString() } : {}) };
  }
  const range = (ip as ipaddr.IPv4).range();
  return { allowed: allow.check(bare, 'ipv4') || range === 'unicast', range };
}

/** True when `address` (an IP literal) may be fetched: public, or explicitly allowed by the operator. */
export function isAllowedAddress(address: string, allow: BlockList): boolean {
  return classifyAddress(address, allow)?.allowed ?? false;
}

/** "169.254.169.254 (linkLocal range)" / "::7f00:1 (ipv4Compatible range, embeds 127.0.0.1)". */
export function describeAddress(address: string, verdict: AddressVerdict): string {
  return `${address} (${verdict.range} range${verdict.embedded ? `, reaches ${verdict.embedded}` : ''})`;
}

/**
 * Why a URL whose host is an IP literal must not be fetched, or undefined (a host name, or a public or allowed
 * address). The host is read as WHATWG URL reads it, so http://2130706433/, http://0x7f.1/ and
 * http://[::ffff:127.0.0.1]/ are all 127.0.0.1 here, exactly as the fetch would see them.
 */
export function literalAddressProblem(url: string, allow: BlockList): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const verdict = classifyAddress(host, allow);
  if (!verdict || verdict.allowed) return undefined;
  return `${url} points at ${describeAddress(host.replace(/^\[|\]$/g, ''), verdict)}, which is not a public address; fetching it is refused (list it in SIGNAL_DESK_ALLOW_PRIVATE if this is intended)`;
}
