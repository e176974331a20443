import { Worker } from 'node:worker_threads';
import type { FetchResponse } from '../fetch/fetchFeed.ts';
import { readPage, type PageReading } from './readPage.ts';

type Reply = { id: number; ok: true; value: PageReading } | { id: number; ok: false; message: string };

/**
 * Reads pages (readPage) on a thread of its own, so a burst of article pages never holds up the poll and
 * ingest jobs sharing the process's event loop, and a page that takes too long to read is abandoned (the
 * thread is replaced). Falls back to reading in-process if the thread cannot start.
 */
export class PageReader {
  private worker: Worker | undefined;
  private failed = false;
  private next = 0;
  private ready: Promise<boolean> = Promise.resolve(false);
  private readonly waiting = new Map<number, { resolve(v: PageReading): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  constructor(private readonly timeoutMs: number) {}

  async read(response: Pick<FetchResponse, 'body' | 'headers' | 'finalUrl'>, now: number): Promise<PageReading> {
    const worker = this.failed ? undefined : this.start();
    if (!worker) return readPage(response, now);
    // The deadline is for reading the page, not for starting the thread (tsx compiles the stage on first use).
    if (!(await this.ready)) return readPage(response, now);
    const id = this.next++;
    return new Promise<PageReading>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`reading the page took longer than ${this.timeoutMs} ms`));
        this.restart();
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      worker.postMessage({ id, body: response.body, headers: response.headers, finalUrl: response.finalUrl, now });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(new URL('./pageReaderThread.mjs', import.meta.url));
      worker.unref();
      let started: (ok: boolean) => void = () => undefined;
      this.ready = new Promise<boolean>((resolve) => (started = resolve));
      worker.once('exit', () => started(false));
      worker.on('message', (m: Reply | { ready: true }) => {
        if ('ready' in m) return started(true);
        const w = this.waiting.get(m.id);
        if (!w) return;
        this.waiting.delete(m.id);
        clearTimeout(w.timer);
        if (m.ok) w.resolve(m.value);
        else w.reject(new Error(m.message));
      });
      worker.on('error', (err) => {
        started(false);
        this.failAll(err);
        if (this.worker === worker) this.worker = undefined;
      });
      this.worker = worker;
      return worker;
    } catch {
      this.failed = true;
      return undefined;
    }
  }

  private restart(): void {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the page reader was restarted'));
    void w?.terminate();
  }

  private failAll(err: Error): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(err);
      this.waiting.delete(id);
    }
  }
}
