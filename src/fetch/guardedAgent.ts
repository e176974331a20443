import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { BlockList, LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { FetchError } from '../errors.ts';
import { isAllowedAddress } from './address.ts';

export interface AgentOptions {
  allowPrivate: BlockList;
  connectTimeoutMs: number;
}

/**
 * An undici Agent that refuses non-public addresses twice over: DNS answers are filtered before any
 * connection is opened (so a hostname that resolves to 10.0.0.1 never gets a SYN), and the address of the
 * socket actually connected is checked again (IP literals skip DNS; this also covers anything that
 * resolved behind our back). Redirect targets go through the same agent, so every hop is checked.
 */
export function createGuardedAgent(options: AgentOptions): Agent {
  const lookup = guardedLookup(options.allowPrivate);
  const connect = buildConnector({ timeout: options.connectTimeoutMs, lookup } as buildConnector.BuildOptions);
  return new Agent({
    keepAliveTimeout: 10_000,
    connect(opts, callback) {
      connect(opts, (err, socket) => {
        if (err) return callback(err, null);
        const remote = socket.remoteAddress;
        if (!remote || !isAllowedAddress(remote, options.allowPrivate)) {
          socket.destroy();
          return callback(blocked(opts.hostname, remote ?? 'unknown'), null);
        }
        callback(null, socket);
      });
    },
  });
}

function blocked(host: string, address: string): FetchError {
  return new FetchError(
    'blocked_address',
    `${host} resolves to ${address}, which is not a public address; fetching it is refused (list it in SIGNAL_DESK_ALLOW_PRIVATE if this is intended)`,
  );
}

function guardedLookup(allow: BlockList): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const usable = addresses.filter((a) => isAllowedAddress(a.address, allow));
      if (usable.length === 0) return callback(blocked(hostname, addresses.map((a) => a.address).join(', ')), '');
      if (options.all) return callback(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  }) as LookupFunction;
}
