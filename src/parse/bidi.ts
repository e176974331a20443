/**
 * Unicode bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the
 * marks LRM/RLM (U+200E, U+200F) and the Arabic letter mark (U+061C). In a headline they can reverse how
 * the rest of a line reads ("Trojan Source"-style spoofing, U+202E in a title). Signal Desk removes them
 * from every text it keeps: feed text at the parse coercer (`toPlainText`), editors' text in desk edits.
 */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
