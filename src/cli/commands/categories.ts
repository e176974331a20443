import { loadTaxonomy } from '../../categories/loadTaxonomy.ts';
import { ConfigError, formatConfigIssue } from '../../errors.ts';

/** `signal-desk categories validate [FILE]`: every problem of the taxonomy file with its line; exit 1 if any. */
export async function categoriesValidateCommand(file: string): Promise<number> {
  try {
    const taxonomy = await loadTaxonomy(file);
    if (taxonomy.categories.length === 0) {
      process.stdout.write(`${file}: no categories (absent or empty): drafts get suggestions only from the classifier trained on approvals\n`);
      return 0;
    }
    const terms = taxonomy.categories.reduce((n, c) => n + c.keywords.length + c.entities.length, 0);
    process.stdout.write(`${file}: ${taxonomy.categories.length} categories, ${terms} keywords and entities, no problems\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) process.stderr.write(`${formatConfigIssue(issue)}\n`);
    process.stderr.write(`${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}: the file is refused until all are fixed (a running worker keeps the categories it has)\n`);
    return 1;
  }
}
