import { open } from 'node:fs/promises';

/**
 * Reads a config file as UTF-8, refusing it past `max` bytes: one open, then fstat and a read capped at
 * max + 1 bytes, so a file that grows after the check is still caught. `tooLarge(size)` makes the caller's
 * error (size is the stat size, or max + 1 when the file grew). Read errors (ENOENT…) are thrown as they are.
 */
export async function readCappedText(file: string, max: number, tooLarge: (size: number) => Error): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > max) throw tooLarge(size);
    const buffer = Buffer.alloc(Math.min(size, max) + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) ({ bytesRead: n } = await handle.read(buffer, length, buffer.length - length, null));
    if (length > max) throw tooLarge(length);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
