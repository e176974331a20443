import { watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Calls `onChange` when the sources file changes. Watches the directory, not the file: editors and
 * config-management tools replace files (write a temporary file, rename it over), which a watch on the old
 * file would miss. Bursts of events are coalesced (debounce). Returns a function that stops watching.
 */
export function watchSourcesFile(file: string, onChange: () => void, debounceMs = 250): () => void {
  const path = resolve(file);
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed.toString() !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on('error', () => {});
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
