import { watchSourcesFile } from '../config/watchSources.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { EMPTY_TAXONOMY, loadTaxonomy } from './loadTaxonomy.ts';
import type { Taxonomy, TaxonomySource } from './types.ts';

export interface WatchedTaxonomy extends TaxonomySource {
  /** Re-reads the file now (also what a change of the file does); false when it was refused and the old taxonomy stays. */
  reload(why: string): Promise<boolean>;
  stop(): void;
}

/**
 * The taxonomy in force, read at start and again whenever the file changes (watched like the sources file: the
 * directory, so a file replaced by rename is seen). An invalid file is refused whole and the taxonomy in force
 * stays, with the located problems in the log. A file invalid at start is an error (the worker does not start
 * on a taxonomy nobody checked); an absent one is an empty taxonomy.
 */
export async function watchTaxonomy(file: string, logger: Pick<Logger, 'info' | 'error'>, options: { debounceMs?: number } = {}): Promise<WatchedTaxonomy> {
  let taxonomy: Taxonomy = await loadTaxonomy(file);
  let queue: Promise<boolean> = Promise.resolve(true);
  const reload = (why: string): Promise<boolean> =>
    (queue = queue.then(async () => {
      try {
        taxonomy = await loadTaxonomy(file);
        logger.info({ file, categories: taxonomy.categories.length }, `categories file re-read (${why}): ${taxonomy.categories.length} categor${taxonomy.categories.length === 1 ? 'y' : 'ies'}`);
        return true;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        logger.error({ file, issues: err.issues }, `categories file refused (${why}); the categories in force stay:\n${err.message}`);
        return false;
      }
    }));
  const onChange = () => void reload('file changed').catch((err: unknown) => logger.error({ err, file }, 'reading the categories file failed; the categories in force stay'));
  let stop = () => {};
  try {
    stop = watchSourcesFile(file, onChange, options.debounceMs);
  } catch (err) {
    // The file's directory does not exist (no categories file at all): nothing to watch until the next start.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { current: () => taxonomy, reload, stop: () => stop() };
}

export { EMPTY_TAXONOMY };
