import { Worker } from 'node:worker_threads';
import type { FetchResponse } from '../fetch/fetchFeed.ts';
import { readPage, type PageReading } from './readPage.ts';

type Reply = { id: number; ok: true; value: PageReading } | { id: number; ok: false; message: string };
type Page = Pick<FetchResponse, 'body' | 'headers' | 'finalUrl'>;

interface Job {
  id: number;
  page: Page;
  now: number;
  resolve(v: PageReading): void;
  reject(e: Error): void;
}

/**
 * Reads pages (readPage) on a thread of its own, so a burst of article pages never holds up the poll and
 * ingest jobs sharing the process's event loop. The thread reads one page at a time; the others wait here,
 * and a page's deadline runs from when the thread starts on it, so time spent queued behind another page
 * never counts against it. A page that takes too long to read, or that makes the thread die, is that page's
 * failure alone: the thread is replaced and the pages waiting go on to the new one. Falls back to reading
 * in-process if the thread cannot start.
 */
export class PageReader {
  private worker: Worker | undefined;
  private failed = false;
  private next = 0;
  private ready: Promise<boolean> = Promise.resolve(false);
  private readonly queue: Job[] = [];
  private current: (Job & { timer: NodeJS.Timeout }) | undefined;
  private pumping = false;

  constructor(private readonly timeoutMs: number) {}

  read(response: Page, now: number): Promise<PageReading> {
    if (this.failed) return Promise.resolve().then(() => readPage(response, now));
    return new Promise<PageReading>((resolve, reject) => {
      this.queue.push({ id: this.next++, page: response, now, resolve, reject });
      void this.pump();
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  /** Hands the next waiting page to the thread when it is free (starting one if need be). */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.current && this.queue.length > 0) {
        const worker = this.failed ? undefined : this.start();
        // The deadline is for reading the page, not for starting the thread (tsx compiles the stage on first use).
        const ok = worker ? await this.ready : false;
        const job = this.queue.shift()!;
        if (!ok || !worker || worker !== this.worker) {
          // No thread: read it here (still one page at a time).
          try {
            job.resolve(readPage(job.page, job.now));
          } catch (err) {
            job.reject(err as Error);
          }
          continue;
        }
        const timer = setTimeout(() => {
          if (this.current?.id !== job.id) return;
          this.current = undefined;
          job.reject(new Error(`reading the page took longer than ${this.timeoutMs} ms`));
          this.replace();
        }, this.timeoutMs);
        this.current = { ...job, timer };
        worker.postMessage({ id: job.id, body: job.page.body, headers: job.page.headers, finalUrl: job.page.finalUrl, now: job.now });
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(new URL('./pageReaderThread.mjs', import.meta.url));
      worker.unref();
      let started: (ok: boolean) => void = () => undefined;
      let isReady = false;
      this.ready = new Promise<boolean>((resolve) => (started = resolve));
      const stopped = (err: Error) => {
        started(false);
        // A thread that never came up will not come up next time either: pages are read in-process from now on.
        if (!isReady) this.failed = true;
        if (this.worker !== worker) return; // replaced or closed on purpose
        this.worker = undefined;
        // The page being read when the thread died is the one that killed it; the others wait for the next thread.
        this.finishCurrent((job) => job.reject(err));
      };
      worker.once('exit', (code) => stopped(new Error(`the page reader thread stopped (exit code ${code}) while reading the page`)));
      worker.on('error', (err) => stopped(new Error(`the page reader thread failed while reading the page: ${err.message}`)));
      worker.on('message', (m: Reply | { ready: true }) => {
        if ('ready' in m) {
          isReady = true;
          return started(true);
        }
        if (this.current?.id !== m.id) return;
        this.finishCurrent((job) => (m.ok ? job.resolve(m.value) : job.reject(new Error(m.message))));
      });
      this.worker = worker;
      return worker;
    } catch {
      this.failed = true;
      return undefined;
    }
  }

  private finishCurrent(settle: (job: Job) => void): void {
    const job = this.current;
    if (!job) return;
    this.current = undefined;
    clearTimeout(job.timer);
    settle(job);
    void this.pump();
  }

  /** Abandons the thread (it is stuck on a page); the next page starts a new one. */
  private replace(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    void this.pump();
  }
}
