import type { Spot } from './indexPage.ts';

/** Every `<meta>` content of the page by lower-cased name, property, itemprop or http-equiv, in document order. */
export type MetaIndex = ReadonlyMap<string, readonly string[]>;

export function readMeta(metas: readonly Spot[]): MetaIndex {
  const index = new Map<string, string[]>();
  for (const { el, foreign } of metas) {
    const a = el.attribs;
    const content = a.content ?? a.value;
    if (content === undefined) continue;
    // An itemprop meta inside a comment or a related item is that item's, not the page's.
    if (a.itemprop && !a.name && !a.property && foreign) continue;
    for (const key of [a.name, a.property, a.itemprop, a['http-equiv']]) {
      if (!key) continue;
      for (const k of key.toLowerCase().split(/\s+/)) {
        if (!k) continue;
        const list = index.get(k);
        if (list) list.push(content);
        else index.set(k, [content]);
      }
    }
  }
  return index;
}
