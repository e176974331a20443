/** A language tag as BCP 47 writes it (`en`, `en-US`, `pt-BR`, `zh-Hant-TW`), from `en_us`, `EN-US`, `en-US,fr`; undefined when it is not one. */
export function normaliseLang(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const first = value.split(/[,;\s]/).find((s) => s.trim())?.trim().replace(/_/g, '-');
  if (!first || first.length > 35 || !/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(first)) return undefined;
  try {
    return Intl.getCanonicalLocales(first)[0];
  } catch {
    return undefined;
  }
}
