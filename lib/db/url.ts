/** Database URLs carry a password: this is the only form of one that may be shown or logged. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return `${url.protocol}//${url.username ? `${url.username}${url.password ? ':***' : ''}@` : ''}${url.host}${url.pathname}`;
  } catch {
    return '(invalid database URL)';
  }
}
