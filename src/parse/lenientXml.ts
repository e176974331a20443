import { Parser } from 'htmlparser2';
import { MAX_DEPTH } from './hardenXml.ts';
import type { XmlNode } from './xmlNodes.ts';

/** What a lenient re-read of a document the strict parser refused gives back. */
export interface LenientTree {
  /** The root element, in the shape xml2js builds (so mapRss/mapAtom read it unchanged); undefined when there is none. */
  root: XmlNode | undefined;
  /** Whole items (RSS/RDF `<item>`) or entries (Atom `<entry>`) kept. */
  items: number;
  /** True when an item or entry was cut off by the end of the document (a truncated download) and dropped. */
  truncated: boolean;
  /**
   * True when the end of the document came before the element holding the items closed (RSS <channel>, the
   * RDF or Atom root): a download cut off, perhaps between two items, so items after the cut may be missing
   * though every item kept is whole. A document missing only its root's final `>` after </channel> is not.
   */
  unfinished: boolean;
}

interface Frame {
  name: string;
  node: Record<string, unknown>;
  /** Whether the element held a CDATA section (xml2js keeps its text even when it is only whitespace). */
  cdata: boolean;
}

/**
 * Reads XML the strict parser refused (a missing final `>`, an undeclared prefix, stray or mismatched markup)
 * with htmlparser2 in XML mode, building the tree xml2js would have built: each child element in an array under
 * its name, attributes under "$", text under "_" when the element also has attributes or children, a plain
 * string otherwise. An item or entry the document never closed itself (cut off by the end of a truncated
 * download, or closed only because an enclosing element was) is dropped: it may be half an item. One pass,
 * linear; elements nested deeper than MAX_DEPTH are left out. Pure: text in, tree out.
 */
export function readLenientXml(xml: string, itemName: string): LenientTree {
  const stack: Frame[] = [];
  let root: XmlNode | undefined;
  let items = 0;
  let truncated = false;
  let unfinished = false;
  let ending = false;
  let skipped = 0; // open elements past MAX_DEPTH, not in the tree
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (stack.length >= MAX_DEPTH || skipped > 0) {
          skipped++;
          return;
        }
        const node: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        node._ = '';
        const names = Object.keys(attributes);
        if (names.length) {
          const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
          for (const a of names) attrs[a] = attributes[a]!;
          node.$ = attrs;
        }
        stack.push({ name, node, cdata: false });
      },
      ontext(text) {
        if (skipped > 0) return;
        const top = stack[stack.length - 1];
        if (top) top.node._ += text;
      },
      oncdatastart() {
        const top = stack[stack.length - 1];
        if (top && skipped === 0) top.cdata = true;
      },
      onclosetag(name, implied) {
        if (skipped > 0) {
          skipped--;
          return;
        }
        const frame = stack.pop();
        if (!frame) return;
        // Still open at the end though it holds items: the document may have been cut between two of them.
        if (ending && implied && frame.node[itemName] !== undefined) unfinished = true;
        const value = finish(frame);
        const parent = stack[stack.length - 1];
        if (frame.name === itemName && implied) {
          // Never closed by the document: cut off (at the end) or broken; either way it is not a whole item.
          if (ending) truncated = true;
          return;
        }
        if (frame.name === itemName) items++;
        if (parent) {
          const list = parent.node[frame.name];
          if (Array.isArray(list)) list.push(value);
          else parent.node[frame.name] = [value];
        } else if (root === undefined && value && typeof value === 'object') {
          root = value as XmlNode;
        }
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeCDATA: true, recognizeSelfClosing: true },
  );
  parser.write(xml);
  ending = true;
  parser.end();
  return { root, items, truncated, unfinished };
}

/** An element's value as xml2js gives it (its onclosetag, with the options rss-parser uses). */
function finish(frame: Frame): unknown {
  const node = frame.node;
  const chars = node._ as string;
  let emptyStr = '';
  if (!frame.cdata && /^\s*$/.test(chars)) {
    emptyStr = chars;
    delete node._;
  } else if (Object.keys(node).length === 1) {
    return chars;
  }
  return Object.keys(node).length === 0 ? emptyStr : node;
}
