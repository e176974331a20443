/**
 * Failpoints (as in FreeBSD and TiKV): named places where a test can make the process die, to prove that
 * a crash at the worst moment loses and duplicates nothing. Enabled only by SIGNAL_DESK_FAILPOINTS
 * (a comma list of names), which production never sets.
 */
export function failpoint(name: string): void {
  const enabled = process.env.SIGNAL_DESK_FAILPOINTS;
  if (enabled && enabled.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}

/**
 * Stallpoints: named places where a test can make the code spin until it is stopped from outside, to prove
 * that a deadline is kept without depending on how fast this machine does real work. Enabled only by
 * SIGNAL_DESK_STALLPOINTS, a comma list of `name=text` entries: the code at `name` stalls when its subject
 * (for `enrich.readPage`, the page's URL) contains `text`. Production never sets it.
 */
export function stallpoint(name: string, subject: string): void {
  const enabled = process.env.SIGNAL_DESK_STALLPOINTS;
  if (!enabled) return;
  const hit = enabled.split(',').some((entry) => {
    const at = entry.indexOf('=');
    return at > 0 && entry.slice(0, at) === name && subject.includes(entry.slice(at + 1));
  });
  // A busy loop, not a wait: it is what a page that takes for ever to read looks like, and terminating the
  // thread interrupts it.
  // eslint-disable-next-line no-empty
  if (hit) for (;;) {}
}
