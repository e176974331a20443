import type { Element } from 'domhandler';

/** Containers whose dates are not the article's: comments, related links, footers, sidebars, navigation. */
const FOREIGN_TAGS = new Set(['footer', 'aside', 'nav', 'menu', 'noscript', 'template']);
const FOREIGN_ROLES = new Set(['complementary', 'contentinfo', 'navigation', 'comment']);
// A class or id token is foreign when it starts or ends with one of these words ("comment-list", "site-footer",
// "related_posts"), not when it merely mentions one ("has-sidebar", "comments-enabled" on a wrapper).
const FOREIGN_WORDS = 'comments?|commentlist|replies|respond|disqus|related|relatedlinks?|recommended|recommendations|morestories|readmore|popular|trending|mostread|mostpopular|sidebar|widgets?|footer|copyright|breadcrumbs?|navbar|navigation|nav|menu|teasers?|outbrain|taboola|newsletter|promo|pagination';
const FOREIGN_START = new RegExp(`^(?:${FOREIGN_WORDS})(?:$|[_-](?!enabled|open|closed|count|link|button))`, 'i');
const FOREIGN_END = new RegExp(`[_-](?:${FOREIGN_WORDS})$`, 'i');
const SKIP_PREFIX = /^(?:has|with|no|is|show|hide|enable|disable)[_-]/i;

function isForeignName(value: string): boolean {
  for (const token of value.split(/\s+/)) {
    if (!token || SKIP_PREFIX.test(token)) continue;
    if (FOREIGN_START.test(token) || FOREIGN_END.test(token)) return true;
  }
  return false;
}
const FOREIGN_ITEMTYPES = /schema\.org\/(?:Comment|UserComments|Review|Answer|Question|ItemList|SiteNavigationElement|WPFooter|WPSideBar)\b/i;

/** This element itself (not its ancestors) is a comment, related list, footer, aside or navigation. */
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
