/** Nodes of one cluster run the same major.minor version (the same schema and protocol). */
export function compatibleVersions(a: string, b: string): boolean {
  const [majorA, minorA] = a.split('.');
  const [majorB, minorB] = b.split('.');
  return majorA === majorB && minorA === minorB;
}

/** Loopback addresses, the only ones plain HTTP may carry join secrets between. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
