/** Longer than any language tag a feed means (RFC 5646 §4.4.1 asks for 35 characters without extensions). */
const MAX_TAG = 35;
const WELL_FORMED = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;

/**
 * A feed's or a page's language as BCP 47 writes it: case and separator canonical (`en_US` and `EN-us` → `en-US`,
 * `zh-hant-tw` → `zh-Hant-TW`, `pt_br` → `pt-BR`), the first of a list (`de-AT, en` → `de-AT`); null when it is not
 * a language tag (`english`, `12`, `<script>`, longer than 35 characters). Never throws.
 */
export function normalizeLanguage(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const first = value.split(/[,;\s]/).find((s) => s.trim())?.trim().replace(/_/g, '-');
  if (!first || first.length > MAX_TAG || !WELL_FORMED.test(first)) return null;
  try {
    return Intl.getCanonicalLocales(first)[0] ?? null;
  } catch {
    return null;
  }
}
