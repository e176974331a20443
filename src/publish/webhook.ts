import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { withHttpLinks, type Signal } from './signal.ts';

export interface WebhookTarget {
  url: string;
  secret: string;
}

/**
 * Signature of one delivery: HMAC-SHA256 over "<timestamp>.<body>", hex, as "sha256=<hex>". Signing the
 * timestamp with the body lets receivers refuse replays of old deliveries (the scheme Stripe and Slack use).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type DeliveryOutcome = { ok: true; status: number } | { ok: false; retry: boolean; message: string };

/**
 * POSTs one published signal. 2xx is delivered; 408, 429 and 5xx, or no answer, are worth retrying;
 * any other status means the receiver refuses this delivery, and retrying would not change that.
 * Redirects are not followed (undici's request does not): a receiver that moved must be reconfigured.
 */
export async function deliverWebhook(target: WebhookTarget, signal: Signal, now: Date, timeoutMs: number): Promise<DeliveryOutcome> {
  const body = JSON.stringify({ event: 'signal.published', signal: withHttpLinks(signal) });
  const timestamp = String(Math.floor(now.getTime() / 1000));
  try {
    const res = await request(target.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'SignalDesk-Webhook/1',
        'x-signal-desk-event': 'signal.published',
        'x-signal-desk-delivery': signal.id,
        'x-signal-desk-timestamp': timestamp,
        'x-signal-desk-signature': signWebhook(target.secret, timestamp, body),
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
    const retry = res.statusCode === 408 || res.statusCode === 429 || res.statusCode >= 500;
    return { ok: false, retry, message: `webhook receiver answered HTTP ${res.statusCode}` };
  } catch (err) {
    return { ok: false, retry: true, message: `webhook receiver unreachable: ${(err as Error).message}` };
  }
}
