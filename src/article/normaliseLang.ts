import { normalizeLanguage } from '../parse/normalizeLanguage.ts';

/** A page's language tag, by the same rule as a feed's (`parse/normalizeLanguage`); undefined when it is not one. */
export function normaliseLang(value: unknown): string | undefined {
  return normalizeLanguage(value) ?? undefined;
}
