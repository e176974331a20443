import * as cheerio from 'cheerio';

/**
 * The article's main text, for the copy guard only (never stored: toPageShingles hashes it). Readability's way,
 * on cheerio: drop what is never the article (scripts, navigation, forms, hidden blocks, captions, blocks whose
 * class or id says comment/related/share/sidebar/footer…); score every paragraph by its length and commas and
 * give the score to its containers (parent in full, grandparent half, further ancestors less); the container
 * with the best score once its link density is taken off is the article; siblings that score close to it, or
 * are plain paragraphs of prose, join it; inside, blocks that are mostly links (related stories, tag clouds)
 * or lists of form controls are left out. Chosen over @mozilla/readability on linkedom by measurement (README,
 * "Copy guard: the article itself"): about the same words, several times faster, and bounded.
 *
 * Bounded on hostile input: at most MAX_HTML_CHARS of the page are parsed, at most MAX_ELEMENTS elements are
 * looked at, every walk is iterative (a million nested divs cannot overflow the stack), and at most
 * MAX_TEXT_CHARS of text come out.
 */
export function extractMainText(html: string, limits: MainTextLimits = MAIN_TEXT_LIMITS): string {
  const capped = capDepth(html.length > limits.htmlChars ? html.slice(0, limits.htmlChars) : html, limits.depth);
  const $ = cheerio.load(capped, { xml: { xmlMode: false, decodeEntities: true } });
  const root = $.root()[0] as unknown as Node;
  const body = findBody(root) ?? root;
  // As Readability does: when the strict pass finds little text, try again trusting class names less.
  let best = '';
  for (const flags of PASSES) {
    const text = extractWith(body, flags, limits);
    if (text.length > best.length) best = text;
    if (best.length >= RETRY_BELOW_CHARS) break;
  }
  return best;
}

/** A text shorter than this makes extraction retry with the next, looser pass. */
const RETRY_BELOW_CHARS = 500;

interface Flags {
  /** Drop blocks whose class or id says chrome (comment, related, share…). */
  stripUnlikely: boolean;
  /** Class and id count in scores. */
  weightClasses: boolean;
  /** Leave out blocks inside the article that are mostly links or form controls. */
  cleanConditionally: boolean;
}

const PASSES: Flags[] = [
  { stripUnlikely: true, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: false },
];

