import * as cheerio from 'cheerio';
import { DomHandler, Element } from 'domhandler';
import { Parser } from 'htmlparser2';

/** Deeper than any real page (news pages nest 20–60 deep); below it the tree is flattened. */
export const MAX_DOM_DEPTH = 256;

/**
 * htmlparser2 with a nesting cap: an element opened deeper than MAX_DOM_DEPTH is taken as a void element (kept,
 * empty; what it held goes to the deepest open parent). Both the parser's open-element stack and domutils'
 * traversal cost O(depth) per element, so a 100,000-deep page would otherwise take minutes.
 */
class ShallowParser extends Parser {
  private closing = false;

  protected override isVoidElement(name: string): boolean {
    // `stack` (the open elements) is private in the typings, not at run time.
    const open = (this as unknown as { stack: string[] }).stack.length;
    return super.isVoidElement(name) || (!this.closing && open >= MAX_DOM_DEPTH);
  }

  override onclosetag(start: number, endIndex: number): void {
    this.closing = true;
    try {
      super.onclosetag(start, endIndex);
    } finally {
      this.closing = false;
    }
  }
}

/** The element that holds a page's top-level nodes (a tag name no selector of the rules names). */
export const ROOT_WRAPPER = 'signal-desk-page';

/**
 * An HTML page as cheerio, parsed by htmlparser2 (not parse5: metadata needs tags and attributes, not the HTML5
 * tree-construction rules, and it is about ten times faster), with the nesting depth capped.
 *
 * The page's top-level nodes are held by one wrapper element: every `$(selector)` hands the root's children to
 * css-select, whose `removeSubsets` is quadratic in their number, and htmlparser2 (unlike parse5) adds no
 * `<html>` around a page that has none, so 100,000 top-level `<h1>` took five minutes; under one wrapper it is
 * one context node.
 */
export function parsePage(html: string): cheerio.CheerioAPI {
  const handler = new DomHandler();
  new ShallowParser(handler, { decodeEntities: true }).end(html);
  const root = handler.root;
  if (root.children.length > 1) {
    const wrapper = new Element(ROOT_WRAPPER, {}, root.children);
    for (const child of wrapper.children) child.parent = wrapper;
    wrapper.parent = root;
    root.children = [wrapper];
  }
  return cheerio.load(root, { xml: { xmlMode: false, decodeEntities: true } });
}
