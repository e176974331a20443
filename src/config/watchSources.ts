import { realpathSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Calls `onChange` when the sources file changes. Watches the directory, not the file: editors and
 * config-management tools replace files (write a temporary file, rename it over), which a watch on the old
 * file would miss. A symlinked file (`config/sources.yaml -> /etc/signal-desk/sources.yaml`) is watched in
 * both directories: the link's (the link retargeted) and its target's (the file replaced there, as
 * `sources disable` does). Bursts of events are coalesced (debounce). Returns a function that stops watching.
 */
export function watchSourcesFile(file: string, onChange: () => void, debounceMs = 250): () => void {
  const path = resolve(file);
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // No file yet: its own directory only.
  }
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  for (const p of new Set([path, real])) {
    const name = basename(p);
    const watcher = watch(dirname(p), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', () => {});
    watchers.push(watcher);
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
