const DEFAULT_PATH = '/cluster';

/**
 * Where to go after signing in: the callback URL only when it stays on this site (a relative
 * path, or an absolute URL of this very origin), so a crafted link cannot send the user away.
 */
export function pickReturnPath(callbackUrl: string | undefined, origin: string): string {
  if (!callbackUrl || callbackUrl.startsWith('//') || callbackUrl.startsWith('/\\')) return DEFAULT_PATH;
  let url: URL;
  try {
    url = new URL(callbackUrl, origin);
  } catch {
    return DEFAULT_PATH;
  }
  if (url.origin !== origin || url.pathname.startsWith('/login')) return DEFAULT_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}
