import { isMarkupName } from './htmlElements.ts';

/**
 * Markup removed from text in one left-to-right pass: every character is looked at a bounded number of times, so
 * no input (a megabyte of "<script", of "<!--", of "<a ") makes it slow, which a backtracking regex over the whole
 * text cannot promise.
 *
 * - A tag is "<" followed by a letter, "/" and a letter, or "!", running to the next ">" with no "<" before it.
 *   Anything else is text: "x < y", "a<b", "1 <2", "<3" are kept as written.
 * - Code and embedded documents lose their content too: raw-text elements up to their end tag, nestable ones up
 *   to the end tag that closes them; an element never closed is dropped to the end of the text.
 * - Comments are dropped, an unclosed "<!--" to the end of the text.
 * - Block tags, dropped elements and comments become a space (words on either side stay apart); other tags vanish.
 *
 * htmlparser2's tokenizer is linear too, but it is not used here: it discards an unterminated "<b" at the end of
 * the input (a title "a<b" would lose its "<b") and reads "<a <b" as one tag, swallowing the text.
 */

/** Content is text up to `</name` (HTML raw text); nothing inside is a tag. */
const RAW_TEXT = new Set(['script', 'style', 'iframe', 'noscript', 'xmp', 'noembed', 'noframes']);
/** Content is markup; dropped up to the end tag that closes the outermost one. */
const NESTED = new Set(['template', 'object', 'svg', 'math']);
/** Void elements among the dropped ones: no content, the tag alone goes. */
const VOID_DROPPED = new Set(['embed']);
const BLOCK = new Set([
  'p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'section', 'article', 'tr', 'td', 'th',
  'table', 'figure', 'figcaption', 'pre', 'hr', 'dd', 'dt', 'dl', 'header', 'footer', 'aside', 'nav', 'main', 'caption',
]);

interface Tag {
  /** Lower-cased name; '' for a declaration ("<!DOCTYPE …>", "<![CDATA[") */
  name: string;
  closing: boolean;
  selfClosing: boolean;
  /** Index just past the ">" */
  end: number;
}

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isNameChar = (c: number) => isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x3a || c === 0x2e;

/**
 * The tag starting at `at` (text[at] is "<"), or the index of the next "<" when it is not a tag (the caller keeps
 * the text up to there), or -1 when no "<" nor ">" follows (the rest is text).
 */
function readTag(text: string, at: number): Tag | number {
  const first = text.charCodeAt(at + 1);
  const closing = first === 0x2f;
  const startsTag = closing ? isLetter(text.charCodeAt(at + 2)) : isLetter(first) || first === 0x21;
  let i = at + 1;
  if (!startsTag) return at + 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c) return i;
    if (c === 0x3e) break;
  }
  if (i >= text.length) return -1;
  let nameEnd = at + (closing ? 2 : 1);
  const nameStart = nameEnd;
  if (first !== 0x21) while (nameEnd < i && isNameChar(text.charCodeAt(nameEnd))) nameEnd++;
  return { name: text.slice(nameStart, nameEnd).toLowerCase(), closing, selfClosing: text.charCodeAt(i - 1) === 0x2f, end: i + 1 };
}

/** Index just past the end tag `</name…>` found from `from`, or -1 when there is none. */
function findRawTextEnd(text: string, name: string, from: number): number {
  const endTag = new RegExp(`</${name}(?=[\\s/>]|$)`, 'gi');
  endTag.lastIndex = from;
  if (!endTag.exec(text)) return -1;
  const close = text.indexOf('>', endTag.lastIndex);
  return close === -1 ? text.length : close + 1;
}

/** Index just past the end tag `</name…>`; an element never closed runs to the end. */
function skipRawText(text: string, name: string, from: number): number {
  const end = findRawTextEnd(text, name, from);
  return end === -1 ? text.length : end;
}

