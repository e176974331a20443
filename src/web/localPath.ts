const ORIGIN = 'http://desk.invalid';
// C0 and C1 controls (tab, newline…), DEL, and the backslash some browsers read as a slash.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const REFUSED = /[\u0000-\u001f\u007f-\u009f\\]/;

/**
 * Where to go after logging in: a path on this desk, or "/". `next` must start with "/", hold no control
 * character or backslash, and resolve to a path of our own origin ("//evil.example", "/\t/evil.example", "/x/../..//evil.example" do not); the
 * answer is the parsed URL's path, query and fragment, percent-encoded (U+3000 and friends are legal there).
 */
export function localPath(next: unknown): string {
  // Anything but one string (absent, or `?next=a&next=b`, which the query parser turns into a list) is "/".
  if (typeof next !== 'string' || !next.startsWith('/') || REFUSED.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, ORIGIN);
  } catch {
    return '/';
  }
  // Dot segments can resolve to "//host" ("/a/../..//evil.example"), which a browser reads as another origin.
  if (url.origin !== ORIGIN || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
