import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Agent } from 'undici';
import { request } from 'undici';
import { FetchError } from '../errors.ts';

export const MAX_REDIRECTS = 5;

export interface FetchRequest {
  url: string;
  etag?: string;
  lastModified?: string;
  userAgent: string;
  maxBytes: number;
  timeoutMs: number;
  dispatcher: Agent;
  /** Aborts the request when the worker shuts down. */
  signal?: AbortSignal;
  /** Accept header; defaults to feed types first. */
  accept?: string;
  /** Asked before following a redirect to `url` (a listing page's robots.txt); throws a FetchError to stop there. */
  beforeRedirect?: (url: string) => Promise<void>;
  /** Asked once the final 2xx response's headers are in: false skips the body (an article page that is a PDF or a video is not read). */
  wantBody?: (headers: Record<string, string | undefined>) => boolean;
}

export interface Redirect {
  status: number;
  from: string;
  to: string;
}

export interface FetchResponse {
  status: number;
  headers: Record<string, string | undefined>;
  /** Decoded (decompressed) body; empty for 304 and error statuses. */
  body: Buffer;
  finalUrl: string;
  redirects: Redirect[];
  /** Set when every hop was permanent (301/308): the address the source should use from now on. */
  movedTo?: string;
}

export const ACCEPT_HTML = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

const ACCEPT = [
  'application/rss+xml', 'application/atom+xml', 'application/feed+json', 'application/rdf+xml',
  'application/xml;q=0.9', 'text/xml;q=0.9', 'application/json;q=0.8', '*/*;q=0.5',
].join(', ');

/**
 * One polite GET of a feed: conditional (RFC 9110 §13.1), redirects followed by us (each hop checked by
 * the guarded agent), decompressed with a cap on decoded bytes, all within one deadline.
 * Returns any HTTP status; throws FetchError when no status could be obtained or a limit was hit.
 */
export async function fetchFeed(req: FetchRequest): Promise<FetchResponse> {
  const deadline = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline;
  const redirects: Redirect[] = [];
  let url = checkUrl(req.url, req.url);
  let allPermanent = true;
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': req.userAgent, accept: req.accept ?? ACCEPT, 'accept-encoding': 'gzip, deflate, br' };
      if (req.etag) headers['if-none-match'] = req.etag;
      if (req.lastModified) headers['if-modified-since'] = req.lastModified;
      const res = await request(url, { method: 'GET', headers, dispatcher: req.dispatcher, signal });
      const flat = flattenHeaders(res.headers);
      const location = flat.location;
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && location) {
        await res.body.dump();
        if (hop >= MAX_REDIRECTS) throw new FetchError('too_many_redirects', `more than ${MAX_REDIRECTS} redirects starting at ${req.url}`);
        const next = checkUrl(location, url);
        await req.beforeRedirect?.(next);
        redirects.push({ status: res.statusCode, from: url, to: next });
        if (res.statusCode !== 301 && res.statusCode !== 308) allPermanent = false;
        url = next;
        continue;
      }
      const ok = res.statusCode >= 200 && res.statusCode < 300 && (req.wantBody?.(flat) ?? true);
      if (!ok) await res.body.dump();
      const body = ok ? await readBody(res.body, flat, req.maxBytes) : Buffer.alloc(0);
      return {
        status: res.statusCode,
        headers: flat,
        body,
        finalUrl: url,
        redirects,
        ...(redirects.length > 0 && allPermanent ? { movedTo: url } : {}),
      };
    }
  } catch (err) {
    throw toFetchError(err, req, deadline, url);
  }
}

function checkUrl(location: string, base: string): string {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch (err) {
    throw new FetchError('bad_redirect', `cannot follow "${location}" from ${base}: not a URL`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('bad_redirect', `refusing to follow ${base} to ${url.protocol} (only http and https)`);
  }
  url.hash = '';
  return url.href;
}

/**
 * Repeated header lines joined with ", " (RFC 9110 §5.3), except `X-Robots-Tag`, whose lines are joined with
 * "\n" (never inside a header value): a line may name the robot it is for ("otherbot: noindex"), and that
 * name holds to the end of its line only, so the lines must stay apart.
 */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    out[name] = Array.isArray(v) ? v.join(name === 'x-robots-tag' ? '\n' : ', ') : v;
  }
  return out;
}

async function readBody(body: Readable, headers: Record<string, string | undefined>, maxBytes: number): Promise<Buffer> {
  const declared = Number(headers['content-length']);
  const encodings = (headers['content-encoding'] ?? '').toLowerCase().split(',').map((s) => s.trim()).filter((s) => s && s !== 'identity');
  if (encodings.length === 0 && declared > maxBytes) {
    body.destroy();
    throw tooLarge(maxBytes);
  }
  // Content codings are listed in the order applied (RFC 9110 §8.4): undo them last to first.
  // pipeline() (unlike pipe()) destroys every stage when one fails, so an aborted body ends the read.
  const decoders = encodings.reverse().map(decoderFor);
  const stream: Readable = decoders.length > 0 ? (pipeline([body, ...decoders], () => {}) as unknown as Readable) : body;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      // The cap is on decoded bytes, so a small gzip bomb cannot inflate into gigabytes.
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    body.destroy();
    stream.destroy();
    if (err instanceof FetchError) throw err;
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new FetchError('decode_error', `cannot decode the ${encodings.join('+')} body: ${(err as Error).message}`, { cause: err });
    throw err;
  }
  return Buffer.concat(chunks, total);
}

function decoderFor(encoding: string): Transform {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      // "deflate" is meant to be zlib-wrapped (RFC 9110 §8.4.1.2) but some servers send raw deflate;
      // a zlib stream's first byte has 8 in its low nibble (CM=8, RFC 1950), so look before choosing.
      return new DeflateAuto();
    default:
      throw new FetchError('decode_error', `unsupported Content-Encoding "${encoding}"`);
  }
}

/** Picks zlib-wrapped or raw inflate from the first byte of the body. */
class DeflateAuto extends Transform {
  private inner?: Transform;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    if (!this.inner) {
      this.inner = (chunk[0]! & 0x0f) === 8 ? createInflate() : createInflateRaw();
      this.inner.on('data', (d: Buffer) => this.push(d));
      this.inner.on('error', (e) => this.destroy(e));
    }
    this.inner.write(chunk, cb);
  }
  override _flush(cb: TransformCallback) {
    if (!this.inner) return cb();
    this.inner.once('end', () => cb());
    this.inner.end();
  }
}

function tooLarge(maxBytes: number): FetchError {
  return new FetchError('too_large', `the body is larger than ${maxBytes} bytes once decoded; raise SIGNAL_DESK_MAX_BYTES if this feed is legitimately that large`);
}

/** `url` is the hop that failed (after a redirect, not the URL the fetch started at). */
function toFetchError(err: unknown, req: FetchRequest, deadline: AbortSignal, url: string): unknown {
  if (err instanceof FetchError) return err;
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  if (deadline.aborted) return new FetchError('timeout', `no complete response within ${req.timeoutMs} ms`, { cause: err });
  if (req.signal?.aborted) return new FetchError('shutdown', 'the worker is shutting down', { cause: err });
  if (e.cause instanceof FetchError) return e.cause;
  const code = e.code ?? (e.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new FetchError('timeout', `timed out (${code})`, { cause: err });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new FetchError('dns', `cannot resolve ${new URL(url).hostname} (${code})`, { cause: err });
  if (code === 'ERR_INVALID_URL') return new FetchError('bad_url', `invalid URL ${url}`, { cause: err });
  return new FetchError('network', `${code ?? 'network error'}: ${e.message}`, { cause: err });
}
