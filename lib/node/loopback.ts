/**
 * Loopback names and addresses, and the host of a URL: plain string work, with no Node.js
 * module, because the cluster page's alarms use it in the browser too.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = (host.startsWith('[') ? host.slice(1, -1) : host).toLowerCase();
  return (
    bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || /^127\./.test(bare) || /^::ffff:127\./.test(bare)
  );
}

/** The host of an http(s) URL without the brackets of an IPv6 address, or undefined. */
export function hostOfUrl(url: string): string | undefined {
  try {
    const { hostname } = new URL(url);
    return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  } catch {
    return undefined;
  }
}