/** Index just past the comment starting at `at` ("<!--"); an unclosed one runs to the end. */
function skipComment(text: string, at: number): number {
  // "<!-->" and "<!--->" end at once (HTML's abrupt closing of an empty comment).
  if (text.startsWith('>', at + 4)) return at + 5;
  if (text.startsWith('->', at + 4)) return at + 6;
  const close = text.indexOf('-->', at + 4);
  return close === -1 ? text.length : close + 3;
}

export interface StripOptions {
  /**
   * Drop only code and embedded documents (script, style, iframe, object, svg…, comments), keeping every other tag as
   * text: for text that was HTML once and has been read already (Atom type="html" decoded, type="text").
   */
  codeOnly?: boolean;
}

/**
 * Text without its markup (see the module comment). Entities are left as they are. A tag that names no HTML
 * element, namespace or custom element (`htmlElements.ts`) is text: "vector<int>", "the <example> tag".
 */
export function stripMarkup(text: string, options: StripOptions = {}): string {
  if (!text.includes('<')) return text;
  const out: string[] = [];
  /** Name and depth of the nestable element being dropped, if any. */
  let dropping: { name: string; depth: number } | undefined;
  let kept = 0;
  let i = text.indexOf('<');
  const isText = (name: string) => !RAW_TEXT.has(name) && !NESTED.has(name) && !VOID_DROPPED.has(name) && (options.codeOnly === true || !isMarkupName(name));
  // In text already read as HTML, "<script>" with no "</script>" after it is words ("the <script> tag"), not code
  // running to the end. Where the search for an end tag failed once it fails from any later place: remembered,
  // so a megabyte of "<script>" stays one pass.
  const noEndFrom = new Map<string, number>();
  const hasEndTag = (name: string, from: number) => {
    if ((noEndFrom.get(name) ?? Infinity) <= from) return false;
    if (findRawTextEnd(text, name, from) !== -1) return true;
    noEndFrom.set(name, from);
    return false;
  };
  const keep = (to: number) => {
    if (!dropping && to > kept) out.push(text.slice(kept, to));
  };
  while (i !== -1 && i < text.length) {
    if (text.startsWith('<!--', i)) {
      keep(i);
      if (!dropping) out.push(' ');
      kept = i = skipComment(text, i);
    } else {
      const tag = readTag(text, i);
      if (tag === -1) break;
      if (typeof tag === 'number') {
        i = text.indexOf('<', tag);
        continue;
      }
      const { name } = tag;
      if (!dropping && name !== '' && (isText(name) || (options.codeOnly && RAW_TEXT.has(name) && !tag.closing && !hasEndTag(name, tag.end)))) {
        // Not markup here: the "tag" stays, as text.
        i = text.indexOf('<', tag.end);
        continue;
      }
      keep(i);
      kept = i = tag.end;
      if (dropping) {
        if (name === dropping.name && !tag.selfClosing) dropping.depth += tag.closing ? -1 : 1;
        if (dropping.depth === 0) {
          dropping = undefined;
          out.push(' ');
        } else if (!tag.closing && !tag.selfClosing && RAW_TEXT.has(name)) kept = i = skipRawText(text, name, i);
      } else if (tag.closing) {
        if (BLOCK.has(name) || RAW_TEXT.has(name) || NESTED.has(name)) out.push(' ');
      } else if (RAW_TEXT.has(name)) {
        out.push(' ');
        // "<script/>" in XHTML is empty; in HTML the content still runs to "</script>": dropped up to one if there is.
        const end = findRawTextEnd(text, name, i);
        if (end !== -1) kept = i = end;
        else if (!tag.selfClosing) kept = i = text.length;
      } else if (NESTED.has(name)) {
        out.push(' ');
        if (!tag.selfClosing) dropping = { name, depth: 1 };
      } else if (BLOCK.has(name) || VOID_DROPPED.has(name)) out.push(' ');
    }
    i = text.indexOf('<', i);
  }
  // An element never closed is dropped to the end; otherwise the rest is text.
  if (!dropping) out.push(text.slice(kept));
  return out.join('');
}
