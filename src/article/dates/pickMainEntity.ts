import type { JsonLdNode } from '../types.ts';

const ARTICLE_TYPES = /^(?:Article|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|LiveBlogPosting|BlogPosting|SocialMediaPosting|DiscussionForumPosting|ScholarlyArticle|MedicalScholarlyArticle|TechArticle|APIReference|Report|SatiricalArticle|AdvertiserContentArticle|Recipe|HowTo|CreativeWork|Blog|Chapter|Dataset)$/;
const MEDIA_TYPES = /^(?:PodcastEpisode|Episode|VideoObject|AudioObject|MediaObject|Movie|Book|Photograph|ImageObject|Clip)$/;
const PAGE_TYPES = /^(?:WebPage|ItemPage|AboutPage|CollectionPage|ProfilePage|QAPage|FAQPage|MedicalWebPage|CheckoutPage|ContactPage|SearchResultsPage|RealEstateListing)$/;
/** Properties whose objects are other things than the page's own article: its comments, reviews, links out. */
const FOREIGN_KEYS = new Set([
  'comment', 'comments', 'review', 'reviews', 'relatedLink', 'related', 'significantLink', 'citation', 'mentions',
  'itemListElement', 'hasPart', 'subjectOf', 'workExample', 'isBasedOn', 'exampleOfWork', 'suggestedAnswer',
  'acceptedAnswer', 'about', 'potentialAction', 'recipeInstructions', 'step', 'sameAs', 'breadcrumb',
]);
const MAX_WALK = 5_000;

/** The node's `@type` names (a string or an array), without a `schema:` prefix. */
export function typesOf(node: JsonLdNode): string[] {
  const t = node['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list.filter((x): x is string => typeof x === 'string').map((x) => x.replace(/^(?:https?:\/\/schema\.org\/|schema:)/, ''));
}

/**
 * The page's own entities, best first: the article-type node that names this page (or the first one), then
 * other article-type nodes, then media (VideoObject, PodcastEpisode…), then WebPage-type nodes. Objects
 * reached from another node through a comment, review, related-link or list property are never the page's
 * own, even when the flattening lists them.
 */
export function pickMainEntities(nodes: readonly JsonLdNode[], pageUrl: string): JsonLdNode[] {
  const foreign = markForeign(nodes);
  const own = nodes.filter((n) => n && typeof n === 'object' && !foreign.has(n));
  const articles = own.filter((n) => typesOf(n).some((t) => ARTICLE_TYPES.test(t)));
  const media = own.filter((n) => typesOf(n).some((t) => MEDIA_TYPES.test(t)));
  const pages = own.filter((n) => typesOf(n).some((t) => PAGE_TYPES.test(t)));
  const here = articles.filter((n) => namesPage(n, pageUrl));
  return [...new Set([...here, ...articles, ...media, ...pages])];
}

function markForeign(nodes: readonly JsonLdNode[]): Set<object> {
  const foreign = new Set<object>();
  let budget = MAX_WALK;
  const walk = (value: unknown, underForeign: boolean, depth: number) => {
    if (budget-- <= 0 || depth > 12 || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, underForeign, depth + 1);
      return;
    }
    if (underForeign) foreign.add(value);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === '@graph') walk(v, underForeign, depth + 1);
      else if (v && typeof v === 'object') walk(v, underForeign || FOREIGN_KEYS.has(k), depth + 1);
    }
  };
  for (const n of nodes) walk(n, false, 0);
  return foreign;
}

function namesPage(node: JsonLdNode, pageUrl: string): boolean {
  const page = pathOf(pageUrl);
  if (!page || page === '/') return false;
  const main = node.mainEntityOfPage;
  const candidates = [node.url, node['@id'], typeof main === 'object' && main ? (main as JsonLdNode)['@id'] : main];
  return candidates.some((c) => typeof c === 'string' && pathOf(c, pageUrl) === page);
}

function pathOf(url: string, base?: string): string | undefined {
  try {
    return new URL(url, base).pathname.replace(/\/+$/, '') || '/';
  } catch {
    return undefined;
  }
}
