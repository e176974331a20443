import { stat } from 'node:fs/promises';
import { watchSourcesFile } from '../config/watchSources.ts';
import { ConfigError } from '../errors.ts';
import { loadRules } from './loadRules.ts';
import type { RuleSet, RulesSource } from './types.ts';

export interface WatchedRules extends RulesSource {
  /** Reads the file again now; false when it was refused (the rules in force stay). */
  reload(why?: string): Promise<boolean>;
  close(): void;
}

/**
 * The rules file, read now and again whenever it changes (the directory is watched, so a file replaced by
 * rename is seen). A file that no longer validates is refused whole and logged with every problem; the rules
 * in force stay until it is fixed. An absent file is no rules. Throws ConfigError when the file is invalid at
 * start, so a worker never starts with rules it cannot apply.
 */
/** What watchRules logs through (a pino logger fits). */
export interface RulesLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export async function watchRules(file: string, logger: RulesLog, debounceMs?: number): Promise<WatchedRules> {
  let rules: RuleSet = await loadRules(file, { optional: true });
  let reloading: Promise<boolean> = Promise.resolve(true);
  const reload = (why = 'file changed') =>
    (reloading = reloading.then(async () => {
      try {
        const next = await loadRules(file, { optional: true });
        // An empty file is most often one caught mid-write (truncated, then written) or a failed write (disk full):
        // not a decision to drop every rule. `rules: []` (or deleting the file) says that.
        if (next.rules.length === 0 && rules.rules.length > 0 && (await stat(file).catch(() => null))?.size === 0) {
          throw new ConfigError([{ file, message: 'the file is empty (caught mid-write, or a failed write?); write "rules: []" to remove every rule' }]);
        }
        rules = next;
        logger.info({ file, rules: rules.rules.length }, `rules reloaded from ${file} (${why}): ${rules.rules.length} in force`);
        return true;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        logger.error({ file, issues: err.issues }, `rules file refused; the ${rules.rules.length} rules in force stay (${why}):\n${err.message}`);
        return false;
      }
    }));
  let stop = () => {};
  try {
    stop = watchSourcesFile(file, () => void reload().catch((err: unknown) => logger.error({ err, file }, 'reading the rules file failed; the rules in force stay')), debounceMs);
  } catch (err) {
    // The file's folder does not exist (no rules file configured here): nothing to watch.
    logger.info({ file, err }, `the folder of ${file} does not exist: no rules, and none are read until a restart`);
  }
  return { current: () => rules, reload, close: stop };
}
