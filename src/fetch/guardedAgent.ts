import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { BlockList, LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { FetchError } from '../errors.ts';
import { classifyAddress, describeAddress, isAllowedAddress } from './address.ts';

export interface AgentOptions {
  allowPrivate: BlockList;
  connectTimeoutMs: number;
}

/**
 * An undici Agent that refuses non-public addresses before any connection is opened, and checks again after:
 * - an IP literal host (the URL's or a redirect's: every hop goes through this agent) is judged before
 *   connecting, so a refused address never gets a SYN (no port-scan oracle through redirects);
 * - DNS answers are filtered before connecting (a hostname that resolves to 10.0.0.1 never gets a SYN);
 * - the address of the socket actually connected is checked again (anything that resolved behind our back).
 */
export function createGuardedAgent(options: AgentOptions): Agent {
  const lookup = guardedLookup(options.allowPrivate);
  const connect = buildConnector({ timeout: options.connectTimeoutMs, lookup } as buildConnector.BuildOptions);
  return new Agent({
    keepAliveTimeout: 10_000,
    connect(opts, callback) {
      const literal = classifyAddress(opts.hostname, options.allowPrivate);
      if (literal && !literal.allowed) return callback(blockedLiteral(opts.hostname, literal), null);
      connect(opts, (err, socket) => {
        if (err) return callback(err, null);
        const remote = socket.remoteAddress;
        if (!remote || !isAllowedAddress(remote, options.allowPrivate)) {
          socket.destroy();
          return callback(blocked(opts.hostname, remote ?? 'unknown', options.allowPrivate), null);
        }
        callback(null, socket);
      });
    },
  });
}

function blockedLiteral(host: string, verdict: NonNullable<ReturnType<typeof classifyAddress>>): FetchError {
  return new FetchError(
    'blocked_address',
    `${describeAddress(host.replace(/^\[|\]$/g, ''), verdict)} is not a public address; no connection was made (list it in SIGNAL_DESK_ALLOW_PRIVATE if this is intended)`,
  );
}

function blocked(host: string, addresses: string, allow: BlockList): FetchError {
  const described = addresses.split(', ').map((a) => {
    const verdict = classifyAddress(a, allow);
    return verdict ? describeAddress(a, verdict) : a;
  });
  return new FetchError(
    'blocked_address',
    `${host} resolves to ${described.join(', ')}, which is not a public address; fetching it is refused (list it in SIGNAL_DESK_ALLOW_PRIVATE if this is intended)`,
  );
}

function guardedLookup(allow: BlockList): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const usable = addresses.filter((a) => isAllowedAddress(a.address, allow));
      if (usable.length === 0) return callback(blocked(hostname, addresses.map((a) => a.address).join(', '), allow), '');
      if (options.all) return callback(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  }) as LookupFunction;
}