function extractWith(body: Node, flags: Flags, limits: MainTextLimits): string {
  const stats = measure(body, limits.elements, flags);
  const top = pickTop(body, stats, flags);
  const parts = top ? gatherSiblings(top, stats) : [body];
  let out = '';
  for (const part of parts) {
    out += writeText(part, stats, limits.textChars - out.length, flags) + '\n';
    if (out.length >= limits.textChars) break;
  }
  return out.replace(/[ \t\f\r\u00a0]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim().slice(0, limits.textChars);
}

export interface MainTextLimits {
  /** Characters of HTML parsed (the rest of the page is ignored). */
  htmlChars: number;
  /** Elements measured; past it, the rest of the page is ignored. */
  elements: number;
  /** Characters of main text returned. */
  textChars: number;
  /** Nesting depth of elements: the page is cut where it goes deeper (the parser's work grows with depth squared). */
  depth: number;
}

export const MAIN_TEXT_LIMITS: MainTextLimits = { htmlChars: 3_000_000, elements: 60_000, textChars: 200_000, depth: 400 };

/** Elements that never nest (void) or close themselves when the next one opens: they add no depth. */
const NO_DEPTH = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th', 'tbody', 'thead', 'rb', 'rt', 'rp']);
const TAG_OPEN = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(\/?)>/g;

/**
 * The HTML up to where its elements nest deeper than `max` (counted from the tags, roughly: void and
 * self-closing elements and those closed by their next sibling are not counted). Linear in the HTML.
 */
export function capDepth(html: string, max: number): string {
  let depth = 0;
  TAG_OPEN.lastIndex = 0;
  for (let m = TAG_OPEN.exec(html); m; m = TAG_OPEN.exec(html)) {
    const name = m[2]!.toLowerCase();
    if (NO_DEPTH.has(name) || m[3]) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (++depth > max) return html.slice(0, m.index);
  }
  return html;
}

/** The few fields of a domhandler node this file reads. */
interface Node {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: Node[];
  parent?: Node | null;
}

interface Stats {
  /** Characters of visible text inside (whitespace collapsed). */
  text: number;
  /** Characters of that text inside links. */
  link: number;
  commas: number;
  p: number;
  li: number;
  input: number;
  /** Readability's content score (only for containers of scored paragraphs). */
  score?: number;
}

/** Never the article, whatever their text. */
const DROP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'nav', 'footer', 'aside', 'form', 'button', 'select', 'textarea', 'iframe', 'object', 'embed', 'svg', 'canvas', 'figcaption', 'dialog', 'menu', 'head', 'title', 'link', 'meta']);
const DROP_ROLES = /^(?:navigation|complementary|dialog|alertdialog|banner|contentinfo|menu|menubar|search|alert)$/i;
/** Readability's regexps: a class or id matching UNLIKELY (and not MAYBE) is page chrome. */
const UNLIKELY = /-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|share|newsletter|promo|outbrain|taboola|subscribe|cookie/i;
const MAYBE = /and|article|body|column|content|main|mathjax|shadow/i;
const POSITIVE = /article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story/i;
const NEGATIVE = /-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|caption|byline|author|newsletter|subscribe/i;
/** Elements whose own text is a paragraph to score. */
const PARAGRAPHS = new Set(['p', 'pre', 'td', 'blockquote', 'section', 'div', 'article', 'h2', 'h3', 'li']);
const BLOCKS = new Set(['address', 'article', 'aside', 'blockquote', 'body', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul', 'br']);
/** Blocks that, inside the article, are left out when they look like chrome (mostly links, few words). */
const CONDITIONAL = new Set(['div', 'section', 'ul', 'ol', 'table', 'header', 'dl', 'figure']);

const isElement = (n: Node) => n.type === 'tag' || n.type === 'script' || n.type === 'style';
const classAndId = (n: Node) => `${n.attribs?.class ?? ''} ${n.attribs?.id ?? ''}`;

function findBody(root: Node): Node | undefined {
  const stack = [root];
  for (let seen = 0; stack.length && seen < 50; seen++) {
    const n = stack.pop()!;
    if (n.name === 'body') return n;
    if (n.children) for (let i = n.children.length - 1; i >= 0; i--) if (isElement(n.children[i]!) || n.children[i]!.type === 'root') stack.push(n.children[i]!);
  }
  return undefined;
}

/** Whether a node and all inside it are page chrome or hidden, never the article. */
function isDropped(n: Node, flags: Flags): boolean {
  if (!isElement(n)) return n.type !== 'text';
  const name = n.name!;
  if (DROP_TAGS.has(name)) return true;
  const a = n.attribs ?? {};
  if ('hidden' in a || a['aria-hidden'] === 'true' || (a.role && DROP_ROLES.test(a.role))) return true;
  if (a.style && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(a.style)) return true;
  if (!flags.stripUnlikely || name === 'body' || name === 'article' || name === 'main' || name === 'a') return false;
  const ci = classAndId(n);
  return ci.length > 1 && UNLIKELY.test(ci) && !MAYBE.test(ci);
}

/** Post-order, iterative: text, link text and commas of every kept element, up to `maxElements`. */
function measure(body: Node, maxElements: number, flags: Flags): Map<Node, Stats> {
  const stats = new Map<Node, Stats>();
  const stack: { n: Node; i: number }[] = [{ n: body, i: 0 }];
  const zero = (): Stats => ({ text: 0, link: 0, commas: 0, p: 0, li: 0, input: 0 });
  stats.set(body, zero());
  let inLink = 0;
  while (stack.length) {
    const top = stack.at(-1)!;
    const kids = top.n.children ?? [];
    if (top.i < kids.length && stats.size < maxElements) {
      const c = kids[top.i++]!;
      if (c.type === 'text') {
        const t = c.data!.replace(/\s+/g, ' ');
        const s = stats.get(top.n)!;
        s.text += t.trim().length;
        if (inLink) s.link += t.trim().length;
        s.commas += t.split(/[,，、]/).length - 1;
      } else if (c.name === 'input' || c.name === 'select' || c.name === 'textarea' || c.name === 'button') {
        stats.get(top.n)!.input++;
      } else if (!isDropped(c, flags)) {
        stats.set(c, zero());
        if (c.name === 'a') inLink++;
        stack.push({ n: c, i: 0 });
      }
      continue;
    }
    stack.pop();
    if (top.n.name === 'a') inLink--;
    const parent = stack.at(-1)?.n;
    if (!parent) continue;
    const s = stats.get(top.n)!;
    const p = stats.get(parent)!;
    p.text += s.text;
    p.link += s.link;
    p.commas += s.commas;
    p.p += s.p + (top.n.name === 'p' ? 1 : 0);
    p.li += s.li + (top.n.name === 'li' ? 1 : 0);
    p.input += s.input;
  }
  return stats;
}

const linkDensity = (s: Stats) => (s.text === 0 ? 0 : s.link / s.text);

function classWeight(n: Node, flags: Flags): number {
  let w = 0;
  if (!flags.weightClasses) return 0;
  for (const v of [n.attribs?.class, n.attribs?.id]) {
    if (!v) continue;
    if (NEGATIVE.test(v)) w -= 25;
    if (POSITIVE.test(v)) w += 25;
  }
  return w;
}

function initialScore(n: Node, flags: Flags): number {
  const base: Record<string, number> = { div: 5, article: 5, main: 5, section: 3, pre: 3, td: 3, blockquote: 3, address: -3, ol: -3, ul: -3, dl: -3, dd: -3, dt: -3, li: -3, form: -3, h1: -5, h2: -5, h3: -5, h4: -5, h5: -5, h6: -5, th: -5 };
  return (base[n.name!] ?? 0) + classWeight(n, flags);
}

/** Whether an element holds a block element among its kept children (then it is a container, not a paragraph). */
const hasBlockChild = (n: Node, stats: Map<Node, Stats>) => (n.children ?? []).some((c) => isElement(c) && stats.has(c) && BLOCKS.has(c.name!) && c.name !== 'br');

/** Readability's scoring: each paragraph's points go to five levels of ancestors; the best container wins. */
function pickTop(body: Node, stats: Map<Node, Stats>, flags: Flags): Node | undefined {
  const scored: Node[] = [];
  for (const [n, s] of stats) {
    if (!PARAGRAPHS.has(n.name!) || s.text < 25) continue;
    if (n.name !== 'p' && n.name !== 'pre' && hasBlockChild(n, stats)) continue;
    const points = 1 + s.commas + Math.min(Math.floor(s.text / 100), 3);
    let a = n.parent;
    for (let level = 0; a && level < 5; level++, a = a.parent) {
      const as = stats.get(a);
      if (!as) break;
      if (as.score === undefined) {
        as.score = initialScore(a, flags);
        scored.push(a);
      }
      as.score += points / (level === 0 ? 1 : level === 1 ? 2 : level * 3);
      if (a === body) break;
    }
  }
  let top: Node | undefined;
  let best = -Infinity;
  for (const n of scored) {
    const s = stats.get(n)!;
    s.score = s.score! * (1 - linkDensity(s));
    if (s.score > best) {
      best = s.score;
      top = n;
    }
  }
  // Readability's alternative candidates: when three of the five best share an ancestor scoring close to the
  // best, the article is that ancestor (its parts were scored apart: intro, body, list of steps).
  const ranked = scored.filter((n) => stats.get(n)!.score! >= best * 0.75 && n !== top).sort((a, b) => stats.get(b)!.score! - stats.get(a)!.score!).slice(0, 5);
  if (top && ranked.length >= 3) {
    for (let a = top.parent; a && stats.has(a); a = a.parent) {
      if (ranked.filter((n) => isInside(n, a!)).length >= 3) {
        top = a;
        break;
      }
      if (a === body) break;
    }
  }
  // A lone child wrapper says nothing: its parent is the article just as well (and may hold its siblings).
  while (top && top.parent && top !== body && stats.has(top.parent) && (top.parent.children ?? []).filter((c) => stats.has(c)).length === 1) top = top.parent;
  return top;
}

function isInside(n: Node, ancestor: Node): boolean {
  for (let a = n.parent; a; a = a.parent) if (a === ancestor) return true;
  return false;
}

/** The top candidate and the siblings that belong with it: close in score, or plain paragraphs of prose. */
function gatherSiblings(top: Node, stats: Map<Node, Stats>): Node[] {
  const parent = top.parent;
  if (!parent || !stats.has(parent)) return [top];
  const topScore = stats.get(top)!.score ?? 0;
  const threshold = Math.max(10, topScore * 0.2);
  const out: Node[] = [];
  for (const c of parent.children ?? []) {
    const s = stats.get(c);
    if (!s) continue;
    if (c === top) {
      out.push(c);
      continue;
    }
    const bonus = c.attribs?.class && c.attribs.class === top.attribs?.class ? topScore * 0.2 : 0;
    if (s.score !== undefined && s.score + bonus >= threshold) out.push(c);
    else if (c.name === 'p') {
      const d = linkDensity(s);
      if ((s.text > 80 && d < 0.25) || (s.text > 0 && s.text <= 80 && d === 0 && /\.( |$)/.test(textOf(c)))) out.push(c);
    }
  }
  return out;
}

/** Readability's conditional clean, in part: a block inside the article that is mostly links, or forms, or nothing. */
function isChrome(n: Node, s: Stats, flags: Flags): boolean {
  if (!flags.cleanConditionally || !CONDITIONAL.has(n.name!)) return false;
  const weight = classWeight(n, flags);
  if (weight + (s.score ?? 0) < 0) return true;
  if (s.commas >= 10) return false;
  const d = linkDensity(s);
  const isList = n.name === 'ul' || n.name === 'ol';
  if (!isList && s.li > s.p + 1 && s.text < 25 * s.li) return true;
  if (s.input > Math.floor(s.p / 3)) return true;
  if (weight < 25 && d > 0.2) return true;
  if (weight >= 25 && d > 0.5) return true;
  return false;
}

/** Text of an element without the dropped and chrome blocks inside, blocks on their own lines. Iterative. */
function writeText(node: Node, stats: Map<Node, Stats>, budget: number, flags: Flags): string {
  let out = '';
  const stack: (Node | '\n')[] = [node];
  while (stack.length && out.length < budget) {
    const n = stack.pop()!;
    if (n === '\n') {
      out += '\n';
      continue;
    }
    if (n.type === 'text') {
      out += n.data!.replace(/\s+/g, ' ');
      continue;
    }
    const s = stats.get(n);
    if (!s || (n !== node && isChrome(n, s, flags))) continue;
    const block = BLOCKS.has(n.name!);
    if (block) {
      out += '\n';
      stack.push('\n');
    }
    const kids = n.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return out;
}

function textOf(n: Node): string {
  let out = '';
  const stack = [n];
  while (stack.length && out.length < 1000) {
    const c = stack.pop()!;
    if (c.type === 'text') out += c.data;
    else for (let i = (c.children ?? []).length - 1; i >= 0; i--) stack.push(c.children![i]!);
  }
  return out.replace(/\s+/g, ' ');
}
