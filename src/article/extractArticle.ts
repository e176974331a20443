import { extractDates } from './dates/extractDates.ts';
import { parsePage } from './parsePage.ts';
import { buildContext, type PageContext } from './pageContext.ts';
import { type RobotsSource, readRobots } from './readRobots.ts';
import { AUTHOR_RULES } from './rules/authors.ts';
import { DESCRIPTION_RULES } from './rules/description.ts';
import { IMAGE_RULES } from './rules/image.ts';
import { LANG_RULES } from './rules/lang.ts';
import { AMP_RULES, CANONICAL_RULES } from './rules/links.ts';
import { runRules } from './rules/rule.ts';
import { SITE_NAME_RULES } from './rules/siteName.ts';
import { ACCESS_RULES, KEYWORD_RULES, SECTION_RULES, TYPE_RULES, WORD_COUNT_RULES } from './rules/taxonomy.ts';
import { TITLE_RULES, stripSiteName } from './rules/title.ts';
import type { ArticleMetadata, PageHeaders, RobotsDirectives } from './types.ts';

export interface ExtractOptions {
  /** Epoch ms (the caller's Clock): `unavailable_after` is judged by it and a date after it (+ 1 day) is not plausible; without it that directive is not applied and dates are held to 2100. */
  now?: number;
}

/**
 * Reads an article page's own metadata. Pure: a string and the page's URL and headers in, never a fetch.
 * Each field is an ordered list of named rules (src/article/rules/); the first that yields wins and names the
 * value's provenance. Hostile input (broken or enormous JSON-LD, huge attributes) costs values, never a throw.
 */
export function extractArticle(html: string, pageUrl: string, headers: PageHeaders = {}, options: ExtractOptions = {}): ArticleMetadata {
  const $ = parsePage(html);
  const ctx = buildContext($, pageUrl, headers);
  const out: ArticleMetadata = { robots: robotsOf(ctx, options.now) };
  const put = <K extends keyof ArticleMetadata>(key: K, value: ArticleMetadata[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  put('canonicalUrl', runRules(ctx, CANONICAL_RULES));
  put('ampUrl', runRules(ctx, AMP_RULES));
  put('siteName', runRules(ctx, SITE_NAME_RULES));
  const title = runRules(ctx, TITLE_RULES);
  // A <title> carries the site's name as page chrome (`Headline | Site`); a publisher's own headline fields are kept as written.
  if (title) out.title = STRIPPED_TITLE_RULES.has(title.rule) ? { value: stripSiteName(title.value, siteNamesOf(ctx, out.siteName?.value), ctx), rule: title.rule } : title;
  put('description', runRules(ctx, DESCRIPTION_RULES));
  put('authors', runRules(ctx, AUTHOR_RULES));
  put('lang', runRules(ctx, LANG_RULES));
  put('image', runRules(ctx, IMAGE_RULES));
  put('section', runRules(ctx, SECTION_RULES));
  put('keywords', runRules(ctx, KEYWORD_RULES));
  put('type', runRules(ctx, TYPE_RULES));
  put('isAccessibleForFree', runRules(ctx, ACCESS_RULES));
  put('wordCount', runRules(ctx, WORD_COUNT_RULES));
  try {
    Object.assign(out, extractDates({ $, pageUrl, nodes: ctx.nodes, now: options.now }));
  } catch {
    // the dates pass is another stage's code; a throw there costs the dates, not the page
  }
  const ignored = [...ctx.ignored, ...ctx.skipped];
  if (ignored.length) out.ignored = ignored;
  return out;
}

const STRIPPED_TITLE_RULES = new Set(['title-tag', 'h1']);

function siteNamesOf(ctx: PageContext, found: string | undefined): string[] {
  return [found, ...SITE_NAME_RULES.map((r) => safe(() => r.read(ctx)))].filter((s): s is string => typeof s === 'string');
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

const ROBOT_METAS = ['robots', 'googlebot', 'signaldesk', 'signal-desk'];

function robotsOf(ctx: PageContext, now: number | undefined): RobotsDirectives {
  const sources: RobotsSource[] = [];
  for (const bot of ROBOT_METAS) for (const value of ctx.meta.get(bot) ?? []) sources.push({ where: `meta ${bot}`, value, bot });
  // One source per header line (fetchFeed joins repeated lines with "\n"): a line's `otherbot:` ends with its line.
  for (const line of (ctx.headers['x-robots-tag'] ?? '').split('\n')) if (line.trim()) sources.push({ where: 'X-Robots-Tag', value: line });
  return readRobots(sources, now);
}
