import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { isArticleTag, isFooterTag, isForeignTag } from './pageScope.ts';

/** An element the date rules may read, with where it sits. */
export interface Spot {
  el: Element;
  /** Inside a comment, related-links list, footer, aside or navigation. */
  foreign: boolean;
  /** Inside the article (article, main, header, articleBody, a post/entry/story wrapper). */
  inArticle: boolean;
}

/** The page's date-bearing elements, found in one walk of the document (cheerio selectors per rule cost too much). */
export interface PageIndex {
  metas: Spot[];
  itemprops: Map<string, Spot[]>;
  times: Spot[];
  abbrs: Spot[];
  bylines: Spot[];
  /** `<h1>` elements: the article's title, which its byline follows. */
  headings: Spot[];
}

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'select', 'textarea']);
const BYLINE_NAMES = /date|time|byline|publish|posted|dateline|meta|info|author|stamp|datum|fecha|data/i;
const MAX_BYLINES = 300;
const MAX_NODES = 200_000;

export function indexPage($: CheerioAPI): PageIndex {
  const index: PageIndex = { metas: [], itemprops: new Map(), times: [], abbrs: [], bylines: [], headings: [] };
  const root = $.root()[0] as AnyNode;
  const stack: Array<[AnyNode, boolean, boolean]> = [[root, false, false]];
  let budget = MAX_NODES;
  while (stack.length > 0 && budget-- > 0) {
    const [node, parentForeign, parentArticle] = stack.pop()!;
    let foreign = parentForeign;
    let inArticle = parentArticle;
    if (node.type === 'tag' || node.type === 'script' || node.type === 'style') {
      const el = node as Element;
      if (SKIP.has(el.name)) continue;
      // A footer inside the article is the article's (Blogger's post-footer holds its timestamp); the page's is not.
      foreign = foreign || isForeignTag(el) || (!parentArticle && isFooterTag(el));
      inArticle = inArticle || isArticleTag(el);
      const spot: Spot = { el, foreign, inArticle };
      const a = el.attribs;
      if (el.name === 'meta') index.metas.push(spot);
      else if (el.name === 'time') index.times.push(spot);
      else if (el.name === 'abbr') index.abbrs.push(spot);
      else if (el.name === 'h1') index.headings.push(spot);
      if (a.itemprop) {
        for (const p of a.itemprop.split(/\s+/)) {
          const list = index.itemprops.get(p);
          if (list) list.push(spot);
          else index.itemprops.set(p, [spot]);
        }
      }
      if (!foreign && index.bylines.length < MAX_BYLINES && (el.name === 'time' || BYLINE_NAMES.test(`${a.class ?? ''} ${a.id ?? ''}`))) index.bylines.push(spot);
    }
    const children = (node as Element).children;
    if (children) for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, foreign, inArticle]);
  }
  return index;
}

/**
 * The element's text, whitespace collapsed, stopping once it is longer than `max` characters; with
 * `ownOnly`, comments, related lists, asides and footers inside it are left out.
 */
export function textOf(el: AnyNode, max: number, ownOnly = false): string {
  let out = '';
  // Each frame is an element's children and the next one to visit: children are reached one at a time, so the
  // walk stops after about `max` characters however many children an element has (a byline's parent may hold
  // 100,000 <time> siblings; pushing them all costs each of the 50 calls that read it).
  const stack: Array<{ children: readonly AnyNode[]; next: number }> = [{ children: [el], next: 0 }];
  while (stack.length > 0 && out.length <= max * 2) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.children.length) {
      stack.pop();
      continue;
    }
    const node = frame.children[frame.next++]!;
    if (node.type === 'text') out += (node as unknown as { data: string }).data;
    else if (node.type === 'tag') {
      const tag = node as Element;
      if (SKIP.has(tag.name) || (ownOnly && node !== el && (isForeignTag(tag) || isFooterTag(tag)))) continue;
      if (tag.name === 'br' || tag.name === 'p' || tag.name === 'div' || tag.name === 'li') out += ' | ';
      stack.push({ children: tag.children, next: 0 });
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}
