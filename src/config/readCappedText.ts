import { open } from 'node:fs/promises';

/**
 * Reads a file as UTF-8, refusing it past `max` bytes: one open, then fstat and reads until the end or max + 1
 * bytes, so a file that grows after the check is still caught, and a pipe or device (whose stat size is 0:
 * `--from <(jq …)`, /dev/stdin, /dev/zero) is read as far as the limit and no further. `tooLarge(size)` makes
 * the caller's error (size is the stat size, or max + 1 when more came). Read errors (ENOENT…) are thrown as they are.
 */
export async function readCappedText(file: string, max: number, tooLarge: (size: number) => Error): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > max) throw tooLarge(size);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const buffer = Buffer.alloc(Math.min(64 * 1024, max + 1 - length));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      length += bytesRead;
      if (length > max) throw tooLarge(max + 1);
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A stream (stdin, a file) as UTF-8 text, refusing it once more than `max` bytes have come: nothing past
 * max + 1 bytes is read or held (`yes | …` is refused at once, not after filling memory). Decoded once at the
 * end, so a character split between chunks stays whole.
 */
export async function readCapped(stream: AsyncIterable<Uint8Array | string>, max: number, tooLarge: (size: number) => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    length += buf.length;
    if (length > max) throw tooLarge(max + 1);
    chunks.push(Buffer.from(buf));
  }
  return Buffer.concat(chunks, length).toString('utf8');
}
