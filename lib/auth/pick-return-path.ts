const DEFAULT_PATH = '/cluster';

/**
 * The path on this site that `target` names, or null when a browser given `target` could end up
 * anywhere else. Browsers read `//host`, `/\host`, `/.//host` (once normalized), and the same
 * with tabs, newlines or percent-encoded slashes, as another host; only a plain path survives.
 */
export function sameSitePath(target: string | undefined, origin: string): string | null {
  if (!target) return null;
  // backslashes, control characters and spaces have no place in a path we would produce
  if (/[\\\u0000-\u0020\u007f]/.test(target)) return null;
  let url: URL;
  try {
    url = new URL(target, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!isPlainPath(path)) return null;
  // what the browser makes of our answer must be this site too (it resolves it once more)
  const again = new URL(path, origin);
  return again.origin === origin && `${again.pathname}${again.search}${again.hash}` === path ? path : null;
}

/** One leading slash, and no slash or backslash after it, even once percent-decoded. */
function isPlainPath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return false;
  let decoded = path;
  for (let round = 0; round < 3; round += 1) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      return false;
    }
  }
  return !/^[/\\][/\\]/.test(decoded) && !decoded.includes('\\');
}

/**
 * Where to go after signing in: the callback URL only when it stays on this site (a relative
 * path, or an absolute URL of this very origin), so a crafted link cannot send the user away;
 * never back to the sign-in page.
 */
export function pickReturnPath(callbackUrl: string | undefined, origin: string): string {
  const path = sameSitePath(callbackUrl, origin);
  if (!path || path === '/login' || path.startsWith('/login?') || path.startsWith('/login/') || path.startsWith('/login#'))
    return DEFAULT_PATH;
  return path;
}
