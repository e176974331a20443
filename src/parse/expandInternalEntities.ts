/** Bounds on internal entity expansion: a document cannot make itself bigger than this (billion laughs). */
export const ENTITY_LIMITS = { perEntity: 16 * 1024, total: 1024 * 1024, depth: 8 } as const;

/**
 * A DOCTYPE with its internal subset, whose `]` ends the subset only outside quoted literals and comments: an
 * entity value or comment may hold `]` or `>` ("[1]", even a whole DOCTYPE as text). Each alternative starts
 * differently, so a document without a closing `]` costs linear time, never backtracking.
 */
export const DOCTYPE_PATTERN = String.raw`<!DOCTYPE(?:[^[>]|\[(?:<!--(?:[^-]|-(?!->))*-->|"[^"]*"|'[^']*'|[^\]"'<]|<(?!!--))*\])*>`;
const DOCTYPE = new RegExp(DOCTYPE_PATTERN, 'i');
/** A general entity with a literal value. `<!ENTITY % p …>` (parameter) and SYSTEM/PUBLIC (external) ones do not match. */
const DECLARATION = /<!ENTITY\s+([A-Za-z_][\w.-]{0,63})\s+(?:"([^"]*)"|'([^']*)')\s*>/g;
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const REFERENCE = /&([A-Za-z_][\w.-]{0,63});/g;

/**
 * Expands the general entities a document declares in its internal DTD subset (`<!ENTITY name "value">`),
 * before hardenXml drops the DOCTYPE. Bounded: an entity whose expansion passes 16 KB or nests more than 8
 * levels is not expanded, and the document gains at most 1 MB; a reference left unexpanded stays literal
 * text (hardenXml escapes it). External entities (SYSTEM/PUBLIC) are never fetched nor expanded; parameter
 * entities are ignored. An expansion is text: `<` in a value becomes `&lt;` and quotes `&quot;`/`&apos;`, so an entity never adds markup nor leaves the attribute it stands in.
 * Character and predefined references in a value are kept as references for the XML parser to read.
 */
export function expandInternalEntities(xml: string): string {
  const doctype = DOCTYPE.exec(xml);
  if (!doctype || !doctype[0].includes('<!ENTITY')) return xml;
  const declared = new Map<string, string>();
  for (const m of doctype[0].matchAll(DECLARATION)) {
    const name = m[1]!;
    // XML 1.0 §4.2: the first declaration binds; the five predefined entities cannot be redefined usefully.
    if (!PREDEFINED.has(name) && !declared.has(name)) declared.set(name, m[2] ?? m[3] ?? '');
  }
  if (declared.size === 0) return xml;

  // Each entity's expansion and nesting height (1 for a value without references), once: bounds that do not
  // depend on where it is used. The descent stops ENTITY_LIMITS.depth entities down, so a chain of thousands
  // of entities each naming the next cannot exhaust the stack: the outermost one is then too deep (null, for
  // good), while the ones in between, cut short only by where they were reached from, are not remembered.
  const memo = new Map<string, { value: string; height: number } | null>();
  const expand = (name: string, open: Set<string>): { result: { value: string; height: number } | null; cut: boolean } => {
    if (memo.has(name)) return { result: memo.get(name)!, cut: false };
    if (open.has(name)) return { result: null, cut: false }; // a cycle: never expandable
    if (open.size >= ENTITY_LIMITS.depth) return { result: null, cut: true };
    open.add(name);
    let failed = false;
    let cut = false;
    let length = 0;
    let height = 1;
    const value = declared.get(name)!.replace(REFERENCE, (whole, ref: string) => {
      if (failed) return '';
      if (!declared.has(ref)) return whole;
      const { result: inner, cut: innerCut } = expand(ref, open);
      cut ||= innerCut;
      if (inner === null || (length += inner.value.length) > ENTITY_LIMITS.perEntity) failed = true;
      height = Math.max(height, (inner?.height ?? 0) + 1);
      return inner?.value ?? '';
    });
    open.delete(name);
    const result = failed || height > ENTITY_LIMITS.depth || value.length > ENTITY_LIMITS.perEntity ? null : { value: value.replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'), height };
    if (!cut || open.size === 0) memo.set(name, result);
    return { result, cut: cut && open.size > 0 };
  };

  const end = doctype.index + doctype[0].length;
  let budget = ENTITY_LIMITS.total;
  const body = mapOutsideCdata(xml.slice(end), (text) =>
    text.replace(REFERENCE, (whole, name: string) => {
      if (!declared.has(name)) return whole;
      const value = expand(name, new Set()).result?.value;
      if (value === undefined || value.length > budget) return whole;
      budget -= value.length;
      return value;
    }),
  );
  return xml.slice(0, end) + body;
}

function mapOutsideCdata(xml: string, fn: (s: string) => string): string {
  const parts = xml.split(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->)/);
  for (let i = 0; i < parts.length; i += 2) parts[i] = fn(parts[i]!);
  return parts.join('');
}
