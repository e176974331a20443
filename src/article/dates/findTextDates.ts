import { MONTHS, MONTH_PATTERN } from './monthNames.ts';

/** A calendar day written in running text, where it was, and what the words before it call it. */
export interface TextDate {
  year: number;
  month: number;
  day: number;
  index: number;
  /** "Updated: …", "Aktualisiert am …" → modified; "Published …", "Veröffentlicht am …" → published. */
  label?: 'published' | 'modified';
  /** The whole ISO 8601 date-time when the text gives one with its UTC offset ("2024-03-05T10:00:00+01:00"). */
  dateTime?: string;
}

const L = '(?<![\\p{L}\\p{N}])';
const R = '(?![\\p{L}])';
const M = `(${MONTH_PATTERN})`;

interface Pattern {
  re: RegExp;
  read: (m: RegExpExecArray) => [number, number, number] | undefined;
  /** Set when the match is a full date-time with an offset, kept as written. */
  dateTime?: (m: RegExpExecArray) => string | undefined;
}

// Each pattern gives [year, month, day]. Numeric forms are read only when they are unambiguous.
const PATTERNS: Pattern[] = [
  // 2024-03-05, 2024-03-05T10:00:00Z
  {
    re: /(?<!\d)((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?:(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))|(?!\d))/g,
    read: (m) => [+m[1]!, +m[2]!, +m[3]!],
    dateTime: (m) => (m[4] ? m[0] : undefined),
  },
  // 2024年3月5日, 2024년 3월 5일
  { re: /((?:19|20)\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?/g, read: (m) => [+m[1]!, +m[2]!, +m[3]!] },
  // 5 March 2024, 5. März 2024, 5 mars 2024, 5 de marzo de 2024, 1er mai 2024, 5th of March, 2024
  {
    re: new RegExp(`${L}(\\d{1,2})(?:st|nd|rd|th|er|º|\\.)?\\s*(?:of\\s+|de\\s+)?${M}${R}\\.?,?\\s*(?:de\\s+|del\\s+)?((?:19|20)\\d{2})(?!\\d)`, 'giu'),
    read: (m) => [+m[3]!, MONTHS.get(m[2]!.toLowerCase())!, +m[1]!],
  },
  // March 5, 2024, Mar. 5 2024, March 5th, 2024
  {
    re: new RegExp(`${L}${M}${R}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+((?:19|20)\\d{2})(?!\\d)`, 'giu'),
    read: (m) => [+m[3]!, MONTHS.get(m[1]!.toLowerCase())!, +m[2]!],
  },
  // 2024/03/05, 2024.03.05
  { re: /(?<![\d.])((?:19|20)\d{2})([/.])(\d{1,2})\2(\d{1,2})(?![\d])/g, read: (m) => [+m[1]!, +m[3]!, +m[4]!] },
  // 05.03.2024 is day-first (the dotted form is not used month-first).
  { re: /(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})(?!\d)/g, read: (m) => [+m[3]!, +m[2]!, +m[1]!] },
  // 25/03/2024 or 03/25/2024: only when one side is over 12, else US and European readings disagree.
  {
    re: /(?<![\d/])(\d{1,2})[/-](\d{1,2})[/-]((?:19|20)\d{2})(?![\d/])/g,
    read: (m) => {
      const a = +m[1]!;
      const b = +m[2]!;
      if (a > 12 && b <= 12) return [+m[3]!, b, a];
      if (b > 12 && a <= 12) return [+m[3]!, a, b];
      return undefined;
    },
  },
];

const PUBLISHED = /(?:published|posted|first published|publication|released|veröffentlicht|erstellt|erschienen|publié|publiée|mis en ligne|publicado|publicada|pubblicato|pubblicata|gepubliceerd|geplaatst|公開|公开|发布时间|發佈時間|发布|發布|發佈|发表|作成|投稿)[^\p{L}]*$/iu;
const MODIFIED = /(?:updated|last updated|modified|last modified|revised|edited|aktualisiert|geändert|zuletzt|mis à jour|modifié|modifiée|actualizado|actualizada|atualizado|atualizada|aggiornato|aggiornata|bijgewerkt|更新时间|更新時間|最終更新|更新日|更新|修改)[^\p{L}]*$/iu;
const LABEL_WINDOW = 40;

/** Every calendar day written in `text`, in text order, each with the label of the words just before it. */
export function findTextDates(text: string): TextDate[] {
  const out: TextDate[] = [];
  const taken: Array<[number, number]> = [];
  for (const { re, read, dateTime } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken.some(([s, e]) => start < e && end > s)) continue;
      const ymd = read(m);
      if (!ymd) continue;
      taken.push([start, end]);
      const before = text.slice(Math.max(0, start - LABEL_WINDOW), start);
      const found: TextDate = { year: ymd[0], month: ymd[1], day: ymd[2], index: start, label: labelOf(before) };
      const iso = dateTime?.(m);
      if (iso) found.dateTime = iso;
      out.push(found);
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

function labelOf(before: string): TextDate['label'] {
  // Labels attach to the nearest date after them: "Published 5 March · Updated 6 March".
  const tail = before.split(/[|·•\n]/).pop() ?? '';
  if (MODIFIED.test(tail.replace(/\s+(?:on|at|am|le|el|il|em|op|de)\s*$/i, ' '))) return 'modified';
  if (PUBLISHED.test(tail.replace(/\s+(?:on|at|am|le|el|il|em|op|de)\s*$/i, ' '))) return 'published';
  return undefined;
}
