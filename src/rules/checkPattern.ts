import { Worker } from 'node:worker_threads';
import safeRegex from 'safe-regex2';

/** Characters of each field a pattern is run on (rules/matchRules.ts): the probe runs at this length. */
export const PATTERN_TEXT_MAX = 1000;
/** A pattern that needs longer than this for all its probe texts is refused (a safe one needs well under 1 ms; a catastrophic one, seconds to forever). */
export const PROBE_TIMEOUT_MS = 1000;

/** Patterns are case-insensitive and Unicode-aware. */
export const PATTERN_FLAGS = 'iu';

/**
 * A pattern of the rules file compiled, or why it is refused: not a valid JavaScript regular expression, or
 * one safe-regex2 finds catastrophic (a repetition inside a repetition, `(a+)+`, or more than 25
 * repetitions): such patterns can take exponential time on a crafted headline. Pure.
 */
export function compilePattern(source: string): { regex: RegExp } | { problem: string } {
  let regex: RegExp;
  try {
    regex = new RegExp(source, PATTERN_FLAGS);
  } catch (err) {
    return { problem: `is not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')}); patterns are JavaScript regular expressions, matched case-insensitively` };
  }
  if (!safeRegex(forStructuralCheck(source))) {
    return { problem: 'is refused: it repeats a repetition (like (a+)+ or (\\w*\\s?)*) or has more than 25 repetitions, which can take exponential time on a crafted headline; write it without the nested repetition, or use keyword: instead' };
  }
  return { regex };
}

/**
 * The pattern as safe-regex2 is asked about it, without two things it gets wrong: an optional group `(…)?`
 * counts there as a repetition, so `\$\d+(\.\d+)?` would be "nested"; and its parser does not know
 * lookbehind `(?<!…)`, so every such pattern would be refused. Taking a quantifier away never hides a nested
 * repetition of `*`, `+` or `{n,m}`; the probe below still runs every pattern.
 */
function forStructuralCheck(source: string): string {
  return source.replace(/\(\?<([=!])/g, '(?:').replace(/(?<!\\)\)\?\??/g, ')');
}

/**
 * Runs each pattern on probe texts of PATTERN_TEXT_MAX characters on a thread of its own (each of its own
 * characters and literal runs repeated, with and without a character that ends any match), and returns the
 * patterns that took longer than `timeoutMs` on one, with why. This catches what the structural check above
 * cannot see: overlapping alternatives `(a|a)*` and stacked repetitions `a*a*a*b`. The thread is ended when
 * a pattern runs over (a regular expression cannot be interrupted otherwise) and a new one takes the rest.
 */
export async function probePatterns(sources: string[], timeoutMs = PROBE_TIMEOUT_MS, length = PATTERN_TEXT_MAX): Promise<Map<string, string>> {
  const slow = new Map<string, string>();
  const todo = [...new Set(sources)];
  let worker: Worker | undefined;
  try {
    while (todo.length > 0) {
      worker ??= await startProbe();
      const source = todo.shift()!;
      const done = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        worker!.once('message', () => {
          clearTimeout(timer);
          resolve(true);
        });
        worker!.once('error', reject);
        worker!.postMessage({ source, flags: PATTERN_FLAGS, length });
      });
      worker.removeAllListeners('message').removeAllListeners('error');
      if (!done) {
        slow.set(source, `is refused: it took over ${timeoutMs} ms on test texts of ${length} characters (overlapping alternatives like (a|a)* or stacked repetitions like a*a*b backtrack without end); make the alternatives distinct, drop the repetition, or use keyword: instead`);
        await worker.terminate();
        worker = undefined;
      }
    }
  } finally {
    await worker?.terminate();
  }
  return slow;
}

const PROBE_THREAD = `
const { parentPort } = require('node:worker_threads');
// Letters of the scripts a class like \\p{Script=Greek} or \\p{Lu} names, case-folding pairs (K, the Kelvin sign;
// ſ), spaces that are not ' ', a zero-width space, an emoji, digits of other scripts.
const SCRIPTS = ['α', 'Σ', 'ж', 'Ж', 'ب', 'א', 'क', '한', 'あ', 'ア', 'ก', 'ß', 'ſ', '\\u212a', 'Z', '9', '٣', '\\u00a0', '\\t', '\\n', '\\u200b', '\\u{1F600}', '!', '#', '@', ',', '/'];
function escapedChars(source) {
  const out = [];
  for (const m of source.matchAll(/\\\\(?:u\\{([0-9a-fA-F]{1,6})\\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))/g)) {
    const code = parseInt(m[1] || m[2] || m[3], 16);
    if (code <= 0x10ffff) out.push(String.fromCodePoint(code));
  }
  return out;
}
parentPort.on('message', ({ source, flags, length }) => {
  const re = new RegExp(source, flags);
  const pieces = new Set(['a', 'A', '0', ' ', '.', '-', '_', 'é', '中', ...SCRIPTS]);
  const own = new Set();
  for (const ch of source.replace(/\\\\(?:u\\{[0-9a-fA-F]+\\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[a-zA-Z])/g, '')) own.add(ch);
  for (const ch of escapedChars(source)) own.add(ch);
  for (const ch of own) pieces.add(ch);
  for (const run of source.match(/[\\p{L}\\p{N}]{2,}/gu) || []) pieces.add(run);
  // Two of its own letters in turn ("abab…"): alternatives like (?:[a][b]|a|b)* backtrack only on such text.
  const letters = [...own].filter((ch) => /[\\p{L}\\p{N}]/u.test(ch)).slice(0, 12);
  for (const x of letters) for (const y of letters) if (x !== y) pieces.add(x + y);
  for (const piece of pieces) {
    const body = piece.repeat(Math.ceil(length / piece.length)).slice(0, length);
    re.test(body);
    re.test(body.slice(0, length - 1) + '\\u0001');
  }
  parentPort.postMessage(true);
});
parentPort.postMessage('ready');
`;

function startProbe(): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PROBE_THREAD, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
  });
}
