/**
 * What windows-1252 means by the bytes 0x80–0x9F, indexed by byte - 0x80; '' for the five it leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D). https://encoding.spec.whatwg.org/index-windows-1252.txt
 */
const C1_AS_WINDOWS_1252 = [
  '€', '', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '', 'Ž', '',
  '', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '', 'ž', 'Ÿ',
] as const;

const C1 = /[\u0080-\u009f]/g;

/**
 * C1 controls (U+0080–U+009F) become the windows-1252 characters they were meant as ("don\u0092t" → "don’t"):
 * a publisher pasted windows-1252 text into a UTF-8 or Latin-1 document, and no feed means a C1 control in a
 * title. The five bytes windows-1252 leaves undefined are dropped.
 */
export function fixWindows1252(text: string): string {
  return text.replace(C1, (c) => C1_AS_WINDOWS_1252[c.charCodeAt(0) - 0x80]!);
}
