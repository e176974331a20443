/**
 * Text for an operator's terminal: C0 controls (ESC starts a control sequence), DEL and C1 controls (U+009B is
 * CSI) removed, carriage returns made line feeds; line feeds and tabs kept. Feed text and editors' text reach the
 * CLI's tables and `review show`; none of it may move the cursor, retitle the window or write to the clipboard.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
export function terminalText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(TERMINAL_CONTROL, '');
}

/** Writes text to the terminal without control sequences (terminalText). */
export function writeText(out: NodeJS.WritableStream, text: string): void {
  out.write(terminalText(text));
}

/** JSON for the terminal: JSON.stringify escapes C0 controls; DEL and C1 controls are escaped here too (same data). */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A plain-text table with padded columns; numbers right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  // A cell is one line: controls removed, line breaks and tabs made spaces.
  const cells = [header, ...rows.map((r) => r.map((c) => terminalText(String(c)).replace(/[\n\t]/g, ' ')))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatAge(fromIso: string | null, now: number): string {
  if (!fromIso) return '?';
  const s = Math.max(0, Math.round((now - Date.parse(fromIso)) / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 129600) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
