import type { CheerioAPI } from 'cheerio';
import type { JsonLdNode } from './types.ts';

/** Caps on untrusted JSON-LD: a page with 10,000 blocks or 1,000-deep nesting costs no more than these. */
export const JSONLD_LIMITS = { maxBlocks: 32, maxBlockBytes: 512 * 1024, maxTotalBytes: 2 * 1024 * 1024, maxDepth: 12, maxNodes: 400 } as const;

export interface JsonLd {
  /** Every typed object of the page in document order: top-level objects, `@graph` members, array elements, nested typed objects (parents first). */
  nodes: JsonLdNode[];
  /** `@id` → node, to follow references such as `"author": {"@id": "#/schema/person/1"}`. */
  byId: Map<string, JsonLdNode>;
  /** Blocks skipped, with why (invalid JSON, too large, over the block cap). */
  skipped: string[];
}

/**
 * Reads every `<script type="application/ld+json">` of the page. One invalid block is skipped without losing
 * the others; blocks, bytes, depth and nodes are capped, and the walk is iterative (no recursion to blow up).
 */
export function readJsonLd($: CheerioAPI, limits = JSONLD_LIMITS): JsonLd {
  const out: JsonLd = { nodes: [], byId: new Map(), skipped: [] };
  const scripts = $('script[type]').filter((_, el) => /^\s*application\/ld\+json\s*(;.*)?$/i.test($(el).attr('type') ?? ''));
  let total = 0;
  let seen = 0;
  for (const el of scripts.toArray()) {
    if (++seen > limits.maxBlocks) {
      out.skipped.push(`JSON-LD blocks after the first ${limits.maxBlocks} not read (${scripts.length} on the page)`);
      break;
    }
    const text = $(el).text();
    if (text.length > limits.maxBlockBytes || total + text.length > limits.maxTotalBytes) {
      out.skipped.push(`JSON-LD block ${seen} not read: ${text.length} characters is over the cap`);
      continue;
    }
    total += text.length;
    const parsed = parseBlock(text);
    if (parsed === undefined) {
      out.skipped.push(`JSON-LD block ${seen} is not valid JSON`);
      continue;
    }
    collectNodes(parsed, out, limits);
    if (out.nodes.length >= limits.maxNodes) break;
  }
  return out;
}

/** JSON.parse, then once more after the repairs real pages need (HTML comment / CDATA wrappers, raw newlines in strings, a trailing `;`). */
export function parseBlock(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const repaired = text
      .replace(/^\s*(<!--|\/\/\s*<!\[CDATA\[|<!\[CDATA\[)/, '')
      .replace(/(-->|\/\/\s*\]\]>|\]\]>)\s*$/, '')
      .replace(/[\r\n\t]+/g, ' ')
      .replace(/;\s*$/, '');
    try {
      return JSON.parse(repaired);
    } catch {
      return undefined;
    }
  }
}

function collectNodes(root: unknown, out: JsonLd, limits: typeof JSONLD_LIMITS): void {
  // Iterative depth-first walk in document order; the stack holds (value, depth).
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0 && out.nodes.length < limits.maxNodes) {
    const [value, depth] = stack.pop()!;
    if (depth > limits.maxDepth || value === null || typeof value !== 'object') continue;
    const children: unknown[] = [];
    if (Array.isArray(value)) {
      children.push(...value.slice(0, limits.maxNodes));
    } else {
      const node = value as JsonLdNode;
      if (node['@type'] !== undefined) {
        out.nodes.push(node);
        const id = node['@id'];
        if (typeof id === 'string' && !out.byId.has(id)) out.byId.set(id, node);
      }
      for (const [key, v] of Object.entries(node)) if (key !== '@context' && v !== null && typeof v === 'object') children.push(v);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], depth + 1]);
  }
}

/** The node's `@type` names (a string or an array), without a schema.org prefix. */
export function typesOf(node: JsonLdNode): string[] {
  const t = node['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list.filter((x): x is string => typeof x === 'string').map((x) => x.replace(/^(https?:\/\/)?schema\.org\//i, ''));
}
