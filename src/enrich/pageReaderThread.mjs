// The thread that reads article pages (src/enrich/pageReader.ts): CPU spent on a page's HTML stays off the
// workers' event loop. TypeScript through tsx, as the CLI does.
import { Buffer } from 'node:buffer';
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { readPage } = await import('./readPage.ts');
const { stallpoint } = await import('../failpoint.ts');
parentPort.on('message', ({ id, body, headers, finalUrl, now }) => {
  try {
    stallpoint('enrich.readPage', String(finalUrl));
    parentPort.postMessage({ id, ok: true, value: readPage({ body: Buffer.from(body), headers, finalUrl }, now) });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: String(err?.message ?? err) });
  }
});
parentPort.postMessage({ ready: true });
