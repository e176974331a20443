import pkg from '../../package.json' with { type: 'json' };

/** Names us and says how to reach the operator, as polite crawlers do. */
export function userAgent(contactUrl: string | undefined): string {
  return `SignalDesk/${pkg.version} (+${contactUrl ?? 'https://github.com/signal-desk/signal-desk'}; feed poller)`;
}
