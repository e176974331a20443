import { escapeUTF8 } from 'entities';

/** HTML that is already safe: the output of `html`, never anything built from input by hand. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  // Escapes & < > " ' : safe in text and in quoted attribute values. Feed titles are hostile input.
  return escapeUTF8(String(v));
}

/**
 * Tagged template that escapes every interpolated value unless it is SafeHtml (a nested `html`). The only
 * way to put markup on a page, so a value cannot reach the page unescaped by forgetting to escape it.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** An href we are willing to render: http(s) only (no javascript:, data: …), else undefined. */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
