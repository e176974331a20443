import type { Element } from 'domhandler';

/** Containers whose dates are not the article's: comments, related links, footers, sidebars, navigation. */
const FOREIGN_TAGS = new Set(['aside', 'nav', 'menu', 'noscript', 'template']);
const FOREIGN_ROLES = new Set(['complementary', 'navigation', 'comment']);
// A class or id token is foreign when it is one of these words ("comments", "related"), or one of them joined to a
// container word ("comment-list", "related_posts", "sidebar-widget", "post-comments"), not when it merely mentions one
// ("sidebar_right", "has-sidebar", "comments-enabled" on a layout wrapper).
const FOREIGN_WORDS = 'comments?|commentlist|replies|respond|disqus|related|relatedlinks?|recommended|recommendations|morestories|readmore|popular|trending|mostread|mostpopular|sidebar|copyright|breadcrumbs?|navbar|navigation|nav|menu|teasers?|outbrain|taboola|newsletter|promo|pagination';
const CONTAINER_WORDS = 'list|area|section|wrap|wrapper|container|box|block|items?|posts?|articles?|stories|links?|content|widgets?|module|inner|outer|thread|holder|body|title|header|form|top|bottom|main';
const FOREIGN_TOKEN = new RegExp(`^(?:(?:${FOREIGN_WORDS})(?:[_-]+(?:${CONTAINER_WORDS}))*|(?:site|page|global|main|article|post|entry|story|blog)[_-]+(?:comments?|related|sidebar|navigation|nav|recommendations?)(?:[_-]+(?:${CONTAINER_WORDS}))*)$`, 'i');

function isForeignName(value: string): boolean {
  return value.split(/\s+/).some((token) => token !== '' && FOREIGN_TOKEN.test(token));
}

/** A footer: the page's own is foreign, an article's footer (its byline, its date) is the article's. */
export function isFooterTag(tag: Element): boolean {
  if (tag.name === 'footer') return true;
  const a = tag.attribs;
  return (a.role ?? '').toLowerCase() === 'contentinfo' || /(?:^|[\s_-])footer(?:$|[\s_-])/i.test(`${a.class ?? ''} ${a.id ?? ''}`);
}
const FOREIGN_ITEMTYPES = /schema\.org\/(?:Comment|UserComments|Review|Answer|Question|ItemList|SiteNavigationElement|WPFooter|WPSideBar)\b/i;

/** This element itself (not its ancestors) is a comment, related list, aside or navigation (footers: isFooterTag). */
export function isForeignTag(tag: Element): boolean {
  if (tag.name === 'body' || tag.name === 'html') return false;
  if (FOREIGN_TAGS.has(tag.name)) return true;
  const a = tag.attribs;
  if (a.role && FOREIGN_ROLES.has(a.role.toLowerCase())) return true;
  if (a.itemtype && FOREIGN_ITEMTYPES.test(a.itemtype)) return true;
  return Boolean((a.class && isForeignName(a.class)) || (a.id && isForeignName(a.id)));
}

const ARTICLE_NAMES = /(?:^|[\s_-])(?:article|post|entry|story|content|main)(?:$|[\s_-])/i;

/** This element itself opens the article: article, main, header, articleBody, a post/entry/story wrapper. */
export function isArticleTag(tag: Element): boolean {
  if (tag.name === 'article' || tag.name === 'main' || tag.name === 'header') return true;
  const a = tag.attribs;
  if (a.role === 'main' || a.itemprop === 'articleBody' || (a.itemtype && /Article|BlogPosting/.test(a.itemtype))) return true;
  return Boolean(a.class && ARTICLE_NAMES.test(a.class));
}
