/**
 * Failpoints (as in FreeBSD and TiKV): named places where a test can make the process die, to prove that
 * a crash at the worst moment loses and duplicates nothing. Enabled only by SIGNAL_DESK_FAILPOINTS
 * (a comma list of names), which production never sets.
 */
export function failpoint(name: string): void {
  const enabled = process.env.SIGNAL_DESK_FAILPOINTS;
  if (enabled && enabled.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}
